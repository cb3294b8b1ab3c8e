"""The transactional outbox: which audit events become which CloudEvent rows, with what data, and
that a rolled-back change leaves no row (SQLite and PostgreSQL). No broker needed here."""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from agent.config import EventsConfig
from agent.models import Address, InboundMessage
from storage import audit, outbox
from storage.db import open_database
from storage.models import Base, Item, ItemState, OutboxEvent
from storage.repository import UnitOfWork

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "jobs"))
from jobs_testkit import seed_escalation, settings  # noqa: E402

PREFIX = "/draftguard/test"
REVIEWER = "Jane Reviewer-Smith"


def rows(sf) -> list[OutboxEvent]:
    with sf() as s:
        return s.execute(select(OutboxEvent).order_by(OutboxEvent.audit_seq)).scalars().all()


def new_item(s, source="maildir:local") -> Item:
    item = Item(source=source, external_id=uuid.uuid4().hex, correlation_id=str(uuid.uuid4()), state=ItemState.NEW)
    s.add(item)
    s.flush()
    return item


@pytest.fixture
def sf(tmp_path):
    engine, factory = open_database(f"sqlite:///{tmp_path / 'dg.db'}", events_source=PREFIX)
    yield factory
    engine.dispose()


def test_events_config_source_prefix_and_broker_url_rules(monkeypatch):
    assert EventsConfig().source_prefix() is None  # disabled by default: no rows
    assert EventsConfig(enabled=True, instance="prod-eu").source_prefix() == "/draftguard/prod-eu"
    with pytest.raises(ValueError, match="DRAFTGUARD_BROKER_URL"):
        EventsConfig(broker_url="amqp://user:s3cret@broker:5672//")
    with pytest.raises(ValueError, match="instance"):
        EventsConfig(instance="a/b")
    monkeypatch.delenv("DRAFTGUARD_BROKER_URL", raising=False)
    assert EventsConfig(broker_url="amqp://broker:5672//").resolved_broker_url() == "amqp://broker:5672//"
    monkeypatch.setenv("DRAFTGUARD_BROKER_URL", "amqp://u:p@other:5672//")
    assert EventsConfig(broker_url="amqp://broker:5672//").resolved_broker_url() == "amqp://u:p@other:5672//"


def test_each_state_change_becomes_one_row_with_allow_listed_data(sf):
    with sf() as s:
        item = new_item(s)
        cid = item.correlation_id
        a = lambda ev, data, actor="draftguard": audit.append(s, ev, correlation_id=cid, item_id=item.id, actor=actor, data=data)  # noqa: E731
        a("ingested", {"source": "maildir:local", "size_bytes": 900, "attachments": 0, "thread_messages": 1})
        a("redacted", {"entities": {"PERSON": 2}, "language": "en"})  # not published
        a("prompted", {"template_id": "reply/v1"})  # not published
        a("drafted", {"draft_id": 7, "provider": "template", "model": "templates/v1", "body_sha256": "ab" * 32, "intent": "refund"})
        a("checked", {"pack": "default", "pack_version": "2026.12.2", "findings": [["commitment.refund", "HIGH"]]})
        a("routed", {"rule_id": "high-severity", "action": "escalate", "group": "compliance"})  # reported by "escalated"
        a("escalated", {"review_task_id": 3, "group": "compliance", "rule_id": "high-severity"})
        a("notified", {"review_task_id": 3, "group": "compliance", "transport": "Console"})  # not published
        a("reviewed", {"action": "reject", "review_task_id": 3, "reason_sha256": "cd" * 32, "reason_chars": 12}, actor=REVIEWER)
        a("source_paused", {"source": "maildir:local", "stage": "deliver", "until": "x", "reason": "busy"})  # not published
        s.commit()
    got = rows(sf)
    assert [r.type for r in got] == [
        "com.draftguard.item.ingested.v1",
        "com.draftguard.item.drafted.v1",
        "com.draftguard.item.checked.v1",
        "com.draftguard.item.escalated.v1",
        "com.draftguard.item.reviewed.rejected.v1",
    ]
    assert all(r.source == f"{PREFIX}/maildir:local" and r.subject == str(item.id) and r.correlation_id == cid for r in got)
    assert len({r.id for r in got}) == len(got) and all(uuid.UUID(r.id).version == 4 for r in got)
    assert [r.audit_seq for r in got] == sorted(r.audit_seq for r in got)
    ingested, drafted, checked, escalated, rejected = (r.data for r in got)
    assert ingested == {"source": "maildir:local", "size_bytes": 900, "attachments": 0, "thread_messages": 1, "item_id": item.id, "audit_seq": got[0].audit_seq, "actor": "draftguard"}
    assert drafted["body_sha256"] == "ab" * 32 and drafted["draft_id"] == 7
    assert checked["findings"] == [["commitment.refund", "HIGH"]]
    assert escalated["group"] == "compliance"
    assert rejected["actor"] == "reviewer" and rejected["reason_sha256"] == "cd" * 32
    assert all(REVIEWER not in str(r.data) for r in got)  # the reviewer's name is the audit actor only


