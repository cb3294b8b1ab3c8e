"""The risk taxonomy (rules/risk/taxonomy.py) and its document docs/risk_taxonomy.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rules.risk.taxonomy import BY_ID, CATEGORIES, GROUPS, IDS, group_of, render_markdown

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = {
    "compliance": {"legal_threat", "regulator_complaint", "press_threat", "data_subject_request", "investment_advice"},
    "security": {"fraud_report", "prompt_injection", "harassment_threat"},
    "vulnerable-customers": {"bereavement", "vulnerability"},
    "client-services": {"complaint", "cancellation", "dispute_chargeback"},
}


def test_thirteen_categories_each_in_its_reviewer_group():
    assert len(IDS) == 13 == len(set(IDS))
    got = {g: {c.id for c in CATEGORIES if c.group == g} for g in GROUPS}
    assert got == EXPECTED
    for c in CATEGORIES:
        assert c.definition and c.title and c.examples, c.id


def test_advice_is_told_apart_from_general_education():
    advice = BY_ID["investment_advice"]
    assert "general financial education" in advice.definition.lower()
    assert any("expense ratio" in e for e in advice.not_examples)


def test_unknown_category_names_the_id():
    with pytest.raises(KeyError, match="nonsense"):
        group_of("nonsense")


def test_document_is_generated_from_the_module():
    doc = (ROOT / "docs" / "risk_taxonomy.md").read_text(encoding="utf-8")
    assert doc == render_markdown(), "regenerate: python -m rules.risk.taxonomy > docs/risk_taxonomy.md"


def test_labelled_set_uses_only_taxonomy_ids():
    used = set()
    for line in (ROOT / "evaluation" / "data" / "risk" / "cases.jsonl").read_text(encoding="utf-8").splitlines():
        used.update(json.loads(line)["categories"])
    assert used == set(IDS)


def test_documented_examples_behave_as_documented():
    """Every example of docs/risk_taxonomy.md raises its category and every counter-example is
    ordinary, through the shipped signals (lexicon, classifier, normaliser)."""
    from rules.risk.assess import assess

    for c in CATEGORIES:
        for text in c.examples:
            assert c.id in assess("", "", text).categories, (c.id, text)
        for text in c.not_examples:
            a = assess("", "", text)
            assert not a.must_review, (c.id, text, sorted(a.categories), a.reasons)
