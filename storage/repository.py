"""Repositories over one SQLAlchemy session, and the unit of work that owns the transaction.

Usage::

    with UnitOfWork(session_factory) as uow:
        item = uow.claim_item(message)
        ...
        uow.commit()          # leaving without commit rolls back

Every state change is written together with its audit event, in one transaction.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from agent.error_text import error_text
from agent.models import InboundMessage
from agent.ports import CursorStore
from storage import audit
from storage.models import (
    Cursor,
    Decision,
    Delivery,
    Draft,
    Item,
    ItemState,
    KeyValue,
    QuarantineEntry,
    ReviewTask,
    SourceState,
    utcnow,
)


def fit(value: str | None, limit: int) -> str | None:
    """``value`` cut to ``limit`` characters; a cut value ends in a hash of the whole, so two
    long values that share a prefix stay distinct (for header values such as Message-ID)."""
    if value is None or len(value) <= limit:
        return value
    return value[: limit - 33] + "~" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:32]


def aware(dt: datetime) -> datetime:
    """``dt`` as an aware UTC datetime (SQLite returns stored times without their zone)."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


class UnitOfWork:
    """A transaction plus the repository methods the pipeline and CLI use."""

    def __init__(self, session_factory: sessionmaker[Session]):
        self._factory = session_factory
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        return self

    def __exit__(self, *exc) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        self.session.commit()

    # --- items -----------------------------------------------------------------
    def claim_item(self, msg: InboundMessage) -> tuple[Item, bool]:
        """Get or create the item for ``(msg.source, msg.external_id)``.

        Returns ``(item, is_new)``. Flushes; a concurrent insert of the same key
        raises IntegrityError, which the caller treats as "already claimed"."""
        item = self.get_item(msg.source, msg.external_id)
        if item is not None:
            return item, False
        item = Item(
            source=msg.source,
            external_id=msg.external_id,
            internet_message_id=fit(msg.internet_message_id, 998),
            thread_key=fit(msg.thread_key, 998),
            correlation_id=str(uuid.uuid4()),
            state=ItemState.NEW,
            received_at=msg.received_at,
        )
        self.session.add(item)
        self.session.flush()
        return item, True

    def claim_bad_item(self, source: str, external_id: str) -> tuple[Item, bool]:
        """Get or create an item for a source entry that could not be parsed."""
        item = self.get_item(source, external_id)
        if item is not None:
            return item, False
        item = Item(source=source, external_id=external_id, correlation_id=str(uuid.uuid4()), state=ItemState.NEW)
        self.session.add(item)
        self.session.flush()
        return item, True

    def get_item(self, source: str, external_id: str) -> Item | None:
        return self.session.execute(select(Item).where(Item.source == source, Item.external_id == external_id)).scalar_one_or_none()

    def item(self, item_id: int) -> Item:
        """The item with id ``item_id``; raises KeyError if there is none."""
        item = self.session.get(Item, item_id)
        if item is None:
            raise KeyError(f"no item with id {item_id}")
        return item

    def known_external_ids(self, source: str) -> set[str]:
        """All external ids already recorded for ``source`` (for sources without a cursor)."""
        return set(self.session.execute(select(Item.external_id).where(Item.source == source)).scalars())

    def set_state(self, item: Item, state: str, *, error: str | None = None) -> None:
        item.state = state
        if error is not None:
            item.last_error = error_text(error)

    def quarantine(self, item: Item, stage: str, exc: BaseException | str, attempts: int) -> QuarantineEntry:
        """Move the item to quarantine with its error; records the audit event too.

        The stored error is :func:`agent.error_text.error_text` of ``exc``: one line, no SQL
        parameters, no row contents, no control characters."""
        error_type = type(exc).__name__ if isinstance(exc, BaseException) else "BadItem"
        message = error_text(exc)
        entry = QuarantineEntry(item_id=item.id, stage=stage, error_type=error_type, error=message, attempts=attempts)
        self.session.add(entry)
        # An escalation whose follow-up failed is not reviewable while quarantined: close its
        # task so reminders stop; a release re-runs the item and opens a fresh one.
        self.session.execute(
            update(ReviewTask)
            .where(ReviewTask.item_id == item.id, ReviewTask.status == "open")
            .values(status="cancelled", reason=f"item quarantined at stage {stage}", resolved_at=utcnow())
        )
        item.state = ItemState.QUARANTINED
        item.last_error = message
        item.attempts = attempts
        self.session.flush()
        self.audit("quarantined", item, {"stage": stage, "error_type": error_type, "attempts": attempts})
        return entry

    def audit(self, event: str, item: Item | None, data: dict | None = None, actor: str = "draftguard") -> None:
        """Append an audit event for ``item`` in this transaction (with its outbox row when events
        are enabled: :func:`storage.audit.append`, :mod:`storage.outbox`)."""
        audit.append(
            self.session,
            event,
            correlation_id=item.correlation_id if item else None,
            item_id=item.id if item else None,
            actor=actor,
            data=data,
        )

    # --- source pauses -------------------------------------------------------------
    def source_pause(self, source: str, now: datetime | None = None) -> SourceState | None:
        """The pause row of ``source`` while its ``paused_until`` lies after ``now`` (default: the
        current UTC time), else None. ``paused_until`` is returned timezone-aware (UTC)."""
        row = self.session.get(SourceState, source)
        if row is None or row.paused_until is None:
            return None
        until = aware(row.paused_until)
        if until <= (now or datetime.now(UTC)):
            return None
        row.paused_until = until
        return row

    def pause_source(self, source: str, until: datetime, reason: str) -> SourceState:
        """Pause ``source`` until ``until`` (aware) with ``reason`` (cut to 500 characters).

        A pause already in force that ends later is kept (two refusals never shorten a pause).
        Flushes; the caller commits."""
        row = self.session.get(SourceState, source)
        if row is None:
            row = SourceState(source=source)
            self.session.add(row)
        current = aware(row.paused_until) if row.paused_until else None
        if current is None or current <= datetime.now(UTC) or current < until:
            row.paused_until = until
            row.pause_reason = reason[:500]
            row.paused_at = utcnow()
        self.session.flush()
        return row

    def lift_pause(self, source: str) -> bool:
        """Clear an ended pause of ``source``; True when there was one to clear."""
        row = self.session.get(SourceState, source)
        if row is None or row.paused_until is None:
            return False
        row.paused_until = None
        self.session.flush()
        return True

    def source_pauses(self, now: datetime | None = None) -> list[SourceState]:
        """Every pause in force at ``now`` (default: the current UTC time), by source name."""
        rows = self.session.execute(select(SourceState).where(SourceState.paused_until.is_not(None)).order_by(SourceState.source)).scalars()
        now = now or datetime.now(UTC)
        out = []
        for row in rows:
            row.paused_until = aware(row.paused_until)
            if row.paused_until > now:
                out.append(row)
        return out

    def pending_counts(self, source: str | None = None) -> dict[str, int]:
        """Items not finished yet (``new``, ``processing``, ``routed``) per source."""
        q = select(Item.source, func.count()).where(Item.state.in_((ItemState.NEW, ItemState.PROCESSING, ItemState.ROUTED))).group_by(Item.source)
        if source:
            q = q.where(Item.source == source)
        return {src: n for src, n in self.session.execute(q)}

    # --- deliveries --------------------------------------------------------------
    def delivery_by_key(self, key: str) -> Delivery | None:
        return self.session.execute(select(Delivery).where(Delivery.idempotency_key == key)).scalar_one_or_none()

    # --- reporting -----------------------------------------------------------------
    def counts_by_state(self, source: str | None = None) -> dict[str, int]:
        q = select(Item.state, func.count()).group_by(Item.state)
        if source:
            q = q.where(Item.source == source)
        return {state: n for state, n in self.session.execute(q)}

    def open_quarantine(self) -> Sequence[tuple[QuarantineEntry, Item]]:
        q = (
            select(QuarantineEntry, Item)
            .join(Item, Item.id == QuarantineEntry.item_id)
            .where(QuarantineEntry.released_at.is_(None))
            .order_by(QuarantineEntry.id)
        )
        return [(q_, i) for q_, i in self.session.execute(q)]

    def release_quarantine(self, item_id: int) -> str:
        """Release a quarantined item for another try; returns its new state.

        Items quarantined while delivering go back to ``routed`` (the saved draft is
        delivered again); others start over as ``new``. Raises KeyError when the item
        is not in quarantine."""
        item = self.session.get(Item, item_id)
        if item is None or item.state != ItemState.QUARANTINED:
            raise KeyError(f"item {item_id} is not quarantined")
        entries = self.session.execute(
            select(QuarantineEntry).where(QuarantineEntry.item_id == item_id, QuarantineEntry.released_at.is_(None))
        ).scalars().all()
        stage = entries[-1].stage if entries else "unknown"
        for e in entries:
            e.released_at = utcnow()
        item.state = ItemState.ROUTED if self._awaits_delivery(item_id) else ItemState.NEW
        item.attempts = 0
        self.audit("released", item, {"stage": stage, "state": item.state})
        return item.state

    def _awaits_delivery(self, item_id: int) -> bool:
        """True when the item's latest decision was "draft", its draft is saved, and nothing was delivered."""
        decision = self.session.execute(
            select(Decision.action).where(Decision.item_id == item_id).order_by(Decision.id.desc()).limit(1)
        ).scalar_one_or_none()
        has_draft = self.session.execute(select(func.count()).select_from(Draft).where(Draft.item_id == item_id)).scalar()
        delivered = self.session.execute(select(func.count()).select_from(Delivery).where(Delivery.item_id == item_id)).scalar()
        return decision == "draft" and bool(has_draft) and not delivered

    def outcome_counts(self) -> dict[str, int]:
        """Deliveries per tracked outcome (sent, edited_sent, deleted, waiting); untracked ones excluded."""
        q = select(Delivery.outcome, func.count()).where(Delivery.outcome.is_not(None)).group_by(Delivery.outcome)
        return {o: n for o, n in self.session.execute(q)}

    def drafts_by_provider(self) -> dict[str, int]:
        q = select(Draft.provider, func.count()).group_by(Draft.provider)
        return {p: n for p, n in self.session.execute(q)}

    def open_review_tasks(self) -> Sequence[ReviewTask]:
        return self.session.execute(select(ReviewTask).where(ReviewTask.status == "open").order_by(ReviewTask.id)).scalars().all()

    def items_since(self, since: datetime) -> Sequence[Item]:
        return self.session.execute(select(Item).where(Item.created_at >= since)).scalars().all()


