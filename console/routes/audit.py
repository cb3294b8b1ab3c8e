"""Auditor pages (the read-only ``auditor`` role only; anyone else gets a logged 403, and nobody
can act from here: every route is a GET):

* ``GET /audit``                   the audit chain's ``audit verify`` result (links, head seal,
  latest checkpoint in ``[audit] checkpoint_dir``, items against their events:
  :func:`storage.audit.verify`), the export form, an item look-up and the latest items;
* ``GET /audit/items/{id}``        one item's history: every audit event (seq, time, event, actor,
  data, hash), its routing decisions and review tasks (any item, any group);
* ``GET /audit/export?since=&until=``  the audit export of ``main.py audit export`` for a date
  range (:func:`storage.audit_export.export_lines`), as a JSON Lines download. Dates are ISO
  (``2026-11-01``: from its midnight UTC; ``until`` = that whole day), both optional.

A download is logged (who as a hash of the subject, the range and the count), never its content.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from sqlalchemy import select

from console.authz import forbid, require_identity, subject_ref
from console.identity import Identity
from storage.models import AuditEvent, Decision, Item, ReviewTask

log = logging.getLogger("draftguard.console")
router = APIRouter()

RECENT_ITEMS = 50


def require_auditor(request: Request, identity: Identity = Depends(require_identity)) -> Identity:
    """FastAPI dependency: the signed-in auditor; a reviewer without the auditor role gets a logged 403."""
    if not identity.is_auditor:
        raise forbid(request, identity, "auditor page")
    return identity


def verify_chain(settings, session_factory):
    """``(ok, message, kind)`` of :func:`storage.audit.verify` against the latest checkpoint in
    ``[audit] checkpoint_dir`` (as ``main.py audit verify``)."""
    from storage import audit, audit_checkpoint

    folder = settings.resolve(settings.audit.checkpoint_dir) if settings.audit.checkpoint_dir else None
    try:
        cp = audit_checkpoint.find(folder)
    except audit_checkpoint.CheckpointError as exc:
        return False, str(exc), "checkpoint"
    with session_factory() as s:
        result = audit.verify(s, checkpoint=cp)
    return result.ok, result.message(), result.kind


@router.get("/audit")
def audit_home(request: Request, identity: Identity = Depends(require_auditor)) -> Response:
    from console.app import render

    services = request.app.state.services
    ok, message, kind = verify_chain(request.app.state.settings, services.session_factory)
    with services.session_factory() as s:
        recent = s.execute(select(Item.id, Item.source, Item.state, Item.created_at).order_by(Item.id.desc()).limit(RECENT_ITEMS)).all()
    today = datetime.now(UTC).date()
    return render(
        request,
        "audit.html",
        {
            "verify_ok": ok,
            "verify_message": message,
            "verify_kind": kind,
            "recent": recent,
            "default_since": (today - timedelta(days=30)).isoformat(),
            "default_until": today.isoformat(),
        },
    )


@router.get("/audit/item")
def audit_lookup(request: Request, id: str = "", identity: Identity = Depends(require_auditor)) -> Response:
    """The item look-up form: ``?id=N`` → ``/audit/items/N``."""
    if not id.strip().isdigit():
        raise HTTPException(status_code=400, detail="Give an item id (a number).")
    return RedirectResponse(f"/audit/items/{int(id)}", status_code=303)


@router.get("/audit/items/{item_id}")
def audit_item(request: Request, item_id: int, identity: Identity = Depends(require_auditor)) -> Response:
    from console.app import render

    with request.app.state.services.session_factory() as s:
        item = s.get(Item, item_id)
        if item is None:
            raise HTTPException(status_code=404, detail=f"No item {item_id}.")
        events = s.execute(select(AuditEvent).where(AuditEvent.item_id == item_id).order_by(AuditEvent.seq)).scalars().all()
        decisions = s.execute(select(Decision).where(Decision.item_id == item_id).order_by(Decision.id)).scalars().all()
        tasks = s.execute(select(ReviewTask).where(ReviewTask.item_id == item_id).order_by(ReviewTask.id)).scalars().all()
        rows = [
            {"seq": e.seq, "ts": e.ts, "event": e.event, "actor": e.actor, "data": json.dumps(e.data, sort_keys=True, ensure_ascii=False), "hash": e.hash}
            for e in events
        ]
        ctx = {
            "item": {"id": item.id, "source": item.source, "state": item.state, "created_at": item.created_at, "attempts": item.attempts, "correlation_id": item.correlation_id},
            "events": rows,
            "decisions": [{"action": d.action, "rule_id": d.rule_id, "group": d.group, "created_at": d.created_at} for d in decisions],
            "tasks": [
                {"id": t.id, "group": t.group, "rule_id": t.rule_id, "status": t.status, "reviewer": t.reviewer, "reason": t.reason,
                 "created_at": t.created_at, "resolved_at": t.resolved_at}
                for t in tasks
            ],
        }
    return render(request, "audit_item.html", ctx)


@router.get("/audit/export")
def audit_export(request: Request, since: str = "", until: str = "", identity: Identity = Depends(require_auditor)) -> Response:
    from storage.audit_export import ExportRangeError, export_lines, parse_when

    try:
        since_dt = parse_when(since, "since")
        until_dt = parse_when(until, "until", end_of_day=True)
        if since_dt and until_dt and until_dt <= since_dt:
            raise ExportRangeError("until must be after since")
    except ExportRangeError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    sf = request.app.state.services.session_factory
    who = subject_ref(identity)

    def lines():
        n = 0
        with sf() as s:
            for line in export_lines(s, since_dt, until_dt):
                n += 1
                yield line.encode("utf-8")
        log.info("console: audit export downloaded: subject=%s since=%s until=%s events=%d", who, since or "-", until or "-", n)

    name = f"draftguard-audit-{since or 'start'}-{until or 'now'}.jsonl"
    return StreamingResponse(
        lines(), media_type="application/x-ndjson", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
