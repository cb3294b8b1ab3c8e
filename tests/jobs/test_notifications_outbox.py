"""The notification outbox against the local Workflows webhook (real `requests`, real database).

Sent once across restarts; failures kept and retried with backoff; SLA reminders once per
period; one digest per group and day. Every card the fake receives is validated against
the Adaptive Card 1.4 schema subset."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from jobs_testkit import audit_events, audit_ok, db, seed_escalation, settings
from rich.console import Console
from sqlalchemy import select

from agent.models import Address, InboundMessage
from connectors.console_notifier import ConsoleNotifier
from connectors.teams.webhook import TeamsWebhookNotifier
from jobs.notifications import INLINE_GRACE, daily_digest, dispatch_pending, retry_delay
from storage.models import KeyValue, ReviewTask
from tests.teams.teams_testkit import FakeTeams


@pytest.fixture
def teams():
    with FakeTeams() as fake:
        yield fake


def hook(teams: FakeTeams, **kw) -> TeamsWebhookNotifier:
    kw.setdefault("max_attempts", 2)
    kw.setdefault("max_wait", 0.05)
    return TeamsWebhookNotifier(teams.webhook_url, **kw)


def task(sf, task_id: int) -> ReviewTask:
    with sf() as s:
        return s.get(ReviewTask, task_id)


def test_each_escalation_is_sent_once_even_across_restarts(db_url, teams):
    engine, sf = db(db_url)
    ids = [seed_escalation(sf, group=g, subject=f"Subject {i}")[1] for i, g in enumerate(["compliance", "security", "compliance"])]
    report = dispatch_pending(sf, hook(teams), settings())
    assert report.sent == 3 and report.failed == 0
    assert len(teams.successes()) == 3 and all(not r.errors for r in teams.received)
    assert {r.card["body"][1]["facts"][0]["value"] for r in teams.received} == {"Subject 0", "Subject 1", "Subject 2"}
    for tid in ids:
        t = task(sf, tid)
        assert t.notified_at is not None and t.notification_ref.startswith("teams_webhook:202:") and t.notify_attempts == 1
    notified = audit_events(sf, "notified")
    assert sorted(e.data["review_task_id"] for e in notified) == sorted(ids)
    assert all(e.data["kind"] == "escalation" and e.data["transport"] == "teams_webhook" for e in notified)
    engine.dispose()

    # "restart": a new engine, session factory and notifier on the same database
    engine2, sf2 = db(db_url)
    report2 = dispatch_pending(sf2, hook(teams), settings())
    assert report2.sent == 0 and len(teams.received) == 3
    assert len(audit_events(sf2, "notified")) == 3
    audit_ok(sf2)
    engine2.dispose()


def test_fresh_tasks_are_left_to_the_pipelines_inline_try(tmp_path, teams):
    _, sf = db(f"sqlite:///{tmp_path / 'dg.db'}")
    now = datetime.now(UTC)
    _, fresh = seed_escalation(sf, created_at=now - timedelta(minutes=1))
    _, failed_inline = seed_escalation(sf, created_at=now - timedelta(minutes=1), notify_attempts=1)
    report = dispatch_pending(sf, hook(teams), settings(), now=now)
    assert report.sent == 1
    assert task(sf, fresh).notified_at is None and task(sf, failed_inline).notified_at is not None
    later = now + INLINE_GRACE
    assert dispatch_pending(sf, hook(teams), settings(), now=later).sent == 1
    assert task(sf, fresh).notified_at is not None


def test_failure_is_kept_and_retried_later_with_backoff(tmp_path, teams):
    _, sf = db(f"sqlite:///{tmp_path / 'dg.db'}")
    _, tid = seed_escalation(sf)
    now = datetime.now(UTC)
    teams.fail(("status", 500), ("status", 500))
    report = dispatch_pending(sf, hook(teams), settings(), now=now)
    assert report.sent == 0 and report.failed == 1 and len(teams.received) == 2
    t = task(sf, tid)
    assert t.notified_at is None and t.notify_attempts == 1 and "HTTP 500 after 2 attempt(s)" in t.notify_error
    assert abs((t.notify_next_at.replace(tzinfo=UTC) - (now + timedelta(seconds=60))).total_seconds()) < 1
    # before the backoff ends: nothing is tried
    assert dispatch_pending(sf, hook(teams), settings(), now=now + timedelta(seconds=30)).sent == 0
    assert len(teams.received) == 2
    # second failure: the wait doubles
    teams.fail(("drop",), ("status", 503))
    dispatch_pending(sf, hook(teams), settings(), now=now + timedelta(seconds=61))
    t = task(sf, tid)
    assert t.notify_attempts == 2 and t.notified_at is None and "after 2 attempt(s)" in t.notify_error
    assert abs((t.notify_next_at.replace(tzinfo=UTC) - (now + timedelta(seconds=61 + 120))).total_seconds()) < 1
    # the webhook is back: sent, error cleared, audited once
    assert dispatch_pending(sf, hook(teams), settings(), now=now + timedelta(seconds=200)).sent == 1
    t = task(sf, tid)
    assert t.notified_at is not None and t.notify_error is None and t.notify_attempts == 3
    assert len(audit_events(sf, "notified")) == 1
    audit_ok(sf)


def test_backoff_is_bounded():
    s = settings()
    assert [retry_delay(n, s).total_seconds() for n in (1, 2, 3, 4, 5, 50)] == [60, 120, 240, 480, 600, 600]


def test_sla_reminder_once_per_period(tmp_path, teams):
    _, sf = db(f"sqlite:///{tmp_path / 'dg.db'}")
    t0 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    _, tid = seed_escalation(sf, group="compliance", created_at=t0, notified_at=t0)  # SLA 60 min
    n = hook(teams)
    assert dispatch_pending(sf, n, settings(), now=t0 + timedelta(minutes=30)).reminders == 0
    assert dispatch_pending(sf, n, settings(), now=t0 + timedelta(minutes=61)).reminders == 1
    assert dispatch_pending(sf, n, settings(), now=t0 + timedelta(minutes=62)).reminders == 0
    assert dispatch_pending(sf, n, settings(), now=t0 + timedelta(minutes=122)).reminders == 1
    cards = [r.card for r in teams.successes()]
    assert [c["body"][0]["text"] for c in cards] == [
        "Reminder 1: escalation open for 61 min (compliance)",
        "Reminder 2: escalation open for 122 min (compliance)",
    ]
    t = task(sf, tid)
    assert t.reminder_count == 2
    kinds = [(e.data["kind"], e.data.get("reminder")) for e in audit_events(sf, "notified")]
    assert kinds == [("reminder", 1), ("reminder", 2)]


def test_failed_reminder_is_retried_next_run(tmp_path, teams):
    _, sf = db(f"sqlite:///{tmp_path / 'dg.db'}")
    t0 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    _, tid = seed_escalation(sf, group="security", created_at=t0, notified_at=t0)  # SLA 30 min
    teams.fail(("status", 500), ("status", 500))
    r = dispatch_pending(sf, hook(teams), settings(), now=t0 + timedelta(minutes=31))
    assert r.reminders == 0 and r.reminder_failures == 1
    assert task(sf, tid).reminder_count == 0 and task(sf, tid).reminded_at is None
    r = dispatch_pending(sf, hook(teams), settings(), now=t0 + timedelta(minutes=32))
    assert r.reminders == 1 and task(sf, tid).reminder_count == 1


def test_resolved_tasks_get_no_reminders(tmp_path, teams):
    _, sf = db(f"sqlite:///{tmp_path / 'dg.db'}")
    t0 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    _, tid = seed_escalation(sf, created_at=t0, notified_at=t0)
    with sf() as s:
        s.get(ReviewTask, tid).status = "approved"
        s.commit()
    assert dispatch_pending(sf, hook(teams), settings(), now=t0 + timedelta(days=2)).reminders == 0
    assert teams.received == []


def test_daily_digest_once_per_group_and_day(tmp_path, teams):
    _, sf = db(f"sqlite:///{tmp_path / 'dg.db'}")
    for i in range(3):
        seed_escalation(sf, group="compliance", subject=f"C{i}")
    seed_escalation(sf, group="security", subject="S0")
    day = datetime(2026, 11, 30, 7, 30, tzinfo=UTC)
    n = hook(teams)
    r = daily_digest(sf, n, settings(), now=day)  # before both groups' hours (8 and 9 UTC)
    assert r.sent == [] and sorted(r.not_yet) == ["compliance", "security"]
    r = daily_digest(sf, n, settings(), now=day.replace(hour=8, minute=5))
    assert r.sent == ["compliance"] and r.not_yet == ["security"]
    r = daily_digest(sf, n, settings(), now=day.replace(hour=9, minute=5))
    assert r.sent == ["security"] and r.already_sent == ["compliance"]
    assert daily_digest(sf, n, settings(), now=day.replace(hour=23)).sent == []
    assert sorted(daily_digest(sf, n, settings(), now=day + timedelta(days=1, hours=2)).sent) == ["compliance", "security"]
    cards = [r.card for r in teams.successes()]
    assert len(cards) == 4 and all(not r.errors for r in teams.received)
    assert cards[0]["body"][0]["text"] == "Daily digest 2026-11-30: 3 open escalations for compliance"
    with sf() as s:
        assert s.get(KeyValue, ("notify", "digest:compliance")).value == "2026-12-01"
    digests = [e.data for e in audit_events(sf, "notified") if e.data["kind"] == "digest"]
    assert [(d["group"], d["open"]) for d in digests] == [("compliance", 3), ("security", 1), ("compliance", 3), ("security", 1)]
    audit_ok(sf)


def test_missing_snapshot_is_rebuilt_from_the_source(tmp_path, teams):
    _, sf = db(f"sqlite:///{tmp_path / 'dg.db'}")
    item_id, tid = seed_escalation(sf, subject=None)
    calls = []

    def fetch(source, external_id):
        calls.append((source, external_id))
        return InboundMessage(source=source, external_id=external_id, subject="Fetched subject", sender=Address(email="bo@client.example"), link="https://x.example/m/1")

    assert dispatch_pending(sf, hook(teams), settings(), fetch=fetch).sent == 1
    assert len(calls) == 1
    assert teams.received[0].card["body"][1]["facts"][0] == {"title": "Subject", "value": "Fetched subject"}
    assert task(sf, tid).escalation == {"subject": "Fetched subject", "sender": "bo@client.example", "link": "https://x.example/m/1"}


def test_console_notifier_is_the_default_transport(tmp_path, caplog):
    _, sf = db(f"sqlite:///{tmp_path / 'dg.db'}")
    seed_escalation(sf, subject="Console subject")
    out = io.StringIO()
    n = ConsoleNotifier(console=Console(file=out, width=120))
    caplog.set_level("INFO")
    assert dispatch_pending(sf, n, settings()).sent == 1
    text = out.getvalue()
    assert "Console subject" in text and "commitment.refund (high)" in text and "client.example" in text
    assert "refund 500 EUR" not in text  # no draft body by default
    assert any("escalation for compliance" in r.getMessage() for r in caplog.records)
    with sf() as s:
        t = s.execute(select(ReviewTask)).scalar_one()
        assert t.notification_ref.startswith("console:")
