"""The tamper-evident audit chain.

Each event stores ``prev_hash`` (the previous event's ``hash``) and
``hash = sha256(prev_hash + canonical_json(seq, ts, correlation_id, item_id, event, actor, data))``
(HMAC-SHA256 with the key in ``DRAFTGUARD_AUDIT_KEY`` when it is set: see :func:`audit_key`)
(canonical JSON: sorted keys, no spaces, UTF-8). The single ``audit_head`` row holds
the last seq and hash; appends lock it (``SELECT ... FOR UPDATE`` on PostgreSQL,
SQLite serialises writers), so the chain never forks.

The head row also holds, written in the same transaction as every append:

- ``seal``: HMAC-SHA256(key, "seq:hash") of the last link (only with a key). Removing the
  last events and rewriting the head to an earlier link then shows, because the seal of the
  earlier link cannot be computed without the key.
- ``key_check``: HMAC-SHA256(key, a fixed label), or ``"none"`` for a chain written without a
  key. It tells a wrong (or missing) ``DRAFTGUARD_AUDIT_KEY`` apart from an edited chain.

:func:`verify` walks the chain in seq order and reports the first broken link: an
edited row (hash mismatch), a removed or reordered row (seq gap or prev_hash
mismatch), or a truncated tail (head disagrees with the last row, or the head's seal does
not match). Given a :class:`Checkpoint` (a signed copy of an earlier head kept outside the
database, see :mod:`storage.audit_checkpoint`) it also fails when the chain is shorter than the
checkpoint or differs from it at the checkpoint's seq (a wiped or rebuilt chain). Last, it
cross-checks the items: every item's recorded state needs the audit events that state implies
(:data:`STATE_EVENTS`), and every event's item must exist.

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

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from agent.errors import DraftguardError
from storage import outbox
from storage.models import AuditEvent, AuditHead, Item, ItemState

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
        "risk_assessed",  # ids, scores, signals and versions of the risk assessment (agent/risk.py), no text
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
        # issue 15, docs/release.md
        "shadowed",  # a shadow source's decision: nothing placed, nobody notified
        "shadow_outcome",  # a shadow draft compared with the reply a person sent (outcome, similarity)
        "variant_promoted",
        "variant_rolled_back",
        "variant_stopped",
        "variant_resumed",
        "variant_gate",  # an evaluation gate run against a variant (passed, gate, dataset, fingerprint)
    }
)

# Item state -> audit events of which at least one must exist for an item in that state.
# Every item also needs "ingested" (written in the transaction that creates the item).
# Source: the writers in agent/pipeline.py (_record_skip, _record_analysis, deliver_saved_draft),
# storage/repository.py (quarantine) and jobs/review.py (approve, reject, assign).
STATE_EVENTS: dict[str, tuple[str, ...]] = {
    ItemState.DRAFTED: ("delivered",),
    ItemState.ESCALATED: ("escalated", "reviewed"),
    ItemState.HELD: ("routed",),
    ItemState.ROUTED: ("routed",),
    ItemState.SKIPPED: ("skipped", "routed"),
    ItemState.QUARANTINED: ("quarantined",),
    ItemState.REJECTED: ("reviewed",),
    ItemState.SHADOW: ("shadowed",),
}
CROSS_CHECK_SHOWN = 5  # item ids named in a cross-check failure

AUDIT_KEY_ENV = "DRAFTGUARD_AUDIT_KEY"
UNKEYED = "none"  # key_check of a chain written without a key
_KEY_CHECK_LABEL = b"draftguard audit key check v1"
_FROM_ENV = object()


class AuditKeyError(DraftguardError):
    """``DRAFTGUARD_AUDIT_KEY`` is wrong, missing or set for a chain written without one.

    Raised by :func:`append` (nothing is recorded: a link under another key would break the
    chain for good)."""


def _canonical(seq: int, ts: str, correlation_id: str | None, item_id: int | None, event: str, actor: str, data: dict) -> bytes:
    body = {"seq": seq, "ts": ts, "correlation_id": correlation_id, "item_id": item_id, "event": event, "actor": actor, "data": data}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def audit_key() -> bytes | None:
    """The optional chain key from ``DRAFTGUARD_AUDIT_KEY`` (kept outside the database).

    Without it the chain detects edits, removals and reordering, but someone with write
    access to the database could recompute every hash after an edit. With it, each link is
    an HMAC-SHA256 (RFC 2104) that cannot be recomputed without the key. Set it before the
    first run and keep it: verify needs the same key."""
    key = os.environ.get(AUDIT_KEY_ENV)
    return key.encode("utf-8") if key else None


def key_check_value(key: bytes | None) -> str:
    """What ``audit_head.key_check`` and a checkpoint record about the key: HMAC-SHA256 of a
    fixed label under ``key`` (hex; reveals nothing about the key), or ``"none"`` without one."""
    return hmac.new(key, _KEY_CHECK_LABEL, hashlib.sha256).hexdigest() if key else UNKEYED


def head_seal(key: bytes, seq: int, hash_: str) -> str:
    """HMAC-SHA256 (hex) authenticating the head ``(seq, hash)`` under ``key``."""
    return hmac.new(key, f"draftguard audit head v1:{seq}:{hash_}".encode("ascii"), hashlib.sha256).hexdigest()


def event_hash(
    prev_hash: str, seq: int, ts: str, correlation_id: str | None, item_id: int | None, event: str, actor: str, data: dict, *, key=_FROM_ENV
) -> str:
    """Hex digest of ``prev_hash`` + the canonical event body: HMAC-SHA256 with the audit key
    (``key``, by default the one in ``DRAFTGUARD_AUDIT_KEY``) when there is one, plain sha256 otherwise."""
    body = prev_hash.encode("ascii") + _canonical(seq, ts, correlation_id, item_id, event, actor, data)
    if key is _FROM_ENV:
        key = audit_key()
    return hmac.new(key, body, hashlib.sha256).hexdigest() if key else hashlib.sha256(body).hexdigest()


def _row_hash(row: AuditEvent, key: bytes | None) -> str:
    return event_hash(row.prev_hash, row.seq, row.ts, row.correlation_id, row.item_id, row.event, row.actor, row.data, key=key)


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


def _key_mismatch(stored: str, key: bytes | None) -> str:
    """Why ``key`` does not fit a chain whose key check is ``stored`` (``"none"`` = no key)."""
    if key is None:
        return f"the audit chain was written with {AUDIT_KEY_ENV}, which is not set: set the same key"
    if stored == UNKEYED:  # never advise unsetting the key: a chain rebuilt without it looks the same
        return f"{AUDIT_KEY_ENV} is set, but the audit chain carries no key: it was started without one, or rebuilt without the key by someone who could write the database"
    return f"wrong {AUDIT_KEY_ENV}: the audit chain was written with a different key"


def _legacy_key_problem(session: Session, key: bytes | None) -> str | None:
    """For a chain without ``key_check`` (written before it existed): judge ``key`` by the first
    link. None when it fits (or there is nothing to judge by)."""
    first = session.get(AuditEvent, 1)
    if first is None or _row_hash(first, key) == first.hash:
        return None
    if key is not None and _row_hash(first, None) == first.hash:
        return _key_mismatch(UNKEYED, key)
    return _key_mismatch("keyed", key)


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

    Also updates the head's seal and key check, and, when events are enabled for the session,
    adds the event's outbox row (:func:`storage.outbox.record`) to the same transaction.
    Raises ValueError for an unknown event name or unsafe ``data``; :class:`AuditKeyError` when ``DRAFTGUARD_AUDIT_KEY`` does not fit the chain
    (wrong, missing, or set for a chain written without a key)."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    data = dict(data or {})
    _check_safe(data, "data")
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        raise DraftguardError("the audit_head row is missing (the audit chain was tampered with): run `main.py audit verify`")
    key = audit_key()
    expected = key_check_value(key)
    if head.key_check != expected:
        problem = _legacy_key_problem(session, key) if head.key_check is None else _key_mismatch(head.key_check, key)
        if problem:
            raise AuditKeyError(f"{problem}; nothing was recorded")
    seq = head.seq + 1
    ts = datetime.now(UTC).isoformat(timespec="microseconds")
    h = event_hash(head.hash, seq, ts, correlation_id, item_id, event, actor, data, key=key)
    row = AuditEvent(seq=seq, ts=ts, correlation_id=correlation_id, item_id=item_id, event=event, actor=actor, data=data, prev_hash=head.hash, hash=h)
    session.add(row)
    head.seq = seq
    head.hash = h
    head.seal = head_seal(key, seq, h) if key else None
    head.key_check = expected
    session.flush()
    outbox.record(session, row)  # the event for downstream systems, in this same transaction
    return row


@dataclass(frozen=True)
class Checkpoint:
    """A head recorded outside the database: the chain must reach ``seq`` with ``hash`` there.

    ``key_check`` is :func:`key_check_value` of the key that signed it (``"none"``: unsigned);
    ``name`` says where it came from (a file name), for messages."""

    seq: int
    hash: str
    created_at: str
    key_check: str
    name: str


@dataclass(frozen=True)
class VerifyResult:
    """``ok`` and, when not, what is wrong: ``problem`` (one line), ``broken_seq`` (the first
    broken seq when one can be named) and ``kind``: ``"link"`` (an event), ``"head"`` (the head
    row or its seal), ``"key"`` (``DRAFTGUARD_AUDIT_KEY`` does not fit: the chain was not judged),
    ``"checkpoint"`` (the chain is shorter than or differs from the checkpoint) or ``"items"``
    (an item's state lacks its events). ``checked`` = events read; ``checkpoint`` = the name of
    the checkpoint checked against, if any."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str | None = None
    kind: str | None = None
    checkpoint: str | None = None

    def message(self) -> str:
        """One line for people: what was verified, or what is wrong and where."""
        if self.ok:
            anchor = f"; consistent with checkpoint {self.checkpoint}" if self.checkpoint else "; no checkpoint to compare with"
            return f"audit chain OK: {self.checked} events verified{anchor}"
        if self.kind == "key":
            return f"{self.problem} (the chain was not checked)"
        if self.kind == "items":
            return f"audit chain does not match the items ({self.checked} events verified): {self.problem}"
        where = f" at seq={self.broken_seq}" if self.broken_seq is not None else ""
        return f"audit chain broken{where}: {self.problem} ({self.checked} events verified before it)"


def verify(session: Session, *, checkpoint: Checkpoint | None = None, batch: int = 5000) -> VerifyResult:
    """Check the key, every link, the head and its seal, the checkpoint (if given) and the items.

    Stops at the first problem. On PostgreSQL a fresh ``session`` reads one snapshot
    (REPEATABLE READ), so events appended meanwhile are not mistaken for a broken head."""
    if not session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    key = audit_key()
    cp_name = checkpoint.name if checkpoint else None

    def broken(kind: str, seq: int | None, problem: str, checked: int = 0) -> VerifyResult:
        return VerifyResult(False, checked, seq, problem, kind, cp_name)

    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one_or_none()
    if head is None:
        return broken("head", None, "the audit_head row is missing (deleted)")
    expected = key_check_value(key)
    if head.key_check not in (None, expected):
        first = session.get(AuditEvent, 1)
        key_confirmed = checkpoint is not None and checkpoint.key_check == expected
        if key_confirmed or (first is not None and _row_hash(first, key) == first.hash):
            return broken("head", None, "the head's key check does not match the key the links were written with (links rebuilt, or the key check edited)")
        if key is not None and head.key_check == UNKEYED:
            return broken("link", 1, _key_mismatch(UNKEYED, key))
        return broken("key", None, _key_mismatch(head.key_check, key))

    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    last_seq = 0
    hash_at_checkpoint = GENESIS if checkpoint and checkpoint.seq == 0 else None
    for row in _iter_events(session, batch):
        if row.seq < expected_seq:
            return broken("link", row.seq, f"unexpected event seq={row.seq} before seq={expected_seq} (inserted)", checked)
        if row.seq != expected_seq:
            return broken("link", expected_seq, f"event seq={expected_seq} is missing (next found is seq={row.seq})", checked)
        if row.prev_hash != prev_hash:
            return broken("link", row.seq, "prev_hash does not match the previous event (removed or reordered)", checked)
        if _row_hash(row, key) != row.hash:
            if row.seq == 1 and head.key_check is None and key is not None and _row_hash(row, None) == row.hash:
                return broken("link", 1, _key_mismatch(UNKEYED, key))
            return broken("link", row.seq, "content does not match its hash (edited)", checked)
        if checkpoint and row.seq == checkpoint.seq:
            hash_at_checkpoint = row.hash
        prev_hash = row.hash
        last_seq = row.seq
        expected_seq += 1
        checked += 1

    if checkpoint is not None:
        if checkpoint.seq > last_seq:
            return broken(
                "checkpoint", last_seq + 1,
                f"the chain ends at seq={last_seq} but checkpoint {checkpoint.name} ({checkpoint.created_at}) recorded seq={checkpoint.seq}: events were removed",
                checked,
            )
        if hash_at_checkpoint != checkpoint.hash:
            return broken(
                "checkpoint", checkpoint.seq,
                f"event seq={checkpoint.seq} differs from checkpoint {checkpoint.name} ({checkpoint.created_at}): the chain was rewritten",
                checked,
            )
    if head.seq != last_seq or head.hash != prev_hash:
        return broken("head", last_seq + 1, f"chain ends at seq={last_seq} but the head says seq={head.seq} (tail removed)", checked)
    if head.key_check is not None and head.seq == 0:
        return broken("head", 1, "the chain is empty, but its head shows that events were recorded (chain wiped)", checked)
    if key is not None and (head.seq > 0 or head.seal is not None):
        if head.seal is None:
            why = "removed" if head.key_check is not None else "removed, or the chain predates head seals: the next recorded event adds one"
            return broken("head", head.seq, f"the audit head (seq={head.seq}) has no seal ({why})", checked)
        if not hmac.compare_digest(head.seal, head_seal(key, head.seq, head.hash)):
            return broken("head", head.seq + 1, f"the audit head (seq={head.seq}) does not match its seal: events removed from the end and the head rewritten", checked)
    problem = cross_check_items(session)
    if problem:
        return broken("items", None, problem, checked)
    return VerifyResult(True, checked, checkpoint=cp_name)


def cross_check_items(session: Session) -> str | None:
    """None when every item has the audit events its state implies (:data:`STATE_EVENTS`, plus
    ``ingested`` for all) and every event's item exists; else one line naming up to
    :data:`CROSS_CHECK_SHOWN` items and the missing events."""
    rules: list[tuple[str | None, tuple[str, ...]]] = [(None, ("ingested",)), *STATE_EVENTS.items()]
    for state, events in rules:
        has_event = exists().where(and_(AuditEvent.item_id == Item.id, AuditEvent.event.in_(events)))
        q = select(Item.id, Item.state).where(~has_event).order_by(Item.id).limit(CROSS_CHECK_SHOWN)
        if state is not None:
            q = q.where(Item.state == state)
        missing = session.execute(q).all()
        if missing:
            ids = ", ".join(f"{i} ({s})" for i, s in missing)
            return f"items whose recorded state has no '{' or '.join(events)}' audit event (events removed): {ids}"
    orphans = session.execute(
        select(AuditEvent.item_id)
        .where(AuditEvent.item_id.is_not(None), ~exists().where(Item.id == AuditEvent.item_id))
        .distinct()
        .order_by(AuditEvent.item_id)
        .limit(CROSS_CHECK_SHOWN)
    ).scalars().all()
    if orphans:
        return f"audit events name items that are not in the items table (rows deleted): {', '.join(map(str, orphans))}"
    return None


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
