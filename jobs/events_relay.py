"""The events relay: publishes the ``outbox`` rows (:mod:`storage.outbox`) to the broker, in order.

One pass (:func:`relay`):

1. nothing unpublished: only published rows older than ``[events] keep_published_days`` are
   deleted; no broker connection.
2. connect (:class:`connectors.amqp_events.AmqpEventPublisher`: publisher confirms, durable
   topic exchange). Broker down: nothing changes, :attr:`RelayReport.error` says why in one
   line, the next pass tries again.
3. batches of ``[events] batch`` rows in ``audit_seq`` order (the order the changes committed):
   each row becomes a CloudEvents 1.0 structured-mode JSON message (the ``cloudevents`` SDK's
   RabbitMQ binding), routing key = its type; ``published_at`` is set only after the broker's
   confirm. A failure stops the pass at that row (``attempts`` + 1, ``last_error``); the rows
   before it stay published, it and the rows after it wait for the next pass, so the order
   holds.

At-least-once: a crash between the broker's confirm and the commit sends that row again on the
next pass with the same CloudEvent id; consumers deduplicate on ``id`` (with ``source``).

Concurrent relays never publish one row twice on purpose. PostgreSQL: each batch is one
transaction that first takes ``pg_try_advisory_xact_lock`` (a second relay finds it taken and
ends its pass as ``busy``, so batches never interleave and the order holds) and reads its rows
``FOR UPDATE SKIP LOCKED``. SQLite (one writer at a time): the pass holds an ``flock`` on
``<db>.events.lock``; rows are read and marked in short transactions, so the pipeline's writers
are never kept waiting while the relay talks to the broker.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from agent.config import EventsConfig
from agent.error_text import error_text
from connectors.amqp_events import AmqpEventPublisher, EventsBrokerError, OutgoingMessage
from storage import outbox
from storage.models import OutboxEvent

log = logging.getLogger(__name__)

#: PostgreSQL advisory lock key of the relay (signed 64-bit sha256 prefix; distinct from the run
#: and migration locks)
RELAY_LOCK_KEY = int.from_bytes(hashlib.sha256(b"draftguard:events-relay").digest()[:8], "big", signed=True)
DATACONTENTTYPE = "application/json"


@dataclass
class RelayReport:
    """What one pass did: ``published`` rows, ``pending`` rows left after it, ``purged`` old
    published rows, ``error`` (one line: the broker failed; the rows are kept) and ``busy``
    (another relay was publishing: this pass left the rows to it)."""

    published: int = 0
    pending: int = 0
    purged: int = 0
    error: str | None = None
    busy: bool = False

    def line(self) -> str:
        """One line for people: ``Events: 12 published, 0 waiting``, or why nothing was."""
        if self.error:
            return f"Events: {self.published} published; {self.error}; {self.pending} kept for the next relay"
        if self.busy:
            return f"Events: another relay is publishing; {self.pending} waiting"
        return f"Events: {self.published} published, {self.pending} waiting"


def cloudevent(row: OutboxEvent, schema_base: str):
    """The row as a ``cloudevents.core.v1.event.CloudEvent`` (validated by the SDK): id, type,
    source, subject, time (UTC), ``datacontenttype`` application/json, ``dataschema`` =
    ``schema_base`` + type, the extension ``correlationid`` and the JSON ``data``."""
    from cloudevents.core.v1.event import CloudEvent

    when = row.time if row.time.tzinfo else row.time.replace(tzinfo=UTC)  # SQLite drops the zone
    return CloudEvent(
        {
            "specversion": "1.0",
            "id": row.id,
            "type": row.type,
            "source": row.source,
            "subject": row.subject,
            "time": when.astimezone(UTC),
            "datacontenttype": DATACONTENTTYPE,
            "dataschema": f"{schema_base}{row.type}",
            "correlationid": row.correlation_id,
        },
        dict(row.data),
    )


def message(row: OutboxEvent, schema_base: str) -> OutgoingMessage:
    """The AMQP message of ``row``: CloudEvents structured mode (JSON event format) through the
    SDK's RabbitMQ binding; routing key = the event type."""
    from cloudevents.core.bindings import rabbitmq

    m = rabbitmq.to_structured_event(cloudevent(row, schema_base))
    return OutgoingMessage(
        body=m.body,
        content_type=m.content_type or "application/cloudevents+json",
        routing_key=row.type,
        message_id=row.id,
        correlation_id=row.correlation_id,
    )


