"""retrieve(): the handles it takes, k, the language preference, the snippet's fields."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from kb.config import KnowledgeConfig
from kb.index import index_knowledge
from kb.retrieve import Snippet, retrieve
from storage.db import open_database

GERMAN = """---
language: de
---
# Gebühren

Die Depotgebühr beträgt 0,25 % pro Jahr und wird vierteljährlich berechnet.
"""


@pytest.fixture
def indexed(kb_db_url, articles):
    (articles / "gebuehren.md").write_text(GERMAN, encoding="utf-8")
    engine, sf = open_database(kb_db_url)
    index_knowledge(sf, KnowledgeConfig(folders=[articles], base_url="https://kb.example.com/"), articles.parent)
    yield engine, sf
    engine.dispose()


def test_handles_k_and_fields(indexed):
    engine, sf = indexed
    by_factory = retrieve(sf, "custody fee per year", k=2)
    with Session(engine) as s:
        by_session = retrieve(s, "custody fee per year", k=2)
        assert s.is_active  # a session passed in is left open for its owner
    assert by_factory == retrieve(engine, "custody fee per year", k=2) == by_session
    assert len(by_factory) == 2 and by_factory[0].score >= by_factory[1].score
    top = by_factory[0]
    assert isinstance(top, Snippet)
    assert (top.id, top.article_id, top.title, top.source_path) == ("KB-fees-overview#1", "fees-overview", "Fees and charges", "fees/overview.md")
    assert top.url == "https://help.example.com/fees" and top.language == "en"
    assert top.text.startswith("Fees\n") and "0.25%" in top.text
    with pytest.raises(ValueError):
        retrieve(sf, "fee", k=0)
    with pytest.raises(TypeError):
        retrieve("sqlite:///x.db", "fee")


def test_question_language_is_preferred(indexed):
    _, sf = indexed
    german = retrieve(sf, "Wie hoch ist die Depotgebühr pro Jahr?", k=3)
    assert german[0].article_id == "gebuehren" and german[0].language == "de"
    assert german[0].url == "https://kb.example.com/gebuehren"
    assert retrieve(sf, "Depotgebühr", k=1, language="de")[0].id == "KB-gebuehren#1"
    assert retrieve(sf, "custody fee", k=1, language="de")[0].article_id == "fees-overview"  # no German words: English wins


def test_one_article_does_not_take_every_place(indexed, articles):
    _, sf = indexed
    long = "# Fees FAQ\n\n" + "\n\n".join(f"## Fee question {i}\n\nThe custody fee question {i}." for i in range(6))
    (articles / "faq.md").write_text(long, encoding="utf-8")
    index_knowledge(sf, KnowledgeConfig(folders=[articles]), articles.parent)
    found = retrieve(sf, "custody fee question", k=3)
    assert [s.article_id for s in found].count("faq") == 2 and len(found) == 3
    only = retrieve(sf, "fee question 3", k=5)
    assert len(only) == 5 and [s.article_id for s in only].count("faq") >= 3  # places nothing else fills
