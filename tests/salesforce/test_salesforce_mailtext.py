"""Salesforce bodies and thread entries go through the shared mail-text helpers (issue 9.15):
the HTML-to-text helper every source uses, and the one reply-parser language list."""

from __future__ import annotations

from agent.mailtext import html_to_text
from agent.models import InboundMessage
from tests.mailtext_cases import DANISH_QUOTE, HTML


def test_html_body_and_thread_entries_use_the_shared_helpers(fake, seed, make_source, cursors):
    case = seed.case("Faktura")
    seed.email(case, DANISH_QUOTE, at=fake.org.tick())
    latest = seed.email(case, "", html=HTML, at=fake.org.tick())
    (msg,) = [m for m in make_source().poll(cursors) if isinstance(m, InboundMessage)]
    assert msg.external_id == latest["Id"]
    assert msg.text_body == html_to_text(HTML)
    assert [t.text for t in msg.thread] == ["Tak, det passer fint."]
