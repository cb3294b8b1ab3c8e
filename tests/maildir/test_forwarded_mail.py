"""A message the client forwards is what the client asks about: kept in the latest text, through
mail-parser-reply (agent/mailtext.py: latest_reply), and so in the prompt, the risk and injection
checks and the redaction of the item."""

from __future__ import annotations

import pytest

from agent.context import build_context
from agent.mailtext import latest_reply
from agent.models import Address, InboundMessage

GMAIL = (
    "Hi team, see below - can you help? It's about my mum's account.\n\nThanks\nAnna\n\n"
    "---------- Forwarded message ---------\nFrom: Bank Notices <notices@bank.example>\n"
    "Date: Mon, 3 Mar 2025 at 10:00\nSubject: Your direct debit\nTo: Anna Lee <anna@client.example>\n\n"
    "Dear customer, your direct debit of 45.00 will change on 1 April.\n"
)
APPLE_DE = (
    "Stimmt das so?\n\nVon meinem iPhone gesendet\n\nAnfang der weitergeleiteten Nachricht:\n\n"
    "> Von: Stadtwerke <info@stadtwerke.example>\n> Betreff: Zählerstand\n> Datum: 3. März 2025\n>\n"
    "> Ihr Zählerstand: 48213.\n"
)
OUTLOOK = (
    "Can you check this bill?\n\nThanks\n\n________________________________\n"
    "From: Energy Co <billing@energy.example>\nSent: 03 March 2025 10:00\nTo: me@client.example\n"
    "Cc: partner@client.example\nSubject: Your bill\n\nYour bill is 120 EUR.\n"
)


def test_a_gmail_forward_keeps_the_forwarded_message_after_the_clients_lines():
    text = latest_reply(GMAIL, "Fwd: Your direct debit")
    assert text.startswith("Hi team, see below")
    assert text.count("Forwarded message") == 1
    assert "From: Bank Notices <notices@bank.example>" in text
    assert "Subject: Your direct debit" in text
    assert text.endswith("your direct debit of 45.00 will change on 1 April.")
    assert "To: Anna Lee" not in text  # recipients are left out


def test_an_apple_mail_forward_in_german_loses_its_quote_marks():
    text = latest_reply(APPLE_DE)
    assert "Anfang der weitergeleiteten Nachricht" in text
    assert "Von: Stadtwerke <info@stadtwerke.example>" in text
    assert text.endswith("Ihr Zählerstand: 48213.")
    assert ">" not in text.replace("<info@stadtwerke.example>", "")


@pytest.mark.parametrize("subject", ["FW: Your bill", "WG: Ihre Rechnung", "TR: facture", "Fwd: bill"])
def test_an_outlook_forward_is_told_from_a_reply_by_its_subject(subject):
    text = latest_reply(OUTLOOK, subject)
    assert text.startswith("Can you check this bill?")
    assert "From: Energy Co <billing@energy.example>" in text and "Your bill is 120 EUR." in text
    assert "Cc:" not in text and "To: me@" not in text


@pytest.mark.parametrize("subject", ["RE: Your bill", "Your bill", "AW: Rechnung", "Inquiry: fw rates"])
def test_a_reply_keeps_cutting_the_quoted_history(subject):
    assert latest_reply(OUTLOOK, subject) == "Can you check this bill?\n\nThanks"


def test_build_context_gives_the_forwarded_text_to_everything_downstream():
    msg = InboundMessage(
        source="maildir:local",
        external_id="1",
        subject="Fwd: Your direct debit",
        sender=Address(name="Anna Lee", email="anna@client.example"),
        text_body=GMAIL,
    )
    ctx = build_context(msg, max_chars=4000)
    assert "direct debit of 45.00 will change" in ctx.latest_text
    assert ctx.language == "en"
