"""The reviewer sees which articles a draft relied on (issue 14): the Teams card lists the cited
titles and links with Markdown escaped, and marks citations of snippets that were not retrieved."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from markdown_it import MarkdownIt

from agent.escalation import draft_citations
from connectors.teams.card import escalation_card

sys.path.insert(0, str(Path(__file__).parents[1] / "teams"))
from teams_testkit import make_escalation  # noqa: E402


class _Draft:
    grounding = {
        "citations": [{"id": "KB-fees#2", "title": "Fees [click](https://evil.example) *now*", "url": "https://help.northwind.example/kb/fees"}],
        "unknown_citations": ["KB-invented#1"],
    }


def test_card_lists_cited_articles_escaped_and_flags_unknown_citations():
    card = escalation_card(make_escalation(**draft_citations(_Draft())))
    texts = [b.get("text", "") for b in card["body"]]
    assert "Sources cited" in texts
    line = next(t for t in texts if "Fees" in t)
    html = MarkdownIt().render(line)
    assert "<a " not in html and "<em>" not in html  # the title is shown literally, never as a link or emphasis
    assert "https://help.northwind.example/kb/fees" in line
    flagged = next(t for t in texts if "not retrieved" in t)
    assert "KB-invented#1" in MarkdownIt().render(flagged).replace("\\", "")


def test_no_grounding_no_section():
    class NoDraft:
        grounding = None

    card = escalation_card(make_escalation(**draft_citations(NoDraft())))
    assert "Sources cited" not in json.dumps(card)
    assert draft_citations(None) == {"citations": (), "unknown_citations": (), "citations_dropped": 0}
