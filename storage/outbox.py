"""The transactional outbox: CloudEvents for downstream systems, written with the change they report.

:func:`record` is called by :func:`storage.audit.append` for every audit event, in the same
session: the audit events that report an item's state change (plus ``drafted`` and ``checked``)
become one ``outbox`` row each (:class:`storage.models.OutboxEvent`), committed or rolled back
with the change. The events relay (:mod:`jobs.events_relay`) publishes the rows later. Rows are
written only when the session factory was opened with events enabled (:func:`enable`, done by
:func:`storage.db.open_database` from ``[events]``): with events disabled nothing is written.

Mapping (audit event → CloudEvent type, ``com.draftguard.`` + name + ``.v1``; docs/events.md):

========================  =================================================
audit event               CloudEvent type name
========================  =================================================
ingested                  ``item.ingested``
skipped                   ``item.skipped`` (skip rules, ``drafting = false``)
drafted                   ``item.drafted``
checked                   ``item.checked``
routed, action draft      ``item.routed`` (the draft is to be placed)
routed, action skip       ``item.skipped`` (by a routing rule)
routed, action hold       ``item.held``
routed, action escalate   none: the ``escalated`` event of the same transaction reports it
escalated                 ``item.escalated``
reviewed (approve|reject|assign)  ``item.reviewed.approved|rejected|assigned``
delivered                 ``item.delivered``
quarantined               ``item.quarantined``
released                  ``item.released``
========================  =================================================

``data`` holds only allow-listed keys of the audit event's data (:data:`DATA_KEYS`: ids,
hashes, counts, rule ids, group names, versions), the item id, the audit seq and who acted
(``draftguard`` or ``reviewer``; never a name). Values the audit data never holds for a
type (a delivery target naming a mailbox, a reviewer's reason) are never copied.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import AuditEvent, Item, OutboxEvent

TYPE_PREFIX = "com.draftguard."
TYPE_VERSION = "v1"
#: key in ``Session.info`` holding the ``source`` prefix (``/draftguard/<instance>``) when events are on
INFO_KEY = "draftguard_events_source"
ACTOR_SYSTEM = "draftguard"

#: CloudEvent type name (without prefix and version) → the audit data keys copied into ``data``
DATA_KEYS: dict[str, tuple[str, ...]] = {
    "item.ingested": ("source", "size_bytes", "attachments", "thread_messages", "parse_error", "waiting"),
    "item.skipped": ("rule", "rule_id", "before_draft", "before_delivery", "rerouted_from"),
    "item.drafted": (
        "draft_id", "provider", "model", "prompt_template_id", "prompt_sha256", "prompt_tokens",
        "completion_tokens", "latency_ms", "fallback_used", "intent", "body_sha256",
    ),
    "item.checked": ("pack", "pack_version", "findings"),
    "item.routed": ("rule_id", "action", "group", "before_draft", "before_delivery", "rerouted_from"),
    "item.held": ("rule_id", "group", "before_draft", "before_delivery", "rerouted_from"),
    "item.escalated": ("review_task_id", "group", "rule_id"),
    "item.reviewed.approved": ("review_task_id", "state"),
    "item.reviewed.rejected": ("review_task_id", "reason_sha256", "reason_chars"),
    "item.reviewed.assigned": ("review_task_id", "from_group", "to_group"),
    "item.delivered": ("draft_id", "idempotency_key", "created"),
    "item.quarantined": ("stage", "error_type", "attempts"),
    "item.released": ("stage", "state"),
}
_DIRECT = {
    "ingested": "item.ingested",
    "skipped": "item.skipped",
    "drafted": "item.drafted",
    "checked": "item.checked",
    "escalated": "item.escalated",
    "delivered": "item.delivered",
    "quarantined": "item.quarantined",
    "released": "item.released",
}
_ROUTED = {"draft": "item.routed", "skip": "item.skipped", "hold": "item.held"}
_REVIEWED = {"approve": "item.reviewed.approved", "reject": "item.reviewed.rejected", "assign": "item.reviewed.assigned"}


def full_type(name: str) -> str:
    """``item.drafted`` → ``com.draftguard.item.drafted.v1``."""
    return f"{TYPE_PREFIX}{name}.{TYPE_VERSION}"


#: every CloudEvent type draftguard publishes
EVENT_TYPES: tuple[str, ...] = tuple(full_type(n) for n in DATA_KEYS)


def type_name(event: str, data: dict) -> str | None:
    """The CloudEvent type name (``item.held``) for an audit ``event`` with ``data``, or None
    when the audit event is not published (see the module table)."""
    if event in _DIRECT:
        return _DIRECT[event]
    if event == "routed":
        return _ROUTED.get(str(data.get("action")))
    if event == "reviewed":
        return _REVIEWED.get(str(data.get("action")))
    return None


def event_data(name: str, row: AuditEvent) -> dict:
    """The CloudEvent ``data`` of type ``name`` for audit ``row``: the allow-listed keys present
    in its data, then ``item_id``, ``audit_seq`` and ``actor`` (``draftguard`` or ``reviewer``)."""
    src = row.data or {}
    data = {k: src[k] for k in DATA_KEYS[name] if k in src}
    if name == "item.skipped" and "rule" not in data and "rule_id" in data:
        data["rule"] = f"routing:{data['rule_id']}"  # one key for "which rule skipped it", whoever decided
    data.update(item_id=row.item_id, audit_seq=row.seq, actor=ACTOR_SYSTEM if row.actor == ACTOR_SYSTEM else "reviewer")
    return data


def enable(session_factory: sessionmaker[Session], source_prefix: str | None) -> None:
    """Make sessions of ``session_factory`` write outbox rows with ``source`` =
    ``source_prefix`` + ``/`` + the item's source name; None turns writing off."""
    info = dict(session_factory.kw.get("info") or {})
    if source_prefix:
        info[INFO_KEY] = source_prefix.rstrip("/")
    else:
        info.pop(INFO_KEY, None)
    session_factory.configure(info=info)


