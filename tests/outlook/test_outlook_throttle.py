"""Graph throttling past the retry budget pauses the source (agent.errors.SourceThrottledError
with ``until`` from Retry-After) instead of failing the item: in delivery (createReply and the
look-up before it), in a resumed fetch and in a poll, through O365 + the connector against
the local Graph."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from agent.errors import DeliveryError, SourceThrottledError
from agent.models import InboundMessage
from tests.outlook.conftest import MAILBOX, OTHER
from tests.outlook.graph_fake import Fault
from tests.outlook.test_outlook_drafts import poll_one, reply_for

T0 = datetime(2025, 6, 3, 10, 0, tzinfo=UTC)


def fixed_now():
    return T0


def test_createreply_throttled_16_times_pauses_the_source_until_retry_after(graph, make_source, make_cfg, cursors):
    graph.deliver(MAILBOX, subject="Order")
    src = make_source(make_cfg(retry_max_attempts=4), now=fixed_now)
    msg = poll_one(src, cursors)
    graph.faults.append(Fault("POST", r"/createReply$", 429, times=16, retry_after="120"))
    with pytest.raises(SourceThrottledError) as ei:
        src.deliver(msg, reply_for(msg))
    err = ei.value
    assert not isinstance(err, DeliveryError)
    assert err.until == T0 + timedelta(seconds=120)
    assert err.source == src.name and "429" in str(err) and MAILBOX in str(err)
    assert len(graph.requests_for("POST", "/createReply")) == 4
    assert graph.drafts(MAILBOX) == []
    # once the pause is over, the same item is delivered normally (no duplicate)
    graph.faults.clear()
    receipt = src.deliver(msg, reply_for(msg))
    assert receipt.created and len(graph.drafts(MAILBOX)) == 1


def test_throttled_lookup_before_create_pauses_too_with_an_http_date(graph, make_source, make_cfg, cursors):
    graph.deliver(MAILBOX, subject="Order")
    src = make_source(make_cfg(retry_max_attempts=3), now=fixed_now)
    msg = poll_one(src, cursors)
    fresh = make_source(make_cfg(retry_max_attempts=3), now=fixed_now)  # no poll snapshot: looks the key up first
    when = T0 + timedelta(minutes=7)
    graph.faults.append(Fault("GET", rf"/users/{MAILBOX}/messages$", 429, times=50, retry_after=format_datetime(when, usegmt=True)))
    with pytest.raises(SourceThrottledError) as ei:
        fresh.deliver(msg, reply_for(msg))
    assert ei.value.until == when
    assert not graph.requests_for("POST", "/createReply")


def test_throttled_without_retry_after_pauses_for_the_configured_wait(graph, make_source, make_cfg, cursors):
    graph.deliver(MAILBOX, subject="Order")
    src = make_source(make_cfg(retry_max_attempts=2, retry_max_wait_seconds=45), now=fixed_now)
    msg = poll_one(src, cursors)
    graph.faults.append(Fault("POST", r"/createReply$", 429, times=5))
    with pytest.raises(SourceThrottledError) as ei:
        src.deliver(msg, reply_for(msg))
    assert ei.value.until == T0 + timedelta(seconds=45)


def test_a_hostile_retry_after_is_capped(graph, make_source, make_cfg, cursors):
    graph.deliver(MAILBOX, subject="Order")
    src = make_source(make_cfg(retry_max_attempts=2), now=fixed_now)
    msg = poll_one(src, cursors)
    graph.faults.append(Fault("POST", r"/createReply$", 429, times=5, retry_after="99999999"))
    with pytest.raises(SourceThrottledError) as ei:
        src.deliver(msg, reply_for(msg))
    assert ei.value.until == T0 + timedelta(hours=1)


def test_gateway_errors_stay_transient_delivery_errors(graph, make_source, make_cfg, cursors):
    graph.deliver(MAILBOX, subject="Order")
    src = make_source(make_cfg(retry_max_attempts=2), now=fixed_now)
    msg = poll_one(src, cursors)
    graph.faults.append(Fault("POST", r"/createReply$", 502, times=5, code="BadGateway"))
    with pytest.raises(DeliveryError) as ei:
        src.deliver(msg, reply_for(msg))
    assert ei.value.transient and not isinstance(ei.value, SourceThrottledError)


def test_throttled_resume_fetch_pauses(graph, make_source, make_cfg, cursors):
    graph.deliver(MAILBOX, subject="Order")
    src = make_source(make_cfg(retry_max_attempts=2), now=fixed_now)
    msg = poll_one(src, cursors)
    graph.faults.append(Fault("GET", r"/messages/[^/]+$", 429, times=5, retry_after="30"))
    with pytest.raises(SourceThrottledError) as ei:
        src.fetch(msg.external_id)
    assert ei.value.until == T0 + timedelta(seconds=30)


def test_throttled_mailbox_in_a_poll_pauses_the_source_after_the_others(graph, make_source, make_cfg, cursors):
    graph.deliver(OTHER, subject="fine")
    graph.deliver(MAILBOX, subject="later")
    graph.faults.append(Fault("GET", rf"/users/{MAILBOX}/mailFolders/Inbox/messages/delta$", 429, times=100, retry_after="300"))
    clock = [1000.0]
    src = make_source(make_cfg(mailboxes=[MAILBOX, OTHER], retry_max_attempts=3), now=fixed_now, clock=lambda: clock[0])
    got = []
    with pytest.raises(SourceThrottledError) as ei:
        for item in src.poll(cursors):
            got.append(item)
    assert [m.subject for m in got if isinstance(m, InboundMessage)] == ["fine"]
    assert ei.value.until == T0 + timedelta(seconds=300) and MAILBOX in str(ei.value)
    asked = len(graph.requests_for("GET", f"/users/{MAILBOX}/"))
    assert asked == 3
    # within the pause the throttled mailbox is not asked again; after it, it is
    clock[0] += 299
    list(src.poll(cursors))
    assert len(graph.requests_for("GET", f"/users/{MAILBOX}/")) == asked
    graph.faults.clear()
    clock[0] += 2
    assert [m.subject for m in src.poll(cursors) if isinstance(m, InboundMessage)] == ["later"]
