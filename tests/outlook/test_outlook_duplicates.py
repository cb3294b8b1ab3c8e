"""Exactly one draft per idempotency key after an ambiguous createReply: Graph carries out a
createReply after the client timed out (the retry's look-up ran before it finished), so two
drafts carry the same key. After the ambiguous failure, and on every poll for a while after
it (and whenever a conversation query shows it), the connector keeps exactly one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agent.models import InboundMessage
from tests.outlook.conftest import MAILBOX
from tests.outlook.graph_fake import Slow, iso
from tests.outlook.test_outlook_drafts import poll_one, reply_for

NOW = datetime.now(UTC)


def with_key(graph, key: str) -> list[dict]:
    mb = graph.mailboxes[MAILBOX]
    return [m for m in graph.drafts(MAILBOX) if any(p["value"] == key for p in mb.props.get(m["id"], []))]


def test_createreply_completing_after_the_timeout_leaves_one_draft(graph, make_source, make_cfg, cursors):
    graph.deliver(MAILBOX, subject="Order")
    src = make_source(make_cfg(timeout_seconds=0.5))
    msg = poll_one(src, cursors)
    draft = reply_for(msg)
    graph.slow.append(Slow("POST", r"/createReply$", seconds=1.5))
    receipt = src.deliver(msg, draft)
    assert graph.wait_idle(10)
    posts = graph.requests_for("POST", "/createReply")
    assert len(posts) == 2  # the timed-out one was carried out as well
    assert len(with_key(graph, draft.idempotency_key)) == 2  # what the mailbox holds right now
    list(src.poll(cursors))  # the next poll settles the ambiguous key
    left = with_key(graph, draft.idempotency_key)
    assert [d["id"] for d in left] == [receipt.ref]
    deleted = graph.folder_messages(MAILBOX, "deleteditems")
    assert len(deleted) == 1 and deleted[0]["id"] != receipt.ref


def test_a_new_process_settles_the_key_too(graph, make_source, make_cfg, cursors):
    graph.deliver(MAILBOX, subject="Order")
    src = make_source(make_cfg(timeout_seconds=0.5))
    msg = poll_one(src, cursors)
    draft = reply_for(msg)
    graph.slow.append(Slow("POST", r"/createReply$", seconds=1.5))
    receipt = src.deliver(msg, draft)
    assert graph.wait_idle(10)
    src.close()
    list(make_source(make_cfg(timeout_seconds=0.5)).poll(cursors))  # the record is in the database
    assert [d["id"] for d in with_key(graph, draft.idempotency_key)] == [receipt.ref]


def duplicate(graph, src, msg, draft):
    """Make a second draft with the same key, as a createReply that landed unseen would."""
    gid = msg.external_id.split("/", 1)[1]
    url = f"{src.con.protocol.service_url}users/{MAILBOX}/messages/{gid}/createReply"
    return src.con.post(url, data=src.writer.reply_payload(draft, "<html><body><p>dup</p></body></html>")).json()


def test_the_conversation_query_of_a_later_poll_removes_an_unseen_duplicate(graph, make_source, cursors):
    root = graph.deliver(MAILBOX, subject="Order", received=NOW - timedelta(hours=3))
    src = make_source()
    m1 = poll_one(src, cursors)
    d1 = reply_for(m1)
    first = src.deliver(m1, d1)
    dup = duplicate(graph, src, m1, d1)
    assert len(with_key(graph, d1.idempotency_key)) == 2
    graph.deliver(MAILBOX, subject="RE: Order", reply_to_message=root["id"], html="<p>Any news?</p>")
    m2 = poll_one(src, cursors)
    assert isinstance(m2, InboundMessage)
    assert [d["id"] for d in with_key(graph, d1.idempotency_key)] == [first.ref]
    assert graph.mailboxes[MAILBOX].messages[dup["id"]]["parentFolderId"] == graph.mailboxes[MAILBOX].folders["deleteditems"]
    new = src.deliver(m2, reply_for(m2))
    assert [d["id"] for d in graph.drafts(MAILBOX)] == [new.ref]  # one AI draft in the conversation


def test_a_duplicate_a_person_edited_is_the_one_kept(graph, make_source, cursors):
    root = graph.deliver(MAILBOX, subject="Order", received=NOW - timedelta(hours=3))
    src = make_source()
    m1 = poll_one(src, cursors)
    d1 = reply_for(m1)
    first = src.deliver(m1, d1)
    dup = duplicate(graph, src, m1, d1)
    later = datetime.fromisoformat(dup["createdDateTime"].replace("Z", "+00:00")) + timedelta(minutes=2)
    graph.edit(MAILBOX, dup["id"], body={"contentType": "html", "content": "<p>my words</p>"})
    graph.mailboxes[MAILBOX].messages[dup["id"]]["lastModifiedDateTime"] = iso(later)
    graph.deliver(MAILBOX, subject="RE: Order", reply_to_message=root["id"])
    poll_one(src, cursors)
    assert [d["id"] for d in with_key(graph, d1.idempotency_key)] == [dup["id"]]
    assert graph.mailboxes[MAILBOX].messages[first.ref]["parentFolderId"] == graph.mailboxes[MAILBOX].folders["deleteditems"]
