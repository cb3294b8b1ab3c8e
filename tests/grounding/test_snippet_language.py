"""The client's language filters the knowledge snippets (agent/grounding.py, Grounder.snippets):
articles in that language when one answers, else English ones, never a third language's; the
real indexer and retriever over a SQLite knowledge base of the test's own."""

from __future__ import annotations

import pytest

from agent.drafting_config import DraftingConfig
from agent.grounding import Grounder, kb_retriever
from kb.config import KnowledgeConfig
from kb.index import index_knowledge
from kb.retrieve import retrieve
from storage.db import open_database
from tests.grounding.conftest import write_articles

DUTCH = "Hoeveel kost een overschrijving naar een andere bank?"  # shares "andere bank" with the German article


def _kb(tmp_path, *, dutch_article: bool):
    folder = tmp_path / "knowledge"
    write_articles(folder)
    if dutch_article:
        p = folder / "nl" / "overschrijvingskosten.md"
        p.parent.mkdir(parents=True)
        p.write_text("---\ntitle: Kosten van een overschrijving\nlanguage: nl\n---\n# Kosten van een overschrijving\n\n## Naar een andere bank\n\n"
                     "Een overschrijving naar een andere bank kost 25 EUR. Wij voeren haar uit binnen 2 werkdagen.\n", encoding="utf-8")
    engine, sf = open_database(f"sqlite:///{tmp_path / 'kb.db'}")
    assert index_knowledge(sf, KnowledgeConfig(folders=[str(folder)], base_url="https://help.northwind.example/kb"), tmp_path) is not None
    return engine, sf


@pytest.fixture
def kb_only_english_answers(tmp_path):
    engine, sf = _kb(tmp_path, dutch_article=False)
    yield sf
    engine.dispose()


@pytest.fixture
def kb_with_dutch(tmp_path):
    engine, sf = _kb(tmp_path, dutch_article=True)
    yield sf
    engine.dispose()


class _Spy:
    def __init__(self, inner):
        self.inner, self.calls = inner, []

    def __call__(self, query, language, k):
        self.calls.append(language)
        return self.inner(query, language, k)


def test_a_dutch_client_gets_the_english_article_when_no_dutch_one_answers(kb_only_english_answers):
    sf = kb_only_english_answers
    raw = retrieve(sf, DUTCH, k=5, language="nl")  # the boost alone: the German article ranks first
    assert raw[0].language == "de" and any(s.language == "en" for s in raw)
    spy = _Spy(kb_retriever(sf))
    got, err = Grounder(DraftingConfig(), retrieve=spy).snippets("Kosten", DUTCH, "nl")
    assert err is None and got
    assert {s.language for s in got} == {"en"} and got[0].id.startswith("KB-en-transfer-fees")
    assert spy.calls == ["nl"]  # one query, ranked with Dutch boosted


def test_an_article_in_the_clients_language_is_the_only_kind_given_when_one_answers(kb_with_dutch):
    got, _ = Grounder(DraftingConfig(), retrieve=kb_retriever(kb_with_dutch)).snippets("Kosten", DUTCH, "nl")
    assert got and {s.language for s in got} == {"nl"}
    german = "Was kostet eine Überweisung an eine andere Bank?"
    got, _ = Grounder(DraftingConfig(), retrieve=kb_retriever(kb_with_dutch)).snippets("Kosten", german, "de")
    assert got and {s.language for s in got} == {"de"}


def test_an_unknown_language_filters_nothing(kb_only_english_answers):
    got, _ = Grounder(DraftingConfig(snippets=5), retrieve=kb_retriever(kb_only_english_answers)).snippets("Kosten", DUTCH, "und")
    assert {"de", "en"} <= {s.language for s in got}