@pytest.mark.parametrize(
    ("action", "expected", "rule"),
    [("draft", "item.routed", None), ("skip", "item.skipped", "routing:newsletters"), ("hold", "item.held", None), ("escalate", None, None)],
)
def test_routing_decisions_map_to_one_type_each(sf, action, expected, rule):
    with sf() as s:
        item = new_item(s)
        audit.append(s, "routed", correlation_id=item.correlation_id, item_id=item.id, data={"rule_id": "newsletters", "action": action, "group": None})
        s.commit()
    got = rows(sf)
    assert [r.type for r in got] == ([outbox.full_type(expected)] if expected else [])
    if rule:
        assert got[0].data["rule"] == rule and got[0].data["rule_id"] == "newsletters"


def test_events_disabled_write_no_rows(tmp_path):
    engine, sf = open_database(f"sqlite:///{tmp_path / 'off.db'}")  # no events_source: [events] enabled = false
    try:
        with sf() as s:
            item = new_item(s)
            audit.append(s, "ingested", correlation_id=item.correlation_id, item_id=item.id, data={"source": "maildir:local"})
            s.commit()
        assert rows(sf) == []
        outbox.enable(sf, PREFIX)  # switched on: from now on
        with sf() as s:
            audit.append(s, "skipped", correlation_id=item.correlation_id, item_id=item.id, data={"rule": "bounce"})
            s.commit()
        assert [r.type for r in rows(sf)] == ["com.draftguard.item.skipped.v1"]
    finally:
        engine.dispose()


def _message(ext: str) -> InboundMessage:
    return InboundMessage(
        source="maildir:local",
        external_id=ext,
        sender=Address(name="Ann Lee", email="ann.lee@client.example"),
        subject="Refund",
        text_body="Where is my refund?",
        received_at=datetime.now(UTC),
    )


def test_a_rolled_back_change_writes_no_outbox_row(db_url):
    """Both dialects: the unit of work's changes and their outbox rows go or stay together."""
    engine, sf = open_database(db_url, events_source=PREFIX)
    try:
        with UnitOfWork(sf) as uow:  # left without commit: rolled back
            item, _ = uow.claim_item(_message("rolled-back"))
            uow.audit("ingested", item, {"source": "maildir:local"})
            uow.quarantine(item, "validate", ValueError("empty body"), 1)
            uow.session.flush()
            inside = uow.session.execute(select(OutboxEvent.type)).scalars().all()
        assert inside == ["com.draftguard.item.ingested.v1", "com.draftguard.item.quarantined.v1"]  # written in the transaction...
        assert rows(sf) == []  # ...and gone with it
        with sf() as s:
            assert s.execute(select(Item)).scalars().all() == []
        with UnitOfWork(sf) as uow:
            item, _ = uow.claim_item(_message("committed"))
            uow.audit("ingested", item, {"source": "maildir:local"})
            uow.quarantine(item, "validate", ValueError("empty body"), 1)
            uow.commit()
        got = rows(sf)
        assert [r.type for r in got] == ["com.draftguard.item.ingested.v1", "com.draftguard.item.quarantined.v1"]
        assert got[1].data == {"stage": "validate", "error_type": "ValueError", "attempts": 1, "item_id": got[1].data["item_id"], "audit_seq": got[1].audit_seq, "actor": "draftguard"}
        with sf() as s:
            assert audit.verify(s).ok
    finally:
        engine.dispose()