def _publisher(cfg: EventsConfig) -> AmqpEventPublisher:
    return AmqpEventPublisher(
        cfg.resolved_broker_url(), cfg.exchange, connect_timeout=cfg.connect_timeout_seconds, confirm_timeout=cfg.confirm_timeout_seconds
    )


@contextmanager
def _sqlite_relay_lock(session_factory: sessionmaker[Session]) -> Iterator[bool]:
    """``flock`` on ``<db>.events.lock`` for a file database (True when taken; False when another
    relay holds it); an in-memory database has no other process: always True."""
    engine = session_factory.kw["bind"]
    db = engine.url.database
    if not db or db == ":memory:":
        yield True
        return
    path = Path(str(Path(db).resolve()) + ".events.lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _mark(s: Session, done: list[str], failed: tuple[str, str] | None, now: datetime) -> None:
    if done:
        s.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id.in_(done))
            .values(published_at=now, attempts=OutboxEvent.attempts + 1)
            .execution_options(synchronize_session=False)
        )
    if failed:
        s.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == failed[0])
            .values(attempts=OutboxEvent.attempts + 1, last_error=failed[1][:1000])
            .execution_options(synchronize_session=False)
        )


def _publish_rows(pub, rows: list[tuple[str, OutgoingMessage | Exception]]) -> tuple[list[str], tuple[str, str] | None]:
    """Publish in order until the first failure: (ids confirmed, (failed id, error) or None)."""
    done: list[str] = []
    for row_id, msg in rows:
        try:
            if isinstance(msg, Exception):
                raise msg
            pub.publish(msg)
        except Exception as exc:
            return done, (row_id, str(exc) if isinstance(exc, EventsBrokerError) else f"could not build the event: {error_text(exc)}")
        done.append(row_id)
    return done, None


def _messages(rows, schema_base: str) -> list[tuple[str, OutgoingMessage | Exception]]:
    out: list[tuple[str, OutgoingMessage | Exception]] = []
    for row in rows:
        try:
            out.append((row.id, message(row, schema_base)))
        except Exception as exc:  # a row the SDK refuses: it stops the queue, visibly (never skipped)
            out.append((row.id, exc))
    return out


def relay(
    session_factory: sessionmaker[Session],
    cfg: EventsConfig,
    *,
    publisher_factory: Callable[[EventsConfig], AmqpEventPublisher] | None = None,
    now: Callable[[], datetime] | None = None,
) -> RelayReport:
    """One relay pass over every unpublished row (see the module doc); returns its report.

    Raises :class:`agent.errors.ConfigError` when rows wait and no broker URL is configured;
    broker failures are reported in :attr:`RelayReport.error`, never raised."""
    clock = now or (lambda: datetime.now(UTC))
    report = RelayReport()
    with session_factory() as s:
        report.purged = outbox.purge_published(s, cfg.keep_published_days, clock())
        report.pending = outbox.pending_count(s)
        s.commit()
    if report.pending == 0:
        return report
    make = publisher_factory or _publisher
    postgres = session_factory.kw["bind"].dialect.name == "postgresql"
    with _always() if postgres else _sqlite_relay_lock(session_factory) as got:
        if not got:
            report.busy = True
        else:
            try:
                with make(cfg) as pub:
                    _pass(session_factory, cfg, pub, report, postgres, clock)
            except EventsBrokerError as exc:
                report.error = str(exc)
    with session_factory() as s:
        report.pending = outbox.pending_count(s)
    log.debug("events relay: %s", report.line())  # the callers print or log the report
    return report


@contextmanager
def _always() -> Iterator[bool]:
    yield True


def _pass(session_factory, cfg: EventsConfig, pub, report: RelayReport, postgres: bool, clock) -> None:
    while True:
        with session_factory() as s:
            if postgres and not s.execute(select(func.pg_try_advisory_xact_lock(RELAY_LOCK_KEY))).scalar():
                report.busy = True
                return
            rows = outbox.unpublished(s, cfg.batch, lock=postgres)
            if not rows:
                return
            msgs = _messages(rows, cfg.schema_base)
            if not postgres:
                s.rollback()  # SQLite: give the write lock back while talking to the broker
            done, failed = _publish_rows(pub, msgs)
            _mark(s, done, failed, clock())
            s.commit()
        report.published += len(done)
        if failed:
            report.error = failed[1]
            return
        if len(rows) < cfg.batch:
            return
