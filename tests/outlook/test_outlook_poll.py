"""Polling: Inbox delta with paging and a stored delta link, look-back, 410 restart, skips,
thread context, headers, malformed items, throttling, per-mailbox isolation and concurrency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.errors import SourceError
from agent.models import InboundMessage
from agent.ports import BadItem
from connectors.outlook.messages import MESSAGE_FIELDS
from tests.outlook.conftest import CLIENT_ID, MAILBOX, OTHER, SECRET, TENANT
from tests.outlook.graph_fake import DELETE_FIELD, Fault

NOW = datetime.now(UTC)


def messages(items):
    return [i for i in items if isinstance(i, InboundMessage)]


def test_first_poll_reads_the_lookback_window_with_select_and_immutable_ids(graph, make_source, cursors):
    now = datetime.now(UTC)
    graph.deliver(MAILBOX, subject="old", received=now - timedelta(days=3))
    graph.deliver(MAILBOX, subject="new", received=now - timedelta(hours=2))
    src = make_source()
    got = messages(src.poll(cursors))
    assert [m.subject for m in got] == ["new"]
    first = graph.requests_for("GET", "/messages/delta")[0]
    since = datetime.fromisoformat(first.query["$filter"].split(" ge ")[1].replace("Z", "+00:00"))
    assert abs((now - since) - timedelta(days=1)) < timedelta(minutes=1)
    assert first.query["changeType"] == "created"
    assert first.query["$select"].split(",") == list(MESSAGE_FIELDS)
    for r in graph.log:
        assert 'IdType="ImmutableId"' in r.headers.get("prefer", ""), r.path
    assert "odata.maxpagesize=50" in first.headers["prefer"]


def test_pages_are_followed_to_the_delta_link_and_an_idle_poll_is_one_request(graph, entra, make_source, cursors):
    for i in range(120):
        graph.deliver(MAILBOX, subject=f"m{i}", received=NOW - timedelta(minutes=200 - i))
    src = make_source()
    got = messages(src.poll(cursors))
    assert len(got) == 120
    assert len({m.external_id for m in got}) == 120
    assert len(graph.requests_for("GET", "/messages/delta")) == 3  # 50 + 50 + 20, the last with the deltaLink
    link = cursors.get(src.name, f"delta:{MAILBOX}")
    assert link.startswith(graph.base) and "deltatoken" in link
    # idle poll: only the stored delta link, no token call
    n_graph, n_token = len(graph.log), entra.count("client_credentials")
    assert messages(src.poll(cursors)) == []
    assert len(graph.log) - n_graph == 1 and entra.count("client_credentials") == n_token
    assert "$deltatoken" in graph.log[-1].query
    # a new message comes alone
    graph.deliver(MAILBOX, subject="fresh")
    assert [m.subject for m in messages(src.poll(cursors))] == ["fresh"]


def test_delta_link_survives_a_new_process_via_the_cursor_store(graph, make_source, cursors):
    graph.deliver(MAILBOX, subject="a")
    messages(make_source().poll(cursors))
    graph.deliver(MAILBOX, subject="b")
    fresh = make_source()  # new source, same database
    assert [m.subject for m in messages(fresh.poll(cursors))] == ["b"]
    assert "$filter" not in graph.requests_for("GET", "/messages/delta")[-1].query


def test_expired_delta_link_restarts_from_the_watermark_not_the_mailbox(graph, make_source, cursors):
    graph.deliver(MAILBOX, subject="ancient", received=NOW - timedelta(hours=20))
    graph.deliver(MAILBOX, subject="seen", received=NOW - timedelta(minutes=30))
    src = make_source()
    assert {m.subject for m in messages(src.poll(cursors))} == {"ancient", "seen"}
    graph.expire_delta_tokens()
    graph.deliver(MAILBOX, subject="after-reset")
    got = messages(src.poll(cursors))
    delta_calls = graph.requests_for("GET", "/messages/delta")[-2:]
    assert delta_calls[0].status == 410
    since = datetime.fromisoformat(delta_calls[1].query["$filter"].split(" ge ")[1].replace("Z", "+00:00"))
    assert since > NOW - timedelta(minutes=45)  # the watermark minus the overlap, not the look-back
    assert "after-reset" in {m.subject for m in got}
    assert "ancient" not in {m.subject for m in got}
    assert "deltatoken" in cursors.get(src.name, f"delta:{MAILBOX}")


def test_change_events_and_removals_are_not_items(graph, make_source, cursors):
    m = graph.deliver(MAILBOX, subject="one")
    src = make_source()
    messages(src.poll(cursors))
    graph.mark_read(MAILBOX, m["id"])
    gone = graph.deliver(MAILBOX, subject="two")
    graph.remove(MAILBOX, gone["id"])
    items = list(src.poll(cursors))
    assert items == []


def test_malformed_messages_become_bad_items_and_the_rest_go_on(graph, make_source, cursors):
    graph.deliver(MAILBOX, subject="no sender", raw_overrides={"from": DELETE_FIELD, "sender": DELETE_FIELD})
    graph.deliver(MAILBOX, subject="bad date", raw_overrides={"receivedDateTime": "yesterday-ish"})
    graph.deliver(MAILBOX, subject="bad to", raw_overrides={"toRecipients": "jane@client.example"})
    graph.deliver(MAILBOX, subject="bad from", raw_overrides={"from": {"emailAddress": "jane"}, "sender": None})
    graph.deliver(MAILBOX, subject="huge", html="<p>" + "x" * 5000 + "</p>")
    graph.deliver(MAILBOX, subject="fine")
    src = make_source(max_body_bytes=2048)
    items = list(src.poll(cursors))
    bad = [i for i in items if isinstance(i, BadItem)]
    assert [m.subject for m in messages(items)] == ["fine"]
    assert len(bad) == 5
    errors = " | ".join(b.error for b in bad)
    for needle in ("sender is missing", "receivedDateTime", "toRecipients is not a list", "not a Graph recipient", "exceeds the limit"):
        assert needle in errors
    assert all(b.external_id.startswith(MAILBOX + "/") for b in bad)


def test_inbound_message_fields(graph, make_source, cursors):
    first = graph.deliver(MAILBOX, subject="Order 4711", received=NOW - timedelta(hours=3),
                          headers=[("Auto-Submitted", "no"), ("X-Custom-Junk", "1")])
    graph.send_from_mailbox(MAILBOX, in_reply_to=first["id"], html="<p>We are on it.</p>", sent=NOW - timedelta(hours=2))
    reply = graph.deliver(
        MAILBOX, subject="RE: Order 4711", received=NOW - timedelta(hours=1), reply_to_message=first["id"],
        html="<html><body><p>Thanks. <b>Any</b> news?</p><ul><li>one</li><li>two</li></ul></body></html>",
        headers=[("List-Id", "<clients.contoso.example>")],
    )
    src = make_source()
    got = {m.subject: m for m in messages(src.poll(cursors))}
    assert set(got) == {"RE: Order 4711"}  # the first one has a newer reply from us
    m = got["RE: Order 4711"]
    assert m.external_id == f"{MAILBOX}/{reply['id']}"
    assert m.conversation_id == reply["conversationId"]
    assert m.internet_message_id == reply["internetMessageId"]
    assert m.in_reply_to == first["internetMessageId"] and m.references == [first["internetMessageId"]]
    assert m.link == reply["webLink"]
    assert m.html_body and "<b>Any</b>" in m.html_body
    assert "<" not in m.text_body and "Any news?" in m.text_body and "one" in m.text_body
    assert m.headers.get("list-id") == "<clients.contoso.example>"
    assert "x-custom-junk" not in m.headers and all(k == k.lower() for k in m.headers)
    assert m.sender.email == "jane@client.example"
    # thread: earlier messages oldest first, ours marked, the message itself left out
    assert [t.from_us for t in m.thread] == [False, True]
    assert "We are on it." in m.thread[1].text
    assert m.thread[0].sent_at < m.thread[1].sent_at
    thread_q = graph.requests_for("GET", f"/users/{MAILBOX}/messages")
    assert thread_q and all("$orderby" not in r.query for r in thread_q)


def test_skips_drafts_own_mail_and_answered_threads(graph, make_source, cursors):
    graph.deliver(MAILBOX, subject="a draft in the inbox", is_draft=True)
    graph.deliver(MAILBOX, subject="from myself", sender=("Support", MAILBOX))
    answered = graph.deliver(MAILBOX, subject="answered root", received=NOW - timedelta(hours=2))
    graph.send_from_mailbox(MAILBOX, in_reply_to=answered["id"], html="<p>done</p>", sent=NOW - timedelta(hours=1))
    graph.deliver(MAILBOX, subject="needs an answer")
    src = make_source()
    assert [m.subject for m in messages(src.poll(cursors))] == ["needs an answer"]
    assert src.stats["skipped"] == 3


def test_conversation_roots_cost_no_thread_query(graph, make_source, cursors):
    for i in range(5):
        graph.deliver(MAILBOX, subject=f"new topic {i}")
    src = make_source()
    got = messages(src.poll(cursors))
    assert len(got) == 5 and all(m.thread == [] for m in got)
    assert graph.requests_for("GET", f"/users/{MAILBOX}/messages") == []


def test_headers_are_fetched_when_the_delta_item_lacks_them(graph, make_source, cursors):
    graph.deliver(MAILBOX, subject="auto", headers=[("Auto-Submitted", "auto-replied")])
    graph.deliver(MAILBOX, subject="plain")
    graph.omit_headers_in_delta = True
    got = messages(make_source().poll(cursors))
    assert {m.subject: m.headers.get("auto-submitted") for m in got} == {"auto": "auto-replied", "plain": None}
    q = [r for r in graph.log if r.query.get("$select") == "internetMessageHeaders"]
    assert len(q) == 2 and all(r.path.endswith(m.external_id.split("/", 1)[1]) for r, m in zip(q, got, strict=True))


def test_headers_in_the_delta_item_cost_no_extra_request(graph, make_source, cursors):
    graph.deliver(MAILBOX, subject="auto", headers=[("Auto-Submitted", "auto-replied")])
    got = messages(make_source().poll(cursors))
    assert got[0].headers["auto-submitted"] == "auto-replied"
    assert not [r for r in graph.log if r.query.get("$select") == "internetMessageHeaders"]


def test_throttled_delta_honours_retry_after_then_succeeds(graph, make_source, cursors, sleeps):
    graph.deliver(MAILBOX, subject="x")
    graph.faults.append(Fault("GET", r"/messages/delta$", 429, times=2, retry_after="1.5"))
    got = messages(make_source().poll(cursors))
    assert [m.subject for m in got] == ["x"]
    assert sleeps[:2] == [1.5, 1.5]


def test_a_failing_mailbox_is_reported_and_backed_off_without_stopping_the_others(graph, entra, make_source, make_cfg, cursors):
    entra.apps[CLIENT_ID].mailboxes = {OTHER}  # application access policy: only sales@
    graph.deliver(MAILBOX, subject="blocked")
    graph.deliver(OTHER, subject="allowed")
    clock = [1000.0]
    src = make_source(make_cfg(mailboxes=[MAILBOX, OTHER], interval_seconds=30), clock=lambda: clock[0])
    got = []
    with pytest.raises(SourceError) as ei:
        for item in src.poll(cursors):
            got.append(item)
    assert [m.subject for m in got] == ["allowed"]
    assert ei.value.transient and MAILBOX in str(ei.value) and "ErrorAccessDenied" in str(ei.value)
    # within the backoff the failing mailbox is not even asked
    graph.deliver(OTHER, subject="allowed 2")
    before = len(graph.requests_for(path_contains=MAILBOX))
    assert [m.subject for m in messages(src.poll(cursors))] == ["allowed 2"]
    assert len(graph.requests_for(path_contains=MAILBOX)) == before
    # after the backoff it is tried again; once access is granted it recovers
    entra.apps[CLIENT_ID].mailboxes = None
    clock[0] += 31
    assert [m.subject for m in messages(src.poll(cursors))] == ["blocked"]
    assert src.health[MAILBOX].failures == 0


def test_throttling_beyond_the_budget_fails_that_mailbox_only(graph, make_source, make_cfg, cursors, sleeps):
    graph.deliver(OTHER, subject="fine")
    graph.faults.append(Fault("GET", rf"/users/{MAILBOX}/mailFolders/Inbox/messages/delta$", 503, times=100, retry_after="1"))
    src = make_source(make_cfg(mailboxes=[MAILBOX, OTHER], retry_max_attempts=3))
    got = []
    with pytest.raises(SourceError) as ei:
        for item in src.poll(cursors):
            got.append(item)
    assert "HTTP 503" in str(ei.value)
    assert len(graph.requests_for("GET", f"/users/{MAILBOX}/mailFolders/Inbox/messages/delta")) == 3
    assert [m.subject for m in got] == ["fine"]


def test_thread_queries_run_in_parallel_but_never_more_than_four_per_mailbox(graph, make_source, cursors):
    roots = [graph.deliver(MAILBOX, subject=f"t{i}", received=NOW - timedelta(hours=5)) for i in range(12)]
    src = make_source()
    messages(src.poll(cursors))
    for r in roots:
        graph.deliver(MAILBOX, subject="follow-up", reply_to_message=r["id"])
    graph.delay_seconds = 0.15
    got = messages(src.poll(cursors))
    assert len(got) == 12
    assert 2 <= graph.max_in_flight[MAILBOX] <= 4


def test_wrong_secret_is_reported_per_mailbox(graph, entra, make_source, cursors, monkeypatch):
    monkeypatch.setenv("DRAFTGUARD_GRAPH_CLIENT_SECRET", "wrong")
    graph.deliver(MAILBOX, subject="x")
    with pytest.raises(SourceError) as ei:
        list(make_source().poll(cursors))
    assert "invalid_client" in str(ei.value)
    assert graph.log == []  # nothing reached Graph without a token
    assert SECRET and TENANT  # fixtures in use
