"""The retrieval gate (issue 14): recall@3 on the held-out test split of the known questions,
on SQLite and PostgreSQL, at least ``evaluation/thresholds.toml`` ``[kb] recall_at_3_min``."""

from __future__ import annotations

from evaluation.kb import KNOWLEDGE, ROOT, evaluate, load_questions, threshold
from kb.config import KnowledgeConfig
from kb.index import index_knowledge
from storage.db import open_database


def test_recall_at_3_on_the_test_split_meets_the_threshold(kb_db_url):
    questions = load_questions()
    assert len(questions) >= 60 and {q.split for q in questions} == {"dev", "test"}
    engine, sf = open_database(kb_db_url)
    try:
        report = index_knowledge(sf, KnowledgeConfig(folders=[KNOWLEDGE]), ROOT)
        assert report.errors == [] and len(report.added) >= 30
        result = evaluate(sf, questions, split="test")
    finally:
        engine.dispose()
    floor = threshold("recall_at_3_min")
    assert result.n >= 30
    assert result.recall_at_3 >= floor, f"recall@3 {result.recall_at_3:.3f} < {floor}; missed: {', '.join(result.misses)}"
