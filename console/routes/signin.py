"""Sign-in page, ``--local-login`` sign-in, logout.

``GET /login`` shows the sign-in links of ``app.state.sign_in_links`` (the OIDC sign-in adds
its own) and, with ``--local-login``, one button per local identity
(:func:`local_identities`). ``POST /login/local`` (CSRF-checked) signs in as one of them;
``POST /logout`` ends the session. ``next`` is followed only when it is a local path.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from agent.config import Settings
from console.identity import AUDITOR, REVIEWER, Identity
from console.session import current_identity, sign_in, sign_out

log = logging.getLogger("draftguard.console")
router = APIRouter()


def safe_next(value: str | None) -> str:
    """``value`` when it is a path on this site (``/...``, not ``//`` or ``/\\``), else ``/queue``."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")) and "\\" not in value and all(c.isprintable() for c in value):
        return value
    return "/queue"


def local_identities(settings: Settings) -> list[Identity]:
    """The identities ``--local-login`` offers: ``[[console.local_users]]``, or else one
    reviewer per ``[[reviewer_groups]]`` entry and one auditor."""
    users = settings.console.local_users
    if users:
        out = []
        for u in users:
            roles = ((REVIEWER,) if u.groups else ()) + ((AUDITOR,) if u.auditor else ())
            out.append(Identity(subject=f"local:{u.name}", name=u.name, email=None, groups=tuple(u.groups), roles=roles, provider="local"))
        return out
    out = [
        Identity(subject=f"local:reviewer-{g.name}", name=f"Reviewer ({g.name})", email=None, groups=(g.name,), roles=(REVIEWER,), provider="local")
        for g in settings.reviewer_groups
    ]
    out.append(Identity(subject="local:auditor", name="Auditor", email=None, groups=(), roles=(AUDITOR,), provider="local"))
    return out


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    from console.app import render

    users = local_identities(request.app.state.settings) if request.app.state.local_login else []
    return render(
        request,
        "login.html",
        {"next": safe_next(next), "local_users": users, "links": request.app.state.sign_in_links, "already": current_identity(request)},
    )


@router.post("/login/local")
def login_local(request: Request, subject: str = Form(...), next: str = Form("/queue")) -> Response:
    if not request.app.state.local_login:
        raise HTTPException(status_code=404, detail="Local sign-in is off (start the console with --local-login).")
    for identity in local_identities(request.app.state.settings):
        if identity.subject == subject:
            sign_in(request, identity)
            log.info("console: local sign-in (%s)", identity.provider)
            return RedirectResponse(safe_next(next), status_code=303)
    raise HTTPException(status_code=400, detail="No such local identity.")


@router.post("/logout")
def logout(request: Request) -> Response:
    sign_out(request)
    return RedirectResponse("/login", status_code=303)
