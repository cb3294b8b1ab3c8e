"""Authorisation, checked on the server for every read and every action.

* anonymous → :class:`SignInRequired` (the app answers with a redirect to the sign-in page);
* a reviewer reads and acts on the items whose review group (the open/latest review task's
  group, else the routing decision's group) is one of its reviewer groups;
* an auditor reads any item and acts on none;
* anything else → HTTP 403, logged as ``console: forbidden`` with the method, path, a hash of
  the subject and the reason (no names, no e-mail addresses, no client text).
"""

from __future__ import annotations

import hashlib
import logging

from fastapi import HTTPException, Request
from sqlalchemy import select

from console.identity import Identity
from console.session import current_identity
from storage.models import Decision, Item, ReviewTask

log = logging.getLogger("draftguard.console")


class SignInRequired(Exception):
    """No (valid) session: the request is answered with the sign-in page."""


def subject_ref(identity: Identity | None) -> str:
    """A short, non-reversible reference to a person for logs (sha256 of the subject, 12 hex)."""
    if identity is None:
        return "anonymous"
    return hashlib.sha256(identity.subject.encode()).hexdigest()[:12]


def forbid(request: Request, identity: Identity | None, reason: str) -> HTTPException:
    """Log a refused request and return the 403 to raise. ``reason`` must hold no personal data."""
    log.warning(
        "console: forbidden %s %s subject=%s reason=%s",
        request.method,
        request.url.path,
        subject_ref(identity),
        reason,
    )
    return HTTPException(status_code=403, detail="You do not have access to this page or action.")


def require_identity(request: Request) -> Identity:
    """FastAPI dependency: the signed-in identity, else :class:`SignInRequired`; a signed-in
    person with no role at all gets 403."""
    identity = current_identity(request)
    if identity is None:
        raise SignInRequired()
    if not (identity.is_reviewer or identity.is_auditor):
        raise forbid(request, identity, "no console role")
    return identity


def item_group(session, item_id: int) -> tuple[bool, str | None]:
    """``(exists, group)``: the reviewer group an item belongs to (latest review task's group,
    else the latest routing decision's group; None when it has neither)."""
    if session.get(Item, item_id) is None:
        return False, None
    group = session.execute(
        select(ReviewTask.group).where(ReviewTask.item_id == item_id).order_by(ReviewTask.id.desc()).limit(1)
    ).scalar_one_or_none()
    if group is None:
        group = session.execute(
            select(Decision.group).where(Decision.item_id == item_id).order_by(Decision.id.desc()).limit(1)
        ).scalar_one_or_none()
    return True, group


def can_read(identity: Identity, group: str | None) -> bool:
    """An auditor reads any item; a reviewer the items of its groups."""
    return identity.is_auditor or (identity.is_reviewer and group is not None and group in identity.groups)


def can_act(identity: Identity, group: str | None) -> bool:
    """Only a reviewer of the item's group acts on it (an auditor never does)."""
    return identity.is_reviewer and group is not None and group in identity.groups


def authorise_item(request: Request, identity: Identity, item_id: int, *, act: bool) -> str | None:
    """Check ``identity`` may read (``act`` False) or act on (``act`` True) item ``item_id``;
    returns the item's group. Raises 404 for an unknown item (to a person with any access to
    items; reviewers get 403 instead, so ids do not leak which items exist) and a logged 403
    when not allowed."""
    sf = request.app.state.services.session_factory
    with sf() as s:
        exists, group = item_group(s, item_id)
    if not exists:
        if identity.is_auditor:
            raise HTTPException(status_code=404, detail=f"No item {item_id}.")
        raise forbid(request, identity, "unknown item")
    if act and not can_act(identity, group):
        raise forbid(request, identity, "read-only role" if not identity.is_reviewer else "item of another group")
    if not act and not can_read(identity, group):
        raise forbid(request, identity, "item of another group")
    return group