class SqlCursorStore(CursorStore):
    """:class:`agent.ports.CursorStore` on the ``cursors`` table; each ``set`` commits."""

    def __init__(self, session_factory: sessionmaker[Session]):
        self._factory = session_factory

    def get(self, source: str, key: str) -> str | None:
        with self._factory() as s:
            row = s.get(Cursor, (source, key))
            return row.value if row else None

    def set(self, source: str, key: str, value: str | None) -> None:
        with self._factory() as s:
            row = s.get(Cursor, (source, key))
            if row is None:
                s.add(Cursor(source=source, key=key, value=value))
            else:
                row.value = value
            try:
                s.commit()
            except IntegrityError:  # another writer created it first: update theirs
                s.rollback()
                row = s.get(Cursor, (source, key))
                row.value = value
                s.commit()


class SqlKeyValueStore:
    """Small named blobs (e.g. msal token caches) in ``kv_store``; each ``put`` commits."""

    def __init__(self, session_factory: sessionmaker[Session], namespace: str):
        self._factory = session_factory
        self.namespace = namespace

    def get(self, key: str) -> str | None:
        with self._factory() as s:
            row = s.get(KeyValue, (self.namespace, key))
            return row.value if row else None

    def put(self, key: str, value: str) -> None:
        with self._factory() as s:
            row = s.get(KeyValue, (self.namespace, key))
            if row is None:
                s.add(KeyValue(namespace=self.namespace, key=key, value=value))
            else:
                row.value = value
            s.commit()

    def delete(self, key: str) -> None:
        with self._factory() as s:
            row = s.get(KeyValue, (self.namespace, key))
            if row is not None:
                s.delete(row)
                s.commit()
