"""Reply drafts: one createReply carrying body, category and key; look before create; retries
on POST; one AI draft per conversation; read state; HTML layout."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from agent.errors import DeliveryError
from agent.formatting import text_to_html
from agent.models import InboundMessage, ReplyDraft
from agent.reply import idempotency_key
from connectors.outlook.drafts import KEY_PROP, compose_reply_html
from tests.outlook.conftest import MAILBOX
from tests.outlook.graph_fake import Fault

NOW = datetime.now(UTC)
SIGNATURE = "Kind regards,\nContoso Support"


def reply_for(msg: InboundMessage, text: str = "Hello Jane,\n\nyour order ships today:\n\n- tracking: [link](https://contoso.example/t/4711)\n- ETA: Friday\n\nKind regards,\nContoso Support") -> ReplyDraft:
    return ReplyDraft(
        idempotency_key=idempotency_key(msg.source, msg.external_id),
        subject="Re: " + msg.subject,
        text=text,
        html=text_to_html(text),
        to=[msg.sender],
    )


def poll_one(src, cursors) -> InboundMessage:
    got = [m for m in src.poll(cursors) if isinstance(m, InboundMessage)]
    assert len(got) == 1
    return got[0]


def test_one_create_reply_carries_body_category_and_key(graph, make_source, cursors):
    orig = graph.deliver(MAILBOX, subject="Order 4711")
    src = make_source()
    msg = poll_one(src, cursors)
    draft = reply_for(msg)
    n = len(graph.log)
    receipt = src.deliver(msg, draft)
    calls = graph.log[n:]
    assert [c.method for c in calls] == ["GET", "POST"]  # look-before-create, then createReply
    assert "singleValueExtendedProperties/any(" in calls[0].query["$filter"] and draft.idempotency_key in calls[0].query["$filter"]
    assert calls[1].path.endswith(f"/messages/{orig['id']}/createReply")
    body = calls[1].body["message"]
    assert body["categories"] == ["draftguard"]
    assert body["singleValueExtendedProperties"] == [{"id": KEY_PROP, "value": draft.idempotency_key}]
    assert body["toRecipients"] == [{"emailAddress": {"address": "jane@client.example", "name": "Jane Client"}}]
    assert "comment" not in calls[1].body
    assert not graph.requests_for("PATCH")
    drafts = graph.drafts(MAILBOX)
    assert len(drafts) == 1 and receipt.created and receipt.ref == drafts[0]["id"]
    d = drafts[0]
    assert d["isDraft"] and d["conversationId"] == orig["conversationId"] and d["categories"] == ["draftguard"]
    assert receipt.target == f"outlook:{MAILBOX}:Drafts"
    assert graph.props_of(MAILBOX, d["id"]) == [{"id": KEY_PROP, "value": draft.idempotency_key}]


def test_draft_html_is_proper_html_above_the_quoted_original_with_one_signature(graph, make_source, cursors):
    graph.deliver(MAILBOX, subject="Order 4711", html="<p>Where is <b>my</b> order?</p><script>alert(1)</script>")
    src = make_source()
    msg = poll_one(src, cursors)
    text = "Hello Jane,\n\nit ships today:\n\n- one\n- two\n\nSee https://contoso.example.\n\nKind regards,\nContoso Support\n\nKind regards,\nContoso Support"
    src.deliver(msg, reply_for(msg, text))
    html = graph.drafts(MAILBOX)[0]["body"]["content"]
    assert "<p>Hello Jane,</p>" in html and "<ul>" in html and "<li>one</li>" in html
    assert "&lt;p&gt;" not in html and "&lt;b&gt;" not in html
    assert html.count("Contoso Support") == 1
    assert html.index("it ships today") < html.index("divRplyFwdMsg") < html.index("Where is <b>my</b> order?")
    assert "<script>" not in html and "alert(1)" not in html
    assert html.startswith("<html>") and "<body>" in html


def test_compose_escapes_a_plain_text_original():
    msg = InboundMessage(source="outlook:x", external_id="a/b", subject="<hi>", sender={"email": "j@c.example", "name": "J"},
                         text_body="a < b\nsecond line", received_at=NOW)
    draft = ReplyDraft(idempotency_key="dg-x", subject="Re", text="ok", html="<p>ok</p>", to=[msg.sender])
    html = compose_reply_html(draft, msg)
    assert "a &lt; b<br>second line" in html and "&lt;hi&gt;" in html


def test_second_delivery_finds_the_first_draft(graph, make_source, cursors):
    graph.deliver(MAILBOX, subject="Order")
    src = make_source()
    msg = poll_one(src, cursors)
    draft = reply_for(msg)
    first = src.deliver(msg, draft)
    again = src.deliver(msg, draft)
    other_process = make_source().deliver(msg, draft)
    assert first.created and not again.created and not other_process.created
    assert again.ref == other_process.ref == first.ref
    assert len(graph.drafts(MAILBOX)) == 1


def test_reply_in_a_known_thread_needs_no_extra_lookup(graph, make_source, cursors):
    root = graph.deliver(MAILBOX, subject="Order", received=NOW - timedelta(hours=3))
    src = make_source()
    poll_one(src, cursors)
    graph.deliver(MAILBOX, subject="RE: Order", reply_to_message=root["id"])
    msg = poll_one(src, cursors)
    n = len(graph.log)
    assert src.deliver(msg, reply_for(msg)).created
    assert [c.method for c in graph.log[n:]] == ["POST"]  # the thread query of the poll already showed no draft


def test_throttled_create_reply_is_retried_after_retry_after_and_creates_one_draft(graph, make_source, cursors, sleeps):
    graph.deliver(MAILBOX, subject="Order")
    src = make_source()
    msg = poll_one(src, cursors)
    graph.faults.append(Fault("POST", r"/createReply$", 429, times=3, retry_after="2"))
    receipt = src.deliver(msg, reply_for(msg))
    posts = graph.requests_for("POST", "/createReply")
    assert [p.status for p in posts] == [429, 429, 429, 201]
    assert sleeps == [2.0, 2.0, 2.0]
    assert receipt.created and len(graph.drafts(MAILBOX)) == 1


def test_gateway_timeout_after_the_draft_was_made_does_not_duplicate_it(graph, make_source, cursors):
    graph.deliver(MAILBOX, subject="Order")
    src = make_source()
    msg = poll_one(src, cursors)
    graph.faults.append(Fault("POST", r"/createReply$", 504, times=1, retry_after="0", code="GatewayTimeout", after=True))
    receipt = src.deliver(msg, reply_for(msg))
    assert len(graph.requests_for("POST", "/createReply")) == 1
    assert len(graph.drafts(MAILBOX)) == 1 and receipt.ref == graph.drafts(MAILBOX)[0]["id"]
    assert not receipt.created


def test_service_unavailable_past_the_budget_is_a_transient_delivery_error(graph, make_source, make_cfg, cursors):
    # (429 past the budget pauses the source instead: test_outlook_throttle.py)
    graph.deliver(MAILBOX, subject="Order")
    src = make_source(make_cfg(retry_max_attempts=4))
    msg = poll_one(src, cursors)
    graph.faults.append(Fault("POST", r"/createReply$", 503, times=100, code="ServiceUnavailable"))
    with pytest.raises(DeliveryError) as ei:
        src.deliver(msg, reply_for(msg))
    assert ei.value.transient and "503" in str(ei.value)
    assert len(graph.requests_for("POST", "/createReply")) == 4
    assert graph.drafts(MAILBOX) == []


def test_deleted_original_is_a_permanent_delivery_error(graph, make_source, cursors):
    orig = graph.deliver(MAILBOX, subject="Order")
    src = make_source()
    msg = poll_one(src, cursors)
    graph.mailboxes[MAILBOX].messages.pop(orig["id"])
    with pytest.raises(DeliveryError) as ei:
        src.deliver(msg, reply_for(msg))
    assert not ei.value.transient and "ErrorItemNotFound" in str(ei.value)


def test_newer_client_message_replaces_our_unedited_draft(graph, make_source, cursors):
    root = graph.deliver(MAILBOX, subject="Order", received=NOW - timedelta(hours=3))
    src = make_source()
    m1 = poll_one(src, cursors)
    old = src.deliver(m1, reply_for(m1))
    graph.deliver(MAILBOX, subject="RE: Order", reply_to_message=root["id"], html="<p>Also: can I change the address?</p>")
    m2 = poll_one(src, cursors)
    new = src.deliver(m2, reply_for(m2, "Hello Jane,\n\nyes, address changed."))
    drafts = graph.drafts(MAILBOX)
    assert [d["id"] for d in drafts] == [new.ref]
    assert graph.mailboxes[MAILBOX].messages[old.ref]["parentFolderId"] == graph.mailboxes[MAILBOX].folders["deleteditems"]


def test_an_edited_draft_is_left_alone(graph, make_source, cursors):
    root = graph.deliver(MAILBOX, subject="Order", received=NOW - timedelta(hours=3))
    src = make_source()
    m1 = poll_one(src, cursors)
    old = src.deliver(m1, reply_for(m1))
    graph.edit(MAILBOX, old.ref, body={"contentType": "html", "content": "<p>my own words</p>"})
    graph.deliver(MAILBOX, subject="RE: Order", reply_to_message=root["id"])
    m2 = poll_one(src, cursors)
    new = src.deliver(m2, reply_for(m2))
    ids = {d["id"] for d in graph.drafts(MAILBOX)}
    assert ids == {old.ref, new.ref}
    assert not graph.requests_for("DELETE")


def test_replacement_also_works_without_the_poll_snapshot(graph, make_source, cursors):
    root = graph.deliver(MAILBOX, subject="Order", received=NOW - timedelta(hours=3))
    src = make_source()
    m1 = poll_one(src, cursors)
    old = src.deliver(m1, reply_for(m1))
    graph.deliver(MAILBOX, subject="RE: Order", reply_to_message=root["id"])
    m2 = poll_one(src, cursors)
    fresh = make_source()  # e.g. a resumed delivery in a new process: no snapshot in memory
    new = fresh.deliver(m2, reply_for(m2))
    assert [d["id"] for d in graph.drafts(MAILBOX)] == [new.ref]
    assert old.ref != new.ref


@pytest.mark.parametrize("was_read", [False, True])
def test_reply_all_keeps_the_original_read_state(graph, make_source, make_cfg, cursors, was_read):
    orig = graph.deliver(MAILBOX, subject="Order", is_read=was_read, cc=[("Bob", "bob@client.example")])
    src = make_source(make_cfg(reply_all=True))
    msg = poll_one(src, cursors)
    src.deliver(msg, reply_for(msg))
    assert graph.requests_for("POST", "/createReplyAll")
    assert graph.mailboxes[MAILBOX].messages[orig["id"]]["isRead"] is was_read
    assert len(graph.requests_for("PATCH")) == (0 if was_read else 1)


def test_plain_reply_leaves_an_unread_original_unread(graph, make_source, cursors):
    orig = graph.deliver(MAILBOX, subject="Order", is_read=False)
    src = make_source()
    msg = poll_one(src, cursors)
    src.deliver(msg, reply_for(msg))
    assert graph.mailboxes[MAILBOX].messages[orig["id"]]["isRead"] is False
    assert not graph.requests_for("PATCH")


def test_never_more_than_four_requests_in_flight_per_mailbox(graph, make_source, cursors):
    for i in range(10):
        graph.deliver(MAILBOX, subject=f"topic {i}")
    src = make_source()
    msgs = [m for m in src.poll(cursors) if isinstance(m, InboundMessage)]
    graph.delay_seconds = 0.1
    errors = []

    def work(m):
        try:
            src.deliver(m, reply_for(m))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(m,)) for m in msgs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(graph.drafts(MAILBOX)) == 10
    assert graph.max_in_flight[MAILBOX] == 4


def test_two_client_messages_of_one_thread_in_one_poll_leave_one_draft(graph, make_source, cursors):
    root = graph.deliver(MAILBOX, subject="Order", received=NOW - timedelta(hours=3))
    graph.deliver(MAILBOX, subject="RE: Order", received=NOW - timedelta(hours=2), reply_to_message=root["id"])
    src = make_source()
    msgs = [m for m in src.poll(cursors) if isinstance(m, InboundMessage)]
    assert len(msgs) == 2
    receipts = [src.deliver(m, reply_for(m)) for m in msgs]  # both use the same poll-time snapshot
    assert [d["id"] for d in graph.drafts(MAILBOX)] == [receipts[1].ref]