def test_review_actions_write_reviewed_events(sf):
    from jobs.review import approve, assign, reject
    from storage.models import Delivery

    rejected, _ = seed_escalation(sf)
    assigned, _ = seed_escalation(sf, group="compliance")
    approved, _ = seed_escalation(sf)

    def deliver(item_id: int, actor: str) -> str:  # what Pipeline.deliver_saved_draft records
        with UnitOfWork(sf) as uow:
            item = uow.item(item_id)
            uow.session.add(Delivery(item_id=item_id, idempotency_key=f"dg-{item_id:032d}", target="maildir:local/Drafts", target_ref="f", created=True))
            item.state = ItemState.DRAFTED
            uow.audit("delivered", item, {"target": "outlook:ann.lee@firm.example:Drafts", "idempotency_key": f"dg-{item_id:032d}", "created": True, "draft_id": 1}, actor=actor)
            uow.commit()
        return ItemState.DRAFTED

    reject(sf, rejected, REVIEWER, "The client Ann Lee asked for a call instead")
    assign(sf, settings(), assigned, "security", REVIEWER)
    approve(sf, approved, REVIEWER, deliver=deliver)
    by_item: dict[int, list[str]] = {}
    for r in rows(sf):
        by_item.setdefault(int(r.subject), []).append(r.type.removeprefix("com.draftguard.").removesuffix(".v1"))
        assert REVIEWER not in str(r.data) and "Ann Lee" not in str(r.data) and "ann.lee" not in str(r.data)
    assert by_item[rejected] == ["item.ingested", "item.drafted", "item.escalated", "item.reviewed.rejected"]
    assert by_item[assigned] == ["item.ingested", "item.drafted", "item.escalated", "item.reviewed.assigned"]
    assert by_item[approved] == ["item.ingested", "item.drafted", "item.escalated", "item.delivered", "item.reviewed.approved"]
    delivered = next(r for r in rows(sf) if r.type.endswith("delivered.v1"))
    assert "target" not in delivered.data and delivered.data["actor"] == "reviewer"  # a target can name a person's mailbox


def test_migration_0007_matches_the_outbox_model(db_url):
    engine, _ = open_database(db_url)
    try:
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert [d for d in diffs if "outbox" in repr(d)] == []


def test_the_service_relays_only_when_events_are_enabled():
    from agent.config import Settings
    from jobs.scheduler import job_specs

    off = {s.id for s in job_specs(Settings(), [])}
    on = {s.id: s for s in job_specs(Settings(events=EventsConfig(enabled=True, relay_interval_seconds=3)), [])}
    assert "events" not in off
    assert on["events"].func == "jobs.tasks:relay_events" and on["events"].trigger.interval.total_seconds() == 3


def test_published_rows_are_purged_after_keep_days(sf):
    from datetime import timedelta

    with sf() as s:
        item = new_item(s)
        for _ in range(3):
            audit.append(s, "released", correlation_id=item.correlation_id, item_id=item.id, data={"stage": "x", "state": "new"})
        s.commit()
    now = datetime.now(UTC)
    with sf() as s:
        old, recent, waiting = s.execute(select(OutboxEvent).order_by(OutboxEvent.audit_seq)).scalars().all()
        old.published_at = now - timedelta(days=8)
        recent.published_at = now - timedelta(days=6)
        s.commit()
        assert outbox.purge_published(s, 7, now) == 1
        s.commit()
    assert [r.id for r in rows(sf)] == [recent.id, waiting.id]