def record(session: Session, row: AuditEvent) -> OutboxEvent | None:
    """Add the outbox row for audit ``row`` to ``session`` (same transaction), or None when
    events are off for this session, the event is not published, or it names no item."""
    prefix = session.info.get(INFO_KEY)
    if not prefix or row.item_id is None:
        return None
    name = type_name(row.event, row.data or {})
    if name is None:
        return None
    item = session.get(Item, row.item_id)
    if item is None:  # an audit event for an item that does not exist: nothing to report
        return None
    out = OutboxEvent(
        id=str(uuid.uuid4()),
        audit_seq=row.seq,
        type=full_type(name),
        source=f"{prefix}/{item.source}",
        subject=str(item.id),
        time=datetime.fromisoformat(row.ts),
        data=event_data(name, row),
        correlation_id=row.correlation_id or item.correlation_id,
        attempts=0,
    )
    session.add(out)
    return out


# ---------------------------------------------------------------------------- relay side
def unpublished(session: Session, limit: int, *, lock: bool = False) -> Sequence[OutboxEvent]:
    """Up to ``limit`` unpublished rows in audit order. ``lock`` (PostgreSQL): ``FOR UPDATE
    SKIP LOCKED``, so a row another relay's transaction holds is left to it."""
    q = select(OutboxEvent).where(OutboxEvent.published_at.is_(None)).order_by(OutboxEvent.audit_seq).limit(limit)
    if lock:
        q = q.with_for_update(skip_locked=True)
    return session.execute(q).scalars().all()


def pending_count(session: Session) -> int:
    """How many rows wait for the relay."""
    return session.execute(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.published_at.is_(None))).scalar_one()


def purge_published(session: Session, keep_days: int, now: datetime | None = None) -> int:
    """Delete rows published more than ``keep_days`` days before ``now``; returns how many."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=keep_days)
    return session.execute(
        delete(OutboxEvent).where(OutboxEvent.published_at.is_not(None), OutboxEvent.published_at < cutoff).execution_options(synchronize_session=False)
    ).rowcount
