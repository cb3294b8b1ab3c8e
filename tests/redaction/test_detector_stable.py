"""The detector named for each value is the same on every run (agent/pii/engine.py: one_per_span).

Presidio collapses equal results through a set; with two recognisers finding the same span at the
same score, which one was named depended on string hashing, so the same text named different
detectors in two processes. Checked the way it failed: two processes with different hash seeds."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

from presidio_analyzer import RecognizerResult

from agent.pii.engine import one_per_span
from tests.e2e.helpers import ROOT

SCRIPT = """
import json, sys
from evaluation.pii import build_redactor
from evaluation.pii_data import load
texts = [s.text for s in load("train")][:300]
r = build_redactor()
print(json.dumps([[(d.entity, d.start, d.end, d.recogniser) for d in r.detect(t)] for t in texts]))
"""


def _named(seed: str) -> list:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


def test_two_processes_with_different_hash_seeds_name_the_same_detectors():
    a, b = _named("1"), _named("2")
    assert sum(len(x) for x in a) > 250  # the texts hold values
    assert a == b


def _result(name: str, start: int = 0, end: int = 5, score: float = 0.6) -> RecognizerResult:
    return RecognizerResult("LOCATION", start, end, score, recognition_metadata={"recognizer_name": name})


def test_of_equal_results_the_first_recogniser_name_is_kept_whatever_the_order():
    results = [_result("PyapAddressRecognizer"), _result("EuAddressRecognizer"), _result("SpacyRecognizer"), _result("X", 6, 9)]
    for _ in range(20):
        random.shuffle(results)
        kept = one_per_span(results)
        assert sorted((r.start, r.recognition_metadata["recognizer_name"]) for r in kept) == [(0, "EuAddressRecognizer"), (6, "X")]


def test_results_that_differ_in_score_or_span_are_all_kept():
    results = [_result("A"), _result("B", score=0.7), _result("C", end=6)]
    assert len(one_per_span(results)) == 3
