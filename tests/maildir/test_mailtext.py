"""One HTML-to-text helper and one reply-parser configuration for every source (issue 9.15).

The same HTML body must give the same text whichever connector read it; the Outlook and
Salesforce halves are in tests/outlook/test_outlook_mailtext.py and
tests/salesforce/test_salesforce_mailtext.py."""

from __future__ import annotations

import re
from pathlib import Path

from maildir_testkit import build_mail

from agent.mailtext import REPLY_PARSER_LANGUAGES, html_to_text, latest_reply
from connectors.maildir.parse import parse_message
from tests.mailtext_cases import DANISH_QUOTE, HTML

ROOT = Path(__file__).resolve().parents[2]


def test_html_to_text_keeps_layout_without_trailing_spaces():
    text = html_to_text(HTML)
    assert "Amount due now" in text and "12 €" in text and "* first" in text
    assert all(line == line.rstrip() for line in text.split("\n"))
    assert not text.startswith("\n") and not text.endswith("\n")


def test_maildir_html_only_mail_uses_the_shared_helper():
    m = parse_message(build_mail(text=None, html=HTML), source="maildir:t", external_id="1", max_body_bytes=100_000)
    assert m.text_body == html_to_text(HTML)


def test_reply_parser_strips_quote_headers_of_every_configured_language():
    assert latest_reply(DANISH_QUOTE) == "Tak, det passer fint."
    assert set(REPLY_PARSER_LANGUAGES) >= {"en", "de", "fr", "es", "it", "nl", "da", "sv", "pl", "cs"}


def test_inscriptis_and_mail_parser_reply_are_used_in_one_module_only():
    users = []
    for path in ROOT.glob("**/*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith((".venv/", "tests/", "examples/")) or "/." in rel:
            continue
        if re.search(r"^\s*(from|import)\s+(inscriptis|mailparser_reply)\b", path.read_text("utf-8"), re.M):
            users.append(rel)
    assert users == ["agent/mailtext.py"]
