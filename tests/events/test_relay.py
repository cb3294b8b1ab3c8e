"""The events relay against the machine's RabbitMQ: valid CloudEvents in order, routing-key
patterns, a broker that is down or goes away mid-relay (nothing lost), redelivery deduplicated
by id, concurrent relays (SQLite and PostgreSQL) publishing each row once, and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC

import pytest
from sqlalchemy import select, update

from agent.config import EventsConfig
from connectors.amqp_events import AmqpEventPublisher
from jobs.events_relay import relay
from storage import audit
from storage.db import open_database
from storage.models import Item, ItemState, OutboxEvent
from tests.events.events_testkit import (
    BROKER_URL,
    CuttableProxy,
    consumer,
    exchange_name,
    parse,
    require_broker,
)

PREFIX = "/draftguard/test"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(autouse=True)
def broker(monkeypatch):
    require_broker()
    monkeypatch.setenv("DRAFTGUARD_BROKER_URL", BROKER_URL)


@pytest.fixture
def sf(tmp_path):
    engine, factory = open_database(f"sqlite:///{tmp_path / 'dg.db'}", events_source=PREFIX)
    yield factory
    engine.dispose()


def cfg(**kw) -> EventsConfig:
    base = {"enabled": True, "instance": "test", "exchange": exchange_name(), "batch": 7}
    base.update(kw)
    return EventsConfig(**base)


def seed(sf, n_items: int, *, kinds=("ingested", "quarantined", "reviewed")) -> list[OutboxEvent]:
    """``n_items`` items with one audit event per kind each (ingested, then a quarantine or a
    reviewer's approval): outbox rows of several types. Returns the rows in audit order."""
    with sf() as s:
        for i in range(n_items):
            item = Item(source="maildir:local", external_id=uuid.uuid4().hex, correlation_id=str(uuid.uuid4()), state=ItemState.NEW)
            s.add(item)
            s.flush()
            for kind in kinds:
                data = {
                    "ingested": {"source": "maildir:local", "size_bytes": 100 + i},
                    "quarantined": {"stage": "validate", "error_type": "BadInputError", "attempts": 1},
                    "reviewed": {"action": "approve", "review_task_id": i, "state": "drafted"},
                }[kind]
                audit.append(s, kind, correlation_id=item.correlation_id, item_id=item.id, actor="Ann Reviewer" if kind == "reviewed" else "draftguard", data=data)
        s.commit()
        return s.execute(select(OutboxEvent).order_by(OutboxEvent.audit_seq)).scalars().all()


def unpublished(sf) -> list[OutboxEvent]:
    with sf() as s:
        return s.execute(select(OutboxEvent).where(OutboxEvent.published_at.is_(None)).order_by(OutboxEvent.audit_seq)).scalars().all()


def test_published_messages_are_valid_cloudevents_in_audit_order(sf):
    rows = seed(sf, 4)
    c = cfg()
    with consumer(c.exchange, {"all": ["#"]}) as con:
        report = relay(sf, c)
        got = con.drain("all")
    assert (report.published, report.pending, report.error) == (len(rows), 0, None)
    assert [m.properties["message_id"] for m in got] == [r.id for r in rows]  # audit order
    with sf() as s:
        items = {i.id: i for i in s.execute(select(Item)).scalars()}
    for m, row in zip(got, rows, strict=True):
        assert m.content_type == "application/cloudevents+json"  # structured mode
        assert m.properties["delivery_mode"] == 2 and m.delivery_info["routing_key"] == row.type
        raw = json.loads(m.body)
        assert raw["specversion"] == "1.0" and "data_base64" not in raw and raw["time"].endswith("Z")
        ev = parse(m)  # the SDK validates required attributes, extension names and the time
        assert ev.get_id() == row.id and ev.get_type() == row.type
        assert ev.get_source() == "/draftguard/test/maildir:local" and ev.get_subject() == row.subject
        assert ev.get_datacontenttype() == "application/json"
        assert ev.get_dataschema() == f"urn:draftguard:event-schema:{row.type}"
        assert ev.get_time().tzinfo is not None and ev.get_time() == row.time.replace(tzinfo=row.time.tzinfo or UTC)
        item = items[int(row.subject)]
        assert ev.get_extension("correlationid") == item.correlation_id == m.properties["correlation_id"]
        assert ev.get_data() == row.data and ev.get_data()["item_id"] == item.id
        assert "Ann Reviewer" not in str(m.body)
    assert unpublished(sf) == []
    again = relay(sf, c)
    assert again.published == 0 and again.pending == 0


def test_a_consumer_bound_with_a_pattern_receives_only_matching_events(sf):
    rows = seed(sf, 3)
    c = cfg()
    bindings = {"reviews": ["com.draftguard.item.reviewed.#"], "quarantine": ["*.*.item.quarantined.*"], "all": ["#"]}
    with consumer(c.exchange, bindings) as con:
        relay(sf, c)
        got = {name: [m.delivery_info["routing_key"] for m in con.drain(name)] for name in bindings}
    assert got["all"] == [r.type for r in rows]
    assert got["reviews"] == [t for t in got["all"] if t == "com.draftguard.item.reviewed.approved.v1"] and len(got["reviews"]) == 3
    assert got["quarantine"] == ["com.draftguard.item.quarantined.v1"] * 3


def test_broker_down_keeps_every_row_and_says_why_in_one_line(sf, monkeypatch):
    rows = seed(sf, 2)
    proxy = CuttableProxy()
    proxy.cut()  # nothing listens there any more
    monkeypatch.setenv("DRAFTGUARD_BROKER_URL", proxy.url())
    c = cfg(connect_timeout_seconds=2)
    report = relay(sf, c)
    assert report.published == 0 and report.pending == len(rows)
    assert report.error and "\n" not in report.error and f"127.0.0.1:{proxy.port}" in report.error
    assert "guest:guest" not in report.error  # the password is never shown
    assert "kept for the next relay" in report.line()
    assert [r.id for r in unpublished(sf)] == [r.id for r in rows]
    monkeypatch.setenv("DRAFTGUARD_BROKER_URL", BROKER_URL)  # the broker is back
    with consumer(c.exchange, {"all": ["#"]}) as con:
        later = relay(sf, c)
        ids = [m.properties["message_id"] for m in con.drain("all")]
    assert later.published == len(rows) and ids == [r.id for r in rows]


def test_broker_lost_mid_relay_loses_nothing_and_keeps_the_order(sf, monkeypatch):
    rows = seed(sf, 10)  # 30 rows, batches of 7
    proxy = CuttableProxy()
    monkeypatch.setenv("DRAFTGUARD_BROKER_URL", proxy.url())
    c = cfg(confirm_timeout_seconds=3)
    cut_after = 11

    class CutsTheLine(AmqpEventPublisher):
        sent = 0

        def publish(self, msg):
            if CutsTheLine.sent == cut_after:
                proxy.cut()  # the broker goes away between two messages
            super().publish(msg)
            CutsTheLine.sent += 1

    def factory(conf: EventsConfig) -> AmqpEventPublisher:
        return CutsTheLine(conf.resolved_broker_url(), conf.exchange, connect_timeout=2, confirm_timeout=conf.confirm_timeout_seconds)

    with consumer(c.exchange, {"all": ["#"]}) as con:
        first = relay(sf, c, publisher_factory=factory)
        assert first.published == cut_after and first.error and first.pending == len(rows) - cut_after
        left = unpublished(sf)
        assert [r.id for r in left] == [r.id for r in rows[cut_after:]]
        assert left[0].attempts == 1 and left[0].last_error and all(r.attempts == 0 for r in left[1:])
        monkeypatch.setenv("DRAFTGUARD_BROKER_URL", BROKER_URL)
        second = relay(sf, c)
        received = [m.properties["message_id"] for m in con.drain("all")]
    assert second.published == len(rows) - cut_after and second.pending == 0
    deduped = list(dict.fromkeys(received))
    assert deduped == [r.id for r in rows]  # every event once after dedup, in audit order


def test_redelivery_after_a_lost_commit_is_deduplicated_by_id(sf):
    """A relay that died after the broker's confirm but before its commit sends those rows again
    with the same id and body: at-least-once, and the id makes it exactly-once for consumers."""
    rows = seed(sf, 3)
    c = cfg()
    with consumer(c.exchange, {"all": ["#"]}) as con:
        relay(sf, c)
        with sf() as s:  # the commit that marked the last 4 rows "was lost"
            s.execute(update(OutboxEvent).where(OutboxEvent.id.in_([r.id for r in rows[-4:]])).values(published_at=None))
            s.commit()
        relay(sf, c)
        got = con.drain("all")
    ids = [m.properties["message_id"] for m in got]
    assert len(ids) == len(rows) + 4
    first_body = {}
    for m in got:
        first_body.setdefault(m.properties["message_id"], m.body)
        assert m.body == first_body[m.properties["message_id"]]  # a duplicate is the same event
    assert list(dict.fromkeys(ids)) == [r.id for r in rows]


def test_concurrent_relays_publish_each_row_once_in_order(db_url, monkeypatch):
    """Two relays started together (SQLite: flock; PostgreSQL: advisory lock + SKIP LOCKED)."""
    engine, sf = open_database(db_url, events_source=PREFIX)
    try:
        rows = seed(sf, 60, kinds=("ingested", "quarantined"))
        c = cfg(batch=10)
        reports = []
        start = threading.Barrier(2)

        def run():
            start.wait()
            while True:
                r = relay(sf, c)
                reports.append(r)
                if not (r.busy and r.pending):
                    return
                time.sleep(0.02)  # the other relay holds the lock: come back

        with consumer(c.exchange, {"all": ["#"]}) as con:
            threads = [threading.Thread(target=run) for _ in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
            ids = [m.properties["message_id"] for m in con.drain("all")]
        assert ids == [r.id for r in rows]  # no row twice, none missing, audit order
        assert sum(r.published for r in reports) == len(rows) and not any(r.error for r in reports)
    finally:
        engine.dispose()


def _cli(cfg_path, *args, env):
    return subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), "--config", str(cfg_path), *args], capture_output=True, text=True, cwd=ROOT, timeout=300, env=env)


