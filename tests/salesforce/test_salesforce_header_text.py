"""Header text from Salesforce is normalised like every source's (issue 9.4, agent/headers.py):
``FromName``/``Subject`` with zero-width, bidi and control characters and ids with NUL,
polled through the real SalesforceSource from the fake org."""

from __future__ import annotations

from agent.models import InboundMessage


def test_email_message_header_text_is_normalised_at_parse(fake, seed, make_source, cursors):
    case = seed.case("Invoice question")
    seed.email(
        case,
        subject="Invoice\u200b 4711\x00 \u202equestion",
        from_name="Hank\u202e\u200b Scorpio\u2066\x07",
        MessageIdentifier="<abc\x00def@globex.example>",
        headers="Message-ID: <abc\x00def@globex.example>\nIn-Reply-To: <r1\x00@ours.example>\nReferences: <root\x00@ours.example> <r1\x00@ours.example>\n",
    )
    (msg,) = [m for m in make_source().poll(cursors) if isinstance(m, InboundMessage)]
    assert msg.sender.name == "Hank Scorpio"
    assert msg.subject == "Invoice 4711 question"
    assert msg.internet_message_id == "<abcdef@globex.example>"
    assert msg.in_reply_to == "<r1@ours.example>"
    assert msg.references == ["<root@ours.example>", "<r1@ours.example>"]
