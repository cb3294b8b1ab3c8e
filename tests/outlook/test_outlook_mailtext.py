"""Outlook HTML bodies go through the shared HTML-to-text helper (issue 9.15)."""

from __future__ import annotations

from agent.mailtext import html_to_text
from agent.models import InboundMessage
from tests.mailtext_cases import HTML
from tests.outlook.conftest import MAILBOX


def test_graph_html_body_uses_the_shared_helper(graph, make_source, cursors):
    graph.deliver(MAILBOX, subject="html", html=HTML)
    (msg,) = [m for m in make_source().poll(cursors) if isinstance(m, InboundMessage)]
    assert msg.text_body == html_to_text(HTML)
