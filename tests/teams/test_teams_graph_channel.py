"""TeamsGraphChannelNotifier through `requests` against a local Graph channel-messages endpoint."""

from __future__ import annotations

import json

import pytest
from teams_testkit import GRAPH_TOKEN, FakeTeams, make_escalation

from agent.config import NotifyConfig, ReviewerGroupConfig, TeamsConfig
from agent.errors import NotifyError
from connectors.teams.graph_channel import TeamsGraphChannelNotifier

TEAM = "fbe2bf47-16c8-47cf-b4a5-4b9b187c508b"
CHANNEL = "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2"


@pytest.fixture
def teams():
    with FakeTeams() as fake:
        yield fake


def notifier(teams, token=GRAPH_TOKEN, **kw):
    return TeamsGraphChannelNotifier(TEAM, CHANNEL, lambda: token, base_url=teams.graph_base, max_wait=0.05, **kw)


def test_posts_card_attachment_as_channel_message(teams):
    ref = notifier(teams).notify(make_escalation())
    rec = teams.received[0]
    assert rec.status == 201, rec.errors
    assert rec.path == f"/v1.0/teams/{TEAM}/channels/19%3A4a95f7d8db4c4e7fae857bcebe0623e6%40thread.tacv2/messages"
    assert rec.headers["Authorization"] == f"Bearer {GRAPH_TOKEN}"
    att = rec.body["attachments"][0]
    assert isinstance(att["content"], str) and json.loads(att["content"])["version"] == "1.4"
    assert rec.body["body"]["content"] == f'<attachment id="{att["id"]}"></attachment>'
    assert ref == "teams_graph:1600000000001"


def test_throttled_then_created(teams):
    teams.fail(("retry_after", 429, "0"), ("status", 502))
    notifier(teams).notify(make_escalation())
    assert [r.status for r in teams.received] == [429, 502, 201]


def test_expired_token_is_not_retried(teams):
    with pytest.raises(NotifyError, match=r"HTTP 401 \(InvalidAuthenticationToken\)"):
        notifier(teams, token="expired").notify(make_escalation())
    assert len(teams.received) == 1


def test_group_channel_and_env_token(teams, monkeypatch):
    cfg = NotifyConfig(
        transport="teams_graph",
        teams=TeamsConfig(graph_base_url=teams.graph_base, team_id=TEAM, channel_id=CHANNEL, graph_token_env="DG_TEST_GRAPH_TOKEN", max_wait_seconds=0.05),
    )
    n = TeamsGraphChannelNotifier.from_config(cfg, [ReviewerGroupConfig(name="legal", channel_id="19:legal@thread.tacv2")])
    monkeypatch.delenv("DG_TEST_GRAPH_TOKEN", raising=False)
    with pytest.raises(NotifyError, match="DG_TEST_GRAPH_TOKEN is not set"):
        n.notify(make_escalation(group="legal"))
    monkeypatch.setenv("DG_TEST_GRAPH_TOKEN", GRAPH_TOKEN)
    n.notify(make_escalation(group="legal"))
    assert teams.received[-1].status == 201
    assert "/channels/19%3Alegal%40thread.tacv2/messages" in teams.received[-1].path


def test_slow_graph_post_duplicate_has_the_same_attachment_and_reference(teams):
    """Issue 9.3: a post that lands after our timeout is sent again; both messages carry the
    same attachment id and card reference, so reviewers can tell it is a duplicate."""
    import time

    teams.fail(("slow", 1.0))
    notifier(teams, timeout=0.3).notify(make_escalation(reminder=1, open_minutes=61))
    deadline = time.monotonic() + 5
    while len(teams.successes()) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    posted = teams.successes()
    assert len(posted) == 2
    assert len({r.body["attachments"][0]["id"] for r in posted}) == 1
    assert [r.card["body"][0]["id"] for r in posted] == ["dg-review-7-reminder-1"] * 2
