"""Redaction quality on the held-out test split meets evaluation/thresholds.toml [pii] (issue 10).

One test per core entity, so a change that lowers any of them fails CI with the figure. Entities
that do not reach the threshold yet are marked ``xfail(strict=True)`` with today's figure: the
gap stays visible in every run, and the marker must be removed (the test then fails) as soon
as the entity passes. Never lower a threshold to pass."""

from __future__ import annotations

import tomllib

import pytest

from evaluation.pii import CORE, check, evaluate, thresholds
from evaluation.pii import THRESHOLDS as THRESHOLDS_FILE
from evaluation.pii_data import load

# Measured on the test split when this file was written (see the issue 10 report); not tuned on it.
BELOW_THRESHOLD = {
    "LOCATION": "recall 42/45 = 0.933 on test (was 41/45): three labelled address values not fully masked "
    "(test is held out: not inspected)",
}


@pytest.fixture(scope="module")
def report(redactor):
    return evaluate(load("test"), redactor, "test")


def test_thresholds_file_holds_the_issue_figures():
    limits = thresholds()
    assert limits["recall_min"] >= 0.95 and limits["precision_min"] >= 0.8
    assert set(limits["core"]) == set(CORE)


@pytest.mark.parametrize(
    "entity",
    [pytest.param(e, marks=pytest.mark.xfail(strict=True, reason=BELOW_THRESHOLD[e])) if e in BELOW_THRESHOLD else e for e in CORE],
)
def test_core_entity_meets_the_thresholds_on_the_test_split(report, entity):
    limits = thresholds()
    problems = [p for p in check(report, limits) if p.startswith(f"{entity}:")]
    assert not problems, problems


def test_entities_below_target_do_not_fall_below_todays_figure(report):
    """While an entity misses its target (xfail above), the recall measured when the gap was
    recorded is a floor: a change that lowers redaction still fails CI ([pii.regression])."""
    floors = tomllib.loads(THRESHOLDS_FILE.read_text(encoding="utf-8"))["pii"]["regression"]
    assert set(floors) == set(BELOW_THRESHOLD), "a floor per entity that misses its target, and only those"
    below = {e: round(report.recall(e), 3) for e, floor in floors.items() if report.recall(e) is None or report.recall(e) + 1e-9 < floor}
    assert not below, f"recall fell below the recorded floor: {below} (floors {floors})"


def test_the_report_says_which_rows_are_not_masked_by_design():
    from evaluation.pii import NOT_PII, Report, format_report

    r = Report(split="x")
    r.gold["AGE"] = 3
    r.gold["PERSON"] = 2
    r.found["PERSON"] = 2
    text = format_report(r)
    legend = next(line for line in text.splitlines() if line.startswith("rows without 'yes'"))
    assert all(e in legend for e in NOT_PII) and "PERSON" not in legend