def test_cli_relay_once_status_and_a_broker_down(tmp_path):
    db = tmp_path / "dg.db"
    ex = exchange_name()
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{db}"\n\n[events]\nenabled = true\ninstance = "test"\nexchange = "{ex}"\n')
    engine, sf = open_database(f"sqlite:///{db}", events_source=PREFIX)
    rows = seed(sf, 2)
    engine.dispose()
    proxy = CuttableProxy()
    proxy.cut()
    env = {**os.environ, "DRAFTGUARD_BROKER_URL": proxy.url(), "COLUMNS": "200"}
    with consumer(ex, {"all": ["#"]}) as con:  # bound first (and the exchange deleted at the end, whatever fails)
        down = _cli(config, "events", "relay", "--once", env=env)
        assert down.returncode == 1, down
        assert len(down.stderr.strip().splitlines()) == 1 and "kept for the next relay" in down.stderr and "guest:guest" not in down.stderr
        status = json.loads(_cli(config, "events", "status", "--json", env=env).stdout)
        assert status["pending"] == len(rows) and status["enabled"] is True and con.drain("all") == []
        env["DRAFTGUARD_BROKER_URL"] = BROKER_URL
        up = _cli(config, "events", "relay", "--once", env=env)
        got = con.drain("all")
    assert up.returncode == 0 and f"{len(rows)} published, 0 waiting" in up.stdout, up
    assert [m.properties["message_id"] for m in got] == [r.id for r in rows]
    off = tmp_path / "off.toml"
    off.write_text(f'[storage]\nurl = "sqlite:///{db}"\n')
    disabled = _cli(off, "events", "relay", "--once", env=env)
    assert disabled.returncode == 2 and "events are disabled" in disabled.stderr


