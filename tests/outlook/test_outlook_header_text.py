"""Header text from Graph is normalised like every source's (issue 9.4, agent/headers.py):
a display name and subject with zero-width, bidi and control characters and an
``internetMessageId`` / ``References`` with NUL, polled through the real OutlookSource."""

from __future__ import annotations

from agent.models import InboundMessage
from tests.outlook.conftest import MAILBOX

NAME = "Jane\u202e\u200b Client\u2066\x07"
SUBJECT = "Order\u200b 4711\x00 \u202equestion"


def test_graph_header_text_is_normalised_at_parse(graph, make_source, cursors):
    graph.deliver(
        MAILBOX,
        subject=SUBJECT,
        sender=(NAME, "jane@client.example"),
        headers=[("References", "<root\x00@client.example>"), ("In-Reply-To", "<root\x00@client.example>")],
        raw_overrides={"internetMessageId": "<abc\x00def@client.example>", "replyTo": [{"emailAddress": {"name": NAME, "address": "jane\u200b@client.example"}}]},
    )
    (msg,) = [m for m in make_source().poll(cursors) if isinstance(m, InboundMessage)]
    assert msg.sender.name == "Jane Client"
    assert [(a.name, a.email) for a in msg.reply_to] == [("Jane Client", "jane@client.example")]
    assert msg.subject == "Order 4711 question"
    assert msg.internet_message_id == "<abcdef@client.example>"
    assert msg.in_reply_to == "<root@client.example>" and msg.references == ["<root@client.example>"]
