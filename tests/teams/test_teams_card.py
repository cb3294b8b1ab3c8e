"""The Adaptive Card for an escalation: content, privacy defaults, and schema 1.4 validity."""

from __future__ import annotations

from teams_testkit import DRAFT, card_validator, make_escalation, validation_errors, webhook_validator

from agent.ports import Digest
from connectors.teams.card import CardOptions, digest_card, escalation_card, webhook_payload


def texts(card: dict) -> str:
    """Every string in the card, joined: what a reader of the card could see."""
    out: list[str] = []

    def walk(v):
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, str):
            out.append(v)

    walk(card)
    return "\n".join(out)


def test_default_card_is_valid_1_4_and_shows_why_without_personal_data():
    card = escalation_card(make_escalation())
    assert validation_errors(card_validator(), card) == []
    assert card["version"] == "1.4"
    seen = texts(card)
    for expected in ("Refund for order 1234", "commitment.refund (high)", "disclosure.missing (medium)",
                     "commitments_to_compliance", "gpt-4o-mini", "reply/v1", "client.example", "compliance"):
        assert expected in seen, expected
    # default: no draft body, no sender address (only the client's domain)
    assert "refund 500 EUR" not in seen and "Ann Lee" not in seen
    assert "ann.lee@" not in seen
    actions = card["actions"]
    assert actions == [{"type": "Action.OpenUrl", "title": "Open original", "url": make_escalation().link}]


def test_preview_and_address_only_when_config_allows():
    opts = CardOptions(include_draft_preview=True, preview_chars=30, client_display="address",
                       draft_url_template="https://draftguard.example/review/{review_task_id}")
    card = escalation_card(make_escalation(), opts)
    assert validation_errors(card_validator(), card) == []
    seen = texts(card)
    assert DRAFT[:30].rstrip() in seen and DRAFT[30:] not in seen  # truncated
    assert "ann.lee@client.example" in seen
    assert {"type": "Action.OpenUrl", "title": "Open draft", "url": "https://draftguard.example/review/7"} in card["actions"]


def test_client_hidden_and_non_web_link_left_off():
    card = escalation_card(make_escalation(link="/var/mail/cur/1700000000.M1P1.host:2,S"), CardOptions(client_display="none"))
    assert validation_errors(card_validator(), card) == []
    assert "actions" not in card
    assert "client.example" not in texts(card)


def test_reminder_card_says_so():
    card = escalation_card(make_escalation(reminder=2, open_minutes=500))
    assert validation_errors(card_validator(), card) == []
    assert "Reminder 2" in texts(card) and "500 min" in texts(card)


def test_no_findings_card_is_valid():
    card = escalation_card(make_escalation(findings=()))
    assert validation_errors(card_validator(), card) == []


def test_digest_card_lists_open_escalations_and_caps_rows():
    escs = tuple(make_escalation(item_id=i, subject=f"Subject {i}") for i in range(1, 61))
    card = digest_card(Digest(group="compliance", escalations=escs, day="2026-11-30"))
    assert validation_errors(card_validator(), card) == []
    seen = texts(card)
    assert "60 open escalations" in seen and "item 1 · Subject 1" in seen and "item 50 · Subject 50" in seen
    assert "item 51 · Subject 51" not in seen and "and 10 more" in seen


def test_webhook_envelope_is_valid():
    assert validation_errors(webhook_validator(), webhook_payload(escalation_card(make_escalation()))) == []


def test_schema_subset_is_strict():
    """The schema catches what Teams would not render: a 1.5 property, a bad enum, version 1.5."""
    card = escalation_card(make_escalation())
    bad = dict(card, version="1.5")
    assert validation_errors(card_validator(), bad)
    bad = dict(card, body=[{"type": "TextBlock", "text": "x", "style": "heading"}])
    assert validation_errors(card_validator(), bad)
    bad = dict(card, body=[{"type": "TextBlock", "text": "x", "color": "red"}])
    assert validation_errors(card_validator(), bad)
    bad = dict(card, actions=[{"type": "Action.OpenUrl", "title": "x"}])
    assert validation_errors(card_validator(), bad)
    assert validation_errors(webhook_validator(), {"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.teams.card.o365connector", "content": card}]})


# ---------------------------------------------------------------------------- hostile client text (issue 9.3)

HOSTILE = [
    "[Verify your account](https://evil.example/login)",
    "![x](https://evil.example/p.png?u=1) **urgent** __now__ *a* _b_ `code` ~~old~~",
    "<https://evil.example/autolink> <b>bold</b> &#91;Click&#93;(https://evil.example) AT&T",
    "[ref]: https://evil.example/ref\n[Click][ref]",
    "# Heading\n> quote\n- item\n+ item\n1. one\n2) two\ntext\n===\nback\\slash \\[x\\]",
]


def _inline_only(md: str) -> str:
    """Render ``md`` as CommonMark (+ strikethrough) with markdown-it-py; fail on any markup
    other than plain text and line breaks; return the text a reader would see."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("strikethrough").parse(md)
    seen: list[str] = []
    for tok in tokens:
        assert tok.type in ("paragraph_open", "paragraph_close", "inline"), (tok.type, md)
        for child in tok.children or []:
            assert child.type in ("text", "softbreak", "hardbreak"), (child.type, md)
            seen.append(child.content if child.type == "text" else "\n")
    return "".join(seen)


def test_markdown_escape_shows_client_text_literally():
    from connectors.teams.card import markdown_escape

    for raw in HOSTILE:
        assert _inline_only(markdown_escape(raw)) == raw


def test_hostile_subject_and_preview_are_not_rendered_as_links():
    opts = CardOptions(include_draft_preview=True, preview_chars=2000, client_display="address")
    esc = make_escalation(
        subject=HOSTILE[0],
        sender="*boss*_@client.example",
        draft_preview="Dear client,\n\n[Verify your account](https://evil.example/login) today.",
    )
    card = escalation_card(esc, opts)
    assert validation_errors(card_validator(), card) == []
    subject = card["body"][1]["facts"][0]["value"]
    client = card["body"][1]["facts"][1]["value"]
    preview = card["body"][-3]["items"][1]["text"]
    assert _inline_only(subject) == HOSTILE[0]
    assert _inline_only(client) == "*boss*_@client.example"
    assert "[Verify your account](https://evil.example/login) today." in _inline_only(preview)
    digest = digest_card(Digest(group="compliance", escalations=(esc,), day="2026-11-30"))
    assert validation_errors(card_validator(), digest) == []
    line = digest["body"][1]["items"][0]["text"]
    assert HOSTILE[0] in _inline_only(line)


def test_cards_carry_a_stable_reference():
    first = escalation_card(make_escalation())
    again = escalation_card(make_escalation())
    reminder = escalation_card(make_escalation(reminder=2, open_minutes=90))
    assert first["body"][0]["id"] == again["body"][0]["id"] == "dg-review-7"
    assert reminder["body"][0]["id"] == "dg-review-7-reminder-2"
    assert "Reference dg-review-7 · correlation id" in texts(first)
    digest = digest_card(Digest(group="Compliance Team", escalations=(), day="2026-11-30"))
    assert digest["body"][0]["id"] == "dg-digest-compliance-team-2026-11-30"
    assert "Reference dg-digest-compliance-team-2026-11-30" in texts(digest)
    for card in (first, reminder, digest):
        assert validation_errors(card_validator(), card) == []
