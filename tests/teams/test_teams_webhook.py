"""TeamsWebhookNotifier through the real `requests` client against a local Workflows webhook."""

from __future__ import annotations

import logging
import time

import pytest
from teams_testkit import SIG, FakeTeams, make_escalation

from agent.config import NotifyConfig, ReviewerGroupConfig, TeamsConfig
from agent.errors import ConfigError, NotifyError
from agent.ports import Digest
from connectors.teams.webhook import TeamsWebhookNotifier


@pytest.fixture
def teams():
    with FakeTeams() as fake:
        yield fake


def notifier(teams: FakeTeams, **kw) -> TeamsWebhookNotifier:
    kw.setdefault("max_attempts", 4)
    kw.setdefault("max_wait", 2.0)
    kw.setdefault("timeout", 5.0)
    return TeamsWebhookNotifier(teams.webhook_url, **kw)


def test_posts_valid_card_and_returns_run_id(teams):
    ref = notifier(teams).notify(make_escalation())
    assert len(teams.received) == 1
    rec = teams.received[0]
    assert rec.status == 202 and rec.errors == []
    assert rec.headers["Content-Type"] == "application/json"
    assert rec.body["type"] == "message"
    assert rec.card["body"][0]["text"].startswith("Review needed")
    assert ref == "teams_webhook:202:08585000001"


def test_429_waits_retry_after_then_succeeds(teams):
    teams.fail(("retry_after", 429, "1"))
    started = time.monotonic()
    notifier(teams).notify(make_escalation())
    elapsed = time.monotonic() - started
    assert [r.status for r in teams.received] == [429, 202]
    assert 0.9 <= elapsed < 3.0


def test_retry_after_is_capped_by_max_wait(teams):
    teams.fail(("retry_after", 429, "120"))
    started = time.monotonic()
    notifier(teams, max_wait=0.2).notify(make_escalation())
    assert time.monotonic() - started < 2.0
    assert [r.status for r in teams.received] == [429, 202]


def test_5xx_and_dropped_connection_are_retried(teams):
    teams.fail(("status", 500), ("drop",), ("status", 503))
    ref = notifier(teams, max_wait=0.05).notify(make_escalation())
    assert [r.status for r in teams.received] == [500, -1, 503, 202]
    assert ref.startswith("teams_webhook:202:")


def test_gives_up_after_last_try_without_leaking_the_url(teams, caplog):
    caplog.set_level(logging.DEBUG)
    teams.fail(*[("status", 500)] * 3)
    with pytest.raises(NotifyError) as err:
        notifier(teams, max_attempts=3, max_wait=0.05).notify(make_escalation())
    assert len(teams.received) == 3
    assert "HTTP 500 after 3 attempt(s)" in str(err.value)
    assert SIG not in str(err.value) and "127.0.0.1" not in str(err.value)
    # our own records never carry the URL (urllib3's DEBUG lines do: jobs.observability
    # silences urllib3 and masks sig=, see tests/jobs/test_observability.py)
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("urllib3"))
    assert SIG not in ours and "/workflows/" not in ours
    assert "attempt 1 failed (HTTP 500)" in ours


def test_connection_refused_gives_notify_error(teams):
    url = teams.webhook_url
    teams.__exit__(None, None, None)  # nobody listens any more
    with pytest.raises(NotifyError) as err:
        TeamsWebhookNotifier(url, max_attempts=2, max_wait=0.05, timeout=1).notify(make_escalation())
    assert "connection failed after 2 attempt(s)" in str(err.value)
    assert SIG not in str(err.value)


def test_client_error_is_not_retried(teams):
    bad = TeamsWebhookNotifier(teams.webhook_url.replace(SIG, "wrong"), max_attempts=4)
    with pytest.raises(NotifyError, match="HTTP 401"):
        bad.notify(make_escalation())
    assert len(teams.received) == 1


def test_digest_and_group_webhook(teams):
    n = TeamsWebhookNotifier(teams.webhook_url, group_urls={"legal": teams.group_webhook_url("legal-flow")})
    n.notify(make_escalation(group="legal"))
    n.notify_digest(Digest(group="compliance", escalations=(make_escalation(),), day="2026-11-30"))
    assert [r.path.split("/")[2] for r in teams.received] == ["legal-flow", "0a1b2c"]
    assert all(r.status == 202 and not r.errors for r in teams.received)
    assert "Daily digest 2026-11-30" in teams.received[1].card["body"][0]["text"]


def test_from_config_reads_the_secret_from_the_environment(teams, monkeypatch):
    cfg = NotifyConfig(transport="teams_webhook", teams=TeamsConfig(webhook_url_env="DG_TEST_HOOK"))
    monkeypatch.delenv("DG_TEST_HOOK", raising=False)
    with pytest.raises(ConfigError, match="DG_TEST_HOOK is not set"):
        TeamsWebhookNotifier.from_config(cfg)
    monkeypatch.setenv("DG_TEST_HOOK", teams.webhook_url)
    monkeypatch.setenv("DG_TEST_LEGAL_HOOK", teams.group_webhook_url("legal"))
    n = TeamsWebhookNotifier.from_config(cfg, [ReviewerGroupConfig(name="legal", webhook_url_env="DG_TEST_LEGAL_HOOK")])
    assert SIG not in repr(n)
    n.notify(make_escalation(group="legal"))
    assert teams.received[0].path.startswith("/workflows/legal/")


def _wait_until(predicate, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)


def test_slow_webhook_gets_a_recognisable_duplicate(teams):
    """Issue 9.3: the webhook accepts the first post but answers after our timeout; the retry
    posts the card again (at-least-once). Both cards carry the same stable reference."""
    teams.fail(("slow", 1.0))
    ref = notifier(teams, timeout=0.3, max_wait=0.05).notify(make_escalation())
    _wait_until(lambda: len(teams.successes()) == 2)
    posted = teams.successes()
    assert len(posted) == 2 and ref.startswith("teams_webhook:202:")
    assert [r.card["body"][0]["id"] for r in posted] == ["dg-review-7", "dg-review-7"]
    for r in posted:
        assert any(b.get("text", "").startswith("Reference dg-review-7 ") for b in r.card["body"])
