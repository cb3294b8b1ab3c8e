"""Redaction quality on labelled PII text: recall and precision per entity type.

Run: ``python main.py eval pii [--split test]`` or ``python -m evaluation.pii --split test``.

Each sample goes through the real redaction path (:meth:`agent.redaction.Redactor.pseudonymise`
on an item whose latest text is the sample, its language detected as the pipeline does, no
header seeds); the spans it replaced are compared with the labels (:mod:`evaluation.pii_data`).

- **recall** of an entity type: the share of its labelled values whose every letter and digit
  lies inside a replaced span (of any type: a value masked as LOCATION instead of PERSON does
  not reach the model either). A partly masked value counts as missed.
- **precision** of a predicted type: the share of replaced spans of that type that overlap
  some labelled value (any label, core or not: masking a title or an organisation name is not a
  false positive; masking "Abrechnung" is).

Thresholds come from ``evaluation/thresholds.toml`` ``[pii]``; :func:`check` lists every
figure below its threshold.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from evaluation.pii_data import Sample, load

THRESHOLDS = Path(__file__).resolve().parent / "thresholds.toml"
CORE = ("PERSON", "LOCATION", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "EMAIL_ADDRESS", "DATE_OF_BIRTH")
NOT_PII = {"TITLE", "ORGANIZATION", "AGE", "NRP", "DATE_TIME", "GPE"}


@dataclass
class Miss:
    """A labelled value not fully masked, or a replaced span that overlaps no label (ids, types, value)."""

    sample: str
    entity: str
    value: str
    detector: str = ""


@dataclass
class Report:
    """Counts per entity type and the misses; ``recall``/``precision`` are computed from them."""

    split: str
    samples: int = 0
    gold: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    found: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    predicted: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    correct: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_language: dict[str, list[int]] = field(default_factory=dict)  # lang -> [core values, fully masked]
    misses: list[Miss] = field(default_factory=list)
    false_positives: list[Miss] = field(default_factory=list)
    seconds: float = 0.0

    def recall(self, entity: str) -> float | None:
        """Share of labelled ``entity`` values fully masked; None when the split has none."""
        return self.found[entity] / self.gold[entity] if self.gold.get(entity) else None

    def precision(self, entity: str) -> float | None:
        """Share of replaced ``entity`` spans that overlap a label; None when none was replaced."""
        return self.correct[entity] / self.predicted[entity] if self.predicted.get(entity) else None

    def as_dict(self) -> dict:
        """JSON-ready figures: per entity gold/found/recall and predicted/correct/precision."""
        entities = sorted(set(self.gold) | set(self.predicted))
        return {
            "split": self.split,
            "samples": self.samples,
            "seconds": round(self.seconds, 2),
            "core_recall_by_language": {k: {"gold": g, "found": f, "recall": f / g if g else None} for k, (g, f) in sorted(self.by_language.items())},
            "entities": {
                e: {
                    "core": e in CORE,
                    "gold": self.gold.get(e, 0),
                    "found": self.found.get(e, 0),
                    "recall": self.recall(e),
                    "predicted": self.predicted.get(e, 0),
                    "correct": self.correct.get(e, 0),
                    "precision": self.precision(e),
                }
                for e in entities
            },
        }


def _covered(text: str, start: int, end: int, mask: list[bool]) -> bool:
    return all(mask[i] for i in range(start, end) if text[i].isalnum())


def evaluate(samples: list[Sample], redactor, split: str = "?") -> Report:
    """Run ``redactor`` over ``samples`` and count per entity type (see the module docstring)."""
    report = Report(split=split)
    t0 = time.perf_counter()
    for s in samples:
        report.samples += 1
        found = redactor.detect(s.text)
        mask = [False] * len(s.text)
        for d in found:
            for i in range(d.start, d.end):
                mask[i] = True
        for g in s.spans:
            report.gold[g.entity] += 1
            covered = _covered(s.text, g.start, g.end, mask)
            if g.entity in CORE:
                per = report.by_language.setdefault(s.lang, [0, 0])
                per[0] += 1
                per[1] += covered
            if covered:
                report.found[g.entity] += 1
            else:
                report.misses.append(Miss(s.id, g.entity, g.value))
        for d in found:
            report.predicted[d.entity] += 1
            if any(d.start < g.end and g.start < d.end for g in s.spans):
                report.correct[d.entity] += 1
            else:
                report.false_positives.append(Miss(s.id, d.entity, s.text[d.start : d.end], d.recogniser))
    report.seconds = time.perf_counter() - t0
    return report


def thresholds(path: Path = THRESHOLDS) -> dict:
    """The ``[pii]`` table of ``thresholds.toml``: ``recall_min``, ``precision_min``, ``core``."""
    with path.open("rb") as f:
        return tomllib.load(f)["pii"]


def check(report: Report, limits: dict | None = None) -> list[str]:
    """Every core-entity figure below its threshold, as one line each (empty = pass)."""
    limits = limits or thresholds()
    problems = []
    for e in limits.get("core", CORE):
        r = report.recall(e)
        if r is None:
            problems.append(f"{e}: no labelled values in split {report.split}: recall cannot be measured")
        elif r < limits["recall_min"]:
            problems.append(f"{e}: recall {r:.3f} < {limits['recall_min']}")
        p = report.precision(e)
        if p is not None and p < limits["precision_min"]:
            problems.append(f"{e}: precision {p:.3f} < {limits['precision_min']}")
    return problems


def format_report(report: Report, show_misses: bool = False) -> str:
    """A plain-text table (one line per entity type); misses list sample ids and types, and
    the values only when ``show_misses`` is set (the data is synthetic or written)."""
    lines = [f"PII redaction on split {report.split}: {report.samples} samples in {report.seconds:.1f} s", ""]
    lines.append(f"{'entity':<20} {'core':<4} {'gold':>5} {'found':>6} {'recall':>7} {'pred':>5} {'ok':>5} {'precision':>9}")
    d = report.as_dict()["entities"]
    for e, v in sorted(d.items(), key=lambda kv: (not kv[1]["core"], kv[0])):
        r = "-" if v["recall"] is None else f"{v['recall']:.3f}"
        p = "-" if v["precision"] is None else f"{v['precision']:.3f}"
        lines.append(f"{e:<20} {'yes' if v['core'] else '':<4} {v['gold']:>5} {v['found']:>6} {r:>7} {v['predicted']:>5} {v['correct']:>5} {p:>9}")
    lines.append("gold: labelled values; found: fully masked; pred: replaced spans of the type; ok: those overlapping a labelled value")
    lines.append("(a value replaced in several pieces counts each piece, so ok may exceed gold; precision = ok / pred)")
    lines.append(f"rows without 'yes' are reported only: {', '.join(sorted(NOT_PII))} are no personal data the product masks (see evaluation/data/pii/README.md)")
    lines.append("")
    lines.append("core values fully masked, by language: " + ", ".join(f"{k} {f}/{g}" for k, (g, f) in sorted(report.by_language.items())))
    if show_misses:
        lines.append("")
        lines += [f"MISS {m.sample} {m.entity}: {m.value!r}" for m in report.misses if m.entity not in NOT_PII]
        lines += [f"FP   {m.sample} {m.entity} ({m.detector}): {m.value!r}" for m in report.false_positives]
    return "\n".join(lines)


def build_redactor():
    """The redactor of the default configuration (the one ``config.example.toml`` uses)."""
    from agent.config import OrganisationConfig, RedactionConfig
    from agent.redaction import Redactor

    return Redactor(RedactionConfig(), OrganisationConfig(name="Northwind Advisory", domains=["northwind.example"]))


def main(argv: list[str] | None = None) -> int:
    """CLI: print the report for a split; exit 1 when a core figure is below its threshold."""
    ap = argparse.ArgumentParser(prog="evaluation.pii", description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="test", choices=["train", "dev", "test", "all"])
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--misses", action="store_true", help="list missed values and false positives (tuning: train/dev only)")
    args = ap.parse_args(argv)
    samples = load(None if args.split == "all" else args.split)
    report = evaluate(samples, build_redactor(), args.split)
    problems = check(report)
    if args.json:
        print(json.dumps({**report.as_dict(), "below_threshold": problems}, indent=2))
    else:
        print(format_report(report, show_misses=args.misses))
        print()
        print("thresholds: " + ("all core entities pass" if not problems else "BELOW: " + "; ".join(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
