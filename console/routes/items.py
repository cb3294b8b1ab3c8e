"""``/items/{id}``: one item, and the review actions on it.

``GET /items/{id}`` (reviewer of the item's group, or auditor) shows the client's message, the
draft with its findings, why it was escalated, the model and prompt, citations and history.
The actions (reviewer of the item's group only; CSRF-checked; each the CLI's operation in
``jobs/review.py`` with the signed-in identity as the audit actor):

* ``POST /items/{id}/approve``       deliver the draft as is
* ``POST /items/{id}/edit-approve``  field ``body``: deliver the reviewer's text instead
* ``POST /items/{id}/reject``        field ``reason``
* ``POST /items/{id}/assign``        field ``group``: hand the review to another group

A successful action redirects (303) to the item page with ``?done=<action>``; a refused one
(``ReviewError``: wrong state, lost a race with another reviewer, empty reason) answers 409
with the page and the reason.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from console.authz import authorise_item, can_act, require_identity, subject_ref
from console.identity import Identity

log = logging.getLogger("draftguard.console")
router = APIRouter()

DONE = {"approve": "Approved: the draft was delivered.", "edit-approve": "Edited and approved: your text was delivered.", "reject": "Rejected.", "assign": "Assigned to another group."}


def _page(request: Request, identity: Identity, item_id: int, group: str | None, *, error: str | None = None, status: int = 200, done: str | None = None, body: str | None = None) -> Response:
    from console.app import render
    from console.views import item_page
    from jobs.review import ReviewError

    try:
        page = item_page(request.app.state.services, item_id)
    except ReviewError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    groups = [g.name for g in request.app.state.settings.reviewer_groups if g.name != group]
    return render(
        request,
        "item.html",
        {
            "item_id": item_id,
            "page": page,
            "can_act": can_act(identity, group) and page.reviewable,
            "other_groups": groups,
            "error": error,
            "done": DONE.get(done or ""),
            "edited_body": body,
        },
        status_code=status,
    )


@router.get("/items/{item_id}")
def show_item(request: Request, item_id: int, done: str | None = None, identity: Identity = Depends(require_identity)) -> Response:
    group = authorise_item(request, identity, item_id, act=False)
    return _page(request, identity, item_id, group, done=done)


def _act(request: Request, identity: Identity, item_id: int, action: str, run, *, body: str | None = None) -> Response:
    """Authorise, run ``run(actor)`` (a jobs/review.py operation), log, redirect or show the refusal."""
    from agent.errors import DraftguardError
    from jobs.review import ReviewError

    group = authorise_item(request, identity, item_id, act=True)
    try:
        run(identity.actor())
    except ReviewError as exc:
        log.info("console: %s refused on item %s (subject=%s)", action, item_id, subject_ref(identity))
        return _page(request, identity, item_id, group, error=str(exc), status=409, body=body)
    except DraftguardError as exc:
        log.warning("console: %s failed on item %s: %s", action, item_id, type(exc).__name__)
        return _page(request, identity, item_id, group, error=f"The action failed ({type(exc).__name__}); see `main.py status`.", status=502, body=body)
    log.info("console: %s on item %s by subject=%s", action, item_id, subject_ref(identity))
    return RedirectResponse(f"/items/{item_id}?done={action}", status_code=303)


@router.post("/items/{item_id}/approve")
def approve_item(request: Request, item_id: int, identity: Identity = Depends(require_identity)) -> Response:
    from jobs.review import approve

    services = request.app.state.services
    return _act(request, identity, item_id, "approve", lambda actor: approve(services.session_factory, item_id, actor, deliver=services.deliver))


@router.post("/items/{item_id}/edit-approve")
def edit_approve_item(request: Request, item_id: int, body: str = Form(..., max_length=60_000), identity: Identity = Depends(require_identity)) -> Response:
    from jobs.review import approve

    services = request.app.state.services
    return _act(
        request, identity, item_id, "edit-approve", lambda actor: approve(services.session_factory, item_id, actor, deliver=services.deliver, edited_text=body), body=body
    )


@router.post("/items/{item_id}/reject")
def reject_item(request: Request, item_id: int, reason: str = Form("", max_length=4000), identity: Identity = Depends(require_identity)) -> Response:
    from jobs.review import reject

    services = request.app.state.services
    return _act(request, identity, item_id, "reject", lambda actor: reject(services.session_factory, item_id, actor, reason))


@router.post("/items/{item_id}/assign")
def assign_item(request: Request, item_id: int, group: str = Form(..., max_length=100), identity: Identity = Depends(require_identity)) -> Response:
    from jobs.review import assign

    services = request.app.state.services
    return _act(request, identity, item_id, "assign", lambda actor: assign(services.session_factory, request.app.state.settings, item_id, group, actor))