def test_a_relay_holding_the_lock_leaves_the_rows_to_it(db_url):
    """Deterministic half of the concurrency test: while another relay holds the relay lock
    (PostgreSQL: the transaction-level advisory lock of a batch; SQLite: the flock), a pass
    publishes nothing and reports ``busy``; once it is released, the rows go."""
    import fcntl

    from sqlalchemy import func

    from jobs.events_relay import RELAY_LOCK_KEY

    engine, sf = open_database(db_url, events_source=PREFIX)
    try:
        rows = seed(sf, 2)
        c = cfg()
        with consumer(c.exchange, {"all": ["#"]}) as con:
            if engine.dialect.name == "postgresql":
                other = sf()
                assert other.execute(select(func.pg_try_advisory_xact_lock(RELAY_LOCK_KEY))).scalar()
                release = other.close  # ends its transaction: the lock goes with it
            else:
                fd = os.open(engine.url.database + ".events.lock", os.O_RDWR | os.O_CREAT)
                fcntl.flock(fd, fcntl.LOCK_EX)
                release = lambda: os.close(fd)  # noqa: E731
            held = relay(sf, c)
            assert (held.busy, held.published, held.pending) == (True, 0, len(rows))
            assert con.drain("all") == []
            release()
            free = relay(sf, c)
            assert (free.busy, free.published, free.pending) == (False, len(rows), 0)
            assert [m.properties["message_id"] for m in con.drain("all")] == [r.id for r in rows]
    finally:
        engine.dispose()
