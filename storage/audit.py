"""The tamper-evident audit chain.

Each event stores ``prev_hash`` (the previous event's ``hash``) and
``hash = sha256(prev_hash + canonical_json(seq, ts, correlation_id, item_id, event, actor, data))``
(HMAC-SHA256 with the key in ``DRAFTGUARD_AUDIT_KEY`` when it is set: see :func:`audit_key`)
(canonical JSON: sorted keys, no spaces, UTF-8). The single ``audit_head`` row holds
the last seq and hash; appends lock it (``SELECT ... FOR UPDATE`` on PostgreSQL,
SQLite serialises writers), so the chain never forks.

:func:`verify` walks the chain in seq order and reports the first broken link: an
edited row (hash mismatch), a removed or reordered row (seq gap or prev_hash
mismatch), or a truncated tail (head disagrees with the last row).

Only ids, hashes, counts and versions go in ``data``: :func:`append` refuses long
strings so that a message body can never slip in by mistake.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AuditEvent, AuditHead

GENESIS = "0" * 64
MAX_AUDIT_STRING = 200  # characters; longer values look like content, not ids
EVENTS = frozenset(
    {
        "ingested",
        "source_paused",  # a source refused work for a while (agent/pipeline.py, agent/pause.py)
        "source_resumed",
        "skipped",
        "redacted",
        "prompted",
        "drafted",
        "checked",
        "routed",
        "delivered",
        "escalated",
        "notified",
        "quarantined",
        "released",
        "reviewed",
        "case_actions",
        "purged",
        "outcome",
    }
)


def _canonical(seq: int, ts: str, correlation_id: str | None, item_id: int | None, event: str, actor: str, data: dict) -> bytes:
    body = {"seq": seq, "ts": ts, "correlation_id": correlation_id, "item_id": item_id, "event": event, "actor": actor, "data": data}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


AUDIT_KEY_ENV = "DRAFTGUARD_AUDIT_KEY"


def audit_key() -> bytes | None:
    """The optional chain key from ``DRAFTGUARD_AUDIT_KEY`` (kept outside the database).

    Without it the chain detects edits, removals and reordering, but someone with write
    access to the database could recompute every hash after an edit. With it, each link is
    an HMAC-SHA256 (RFC 2104) that cannot be recomputed without the key. Set it before the
    first run and keep it: verify needs the same key."""
    key = os.environ.get(AUDIT_KEY_ENV)
    return key.encode("utf-8") if key else None


def event_hash(prev_hash: str, seq: int, ts: str, correlation_id: str | None, item_id: int | None, event: str, actor: str, data: dict) -> str:
    """Hex digest of ``prev_hash`` + the canonical event body: HMAC-SHA256 with the audit key
    when one is set, plain sha256 otherwise."""
    body = prev_hash.encode("ascii") + _canonical(seq, ts, correlation_id, item_id, event, actor, data)
    key = audit_key()
    return hmac.new(key, body, hashlib.sha256).hexdigest() if key else hashlib.sha256(body).hexdigest()


def _check_safe(value: object, path: str) -> None:
    if isinstance(value, str):
        if len(value) > MAX_AUDIT_STRING:
            raise ValueError(f"audit data {path}: string of {len(value)} chars refused (ids, hashes, counts only)")
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_safe(v, f"{path}.{k}")
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _check_safe(v, f"{path}[{i}]")
    elif value is not None and not isinstance(value, bool | int | float):
        raise ValueError(f"audit data {path}: type {type(value).__name__} not allowed")


def append(
    session: Session,
    event: str,
    *,
    correlation_id: str | None,
    item_id: int | None = None,
    actor: str = "draftguard",
    data: dict | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (committed with the change it records).

    Raises ValueError for an unknown event name or unsafe ``data``."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    data = dict(data or {})
    _check_safe(data, "data")
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
    seq = head.seq + 1
    ts = datetime.now(UTC).isoformat(timespec="microseconds")
    h = event_hash(head.hash, seq, ts, correlation_id, item_id, event, actor, data)
    row = AuditEvent(seq=seq, ts=ts, correlation_id=correlation_id, item_id=item_id, event=event, actor=actor, data=data, prev_hash=head.hash, hash=h)
    session.add(row)
    head.seq = seq
    head.hash = h
    session.flush()
    return row


@dataclass(frozen=True)
class VerifyResult:
    """``ok`` and, when not, the first broken ``seq`` and what is wrong; ``checked`` = events read."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str | None = None


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Check every link of the chain; stops at the first broken one."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    last_seq = 0
    for row in _iter_events(session, batch):
        if row.seq < expected_seq:
            return VerifyResult(False, checked, row.seq, f"unexpected event seq={row.seq} before seq={expected_seq} (inserted)")
        if row.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"event seq={expected_seq} is missing (next found is seq={row.seq})")
        if row.prev_hash != prev_hash:
            return VerifyResult(False, checked, row.seq, "prev_hash does not match the previous event (removed or reordered)")
        h = event_hash(row.prev_hash, row.seq, row.ts, row.correlation_id, row.item_id, row.event, row.actor, row.data)
        if h != row.hash:
            return VerifyResult(False, checked, row.seq, "content does not match its hash (edited)")
        prev_hash = row.hash
        last_seq = row.seq
        expected_seq += 1
        checked += 1
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    if head.seq != last_seq or head.hash != prev_hash:
        return VerifyResult(False, checked, last_seq + 1, f"chain ends at seq={last_seq} but the head says seq={head.seq} (tail removed)")
    return VerifyResult(True, checked)


def _iter_events(session: Session, batch: int) -> Iterator[AuditEvent]:
    """Every row in seq order, whatever its seq (a forged row with seq <= 0 is read too)."""
    after: int | None = None
    while True:
        q = select(AuditEvent).order_by(AuditEvent.seq).limit(batch)
        if after is not None:
            q = q.where(AuditEvent.seq > after)
        rows = session.execute(q).scalars().all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seq


def export(session: Session, since: datetime | None = None) -> Iterator[dict]:
    """Events (as dicts, seq order) with ``ts >= since`` for JSON Lines export."""
    since_s = since.astimezone(UTC).isoformat(timespec="microseconds") if since else ""
    for row in _iter_events(session, 5000):
        if row.ts >= since_s:
            yield {
                "seq": row.seq,
                "ts": row.ts,
                "correlation_id": row.correlation_id,
                "item_id": row.item_id,
                "event": row.event,
                "actor": row.actor,
                "data": row.data,
                "prev_hash": row.prev_hash,
                "hash": row.hash,
            }
