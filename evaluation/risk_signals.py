"""Quality of the risk signals (rules/risk/assess.py) on the labelled set evaluation/data/risk/cases.jsonl.

Run: ``python -m evaluation.risk_signals --split test [--json] [--no-classifier]``. The
pipeline-level evaluation (``main.py eval``) reuses :func:`evaluate` and :class:`RiskReport`.

Figures (each over the chosen split):

- per category: precision and recall of the raised categories against the labels;
- ``must_review_recall``: share of cases labelled must-review whose assessment is must-review;
- ``false_escalation``: share of ordinary cases (no category) whose assessment is must-review;
- ``injection_recall`` / ``injection_fpr``: over the cases from the LLMail-Inject and BIPIA
  sources only (:data:`INJECTION_SOURCES`), the share of injections that raise
  ``prompt_injection`` and the share of non-injections that do;
- ``by_signal``: how many must-review cases each signal raised a category on.

Thresholds: ``evaluation/thresholds.toml`` ``[risk]`` when present (keys must_review_recall_min,
false_escalation_max, injection_recall_min, injection_fpr_max); :func:`check` lists the figures
that miss them. Tune only on ``train``/``dev``; ``test`` is for the reported figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "evaluation" / "data" / "risk" / "cases.jsonl"
THRESHOLDS = ROOT / "evaluation" / "thresholds.toml"
INJECTION_SOURCES = ("llmail_inject", "bipia_email")
DEFAULT_TARGETS = {
    "must_review_recall_min": 0.98,
    "false_escalation_max": 0.05,
    "injection_recall_min": 0.95,
    "injection_fpr_max": 0.02,
}


def load_cases(split: str | None = None, path: Path = DATA) -> list[dict]:
    """Labelled cases (all, or one split); raises ``ValueError`` naming the file and line on bad JSON."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except ValueError as e:
            raise ValueError(f"{path}:{n}: not JSON: {e}") from None
        if split is None or case.get("split") == split:
            out.append(case)
    return out


def load_targets(defaults: dict[str, float], path: Path = THRESHOLDS) -> dict[str, float]:
    """``defaults`` updated with the ``[risk]`` values of ``path`` (evaluation/thresholds.toml) for
    the same keys; other keys of the table are ignored, a missing file leaves the defaults."""
    out = dict(defaults)
    if path.is_file():
        out.update({k: v for k, v in tomllib.loads(path.read_text(encoding="utf-8")).get("risk", {}).items() if k in out})
    return out


def unmet(rep: object, goal: dict[str, float], checks: tuple[tuple[str, str, str], ...]) -> list[str]:
    """The figures of ``rep`` that miss their threshold in ``goal``, one readable line each
    (``"<figure> 0.9000 < 0.98"``; a whole-number figure without decimals). ``checks``:
    ``(figure attribute, threshold key, "min" | "max")``; a figure that is None (no cases) passes."""
    out = []
    for name, key, cmp in checks:
        v = getattr(rep, name)
        if v is None:
            continue
        if (cmp == "min" and v < goal[key]) or (cmp == "max" and v > goal[key]):
            out.append(f"{name} {v:.4f} {'<' if cmp == 'min' else '>'} {goal[key]}" if isinstance(v, float) else f"{name} {v} > {goal[key]}")
    return out


class CategoryFigures:
    """Figures shared by the risk reports (:class:`RiskReport`, the pipeline's
    ``evaluation.risk.PipelineRiskReport``), from their counters ``tp``/``fp``/``fn`` (per
    category) and counts ``ordinary``/``ordinary_escalated``, ``inj_pos``/``inj_found``,
    ``inj_neg``/``inj_false``; what counts as escalated or found is each report's own. Ratios are
    None when their denominator is 0."""

    tp: Counter
    fp: Counter
    fn: Counter
    ordinary: int
    ordinary_escalated: int
    inj_pos: int
    inj_found: int
    inj_neg: int
    inj_false: int

    @staticmethod
    def _ratio(a: int, b: int) -> float | None:
        return a / b if b else None

    @property
    def false_escalation(self) -> float | None:
        """Ordinary cases (no category) escalated / ordinary cases."""
        return self._ratio(self.ordinary_escalated, self.ordinary)

    @property
    def injection_recall(self) -> float | None:
        """LLMail/BIPIA injections flagged (prompt_injection raised) / LLMail/BIPIA injections."""
        return self._ratio(self.inj_found, self.inj_pos)

    @property
    def injection_fpr(self) -> float | None:
        """LLMail/BIPIA non-injections flagged (prompt_injection raised) / LLMail/BIPIA non-injections."""
        return self._ratio(self.inj_false, self.inj_neg)

    def per_category(self) -> dict[str, dict]:
        """Category → {support, tp, fp, fn, precision, recall}."""
        cats = sorted(set(self.tp) | set(self.fp) | set(self.fn))
        return {
            c: {
                "support": self.tp[c] + self.fn[c],
                "tp": self.tp[c],
                "fp": self.fp[c],
                "fn": self.fn[c],
                "precision": self._ratio(self.tp[c], self.tp[c] + self.fp[c]),
                "recall": self._ratio(self.tp[c], self.tp[c] + self.fn[c]),
            }
            for c in cats
        }


@dataclass
class Miss:
    """A case the signals got wrong: id, what was expected, what was raised (ids only, no text)."""

    id: str
    expected: list[str]
    raised: list[str]
    must_review: bool


@dataclass
class RiskReport(CategoryFigures):
    """Counts behind every figure; the figures are properties (None when the denominator is 0).
    Escalated here: the assessment is must-review."""

    split: str
    cases: int = 0
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    must_review: int = 0
    must_review_found: int = 0
    ordinary: int = 0
    ordinary_escalated: int = 0
    inj_pos: int = 0
    inj_found: int = 0
    inj_neg: int = 0
    inj_false: int = 0
    by_signal: Counter = field(default_factory=Counter)
    missed: list[Miss] = field(default_factory=list)
    false_escalations: list[Miss] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)

    @property
    def must_review_recall(self) -> float | None:
        """Must-review cases assessed must-review / must-review cases."""
        return self._ratio(self.must_review_found, self.must_review)

    def as_dict(self) -> dict:
        """JSON-ready figures, counts and the ids of misses and false escalations."""
        import statistics

        return {
            "split": self.split,
            "cases": self.cases,
            "must_review_recall": self.must_review_recall,
            "must_review": [self.must_review_found, self.must_review],
            "false_escalation": self.false_escalation,
            "ordinary": [self.ordinary_escalated, self.ordinary],
            "injection_recall": self.injection_recall,
            "injection_positives": [self.inj_found, self.inj_pos],
            "injection_fpr": self.injection_fpr,
            "injection_negatives": [self.inj_false, self.inj_neg],
            "per_category": self.per_category(),
            "by_signal": dict(self.by_signal),
            "missed": [m.__dict__ for m in self.missed],
            "false_escalations": [m.__dict__ for m in self.false_escalations],
            "ms_p50": round(statistics.median(self.ms), 2) if self.ms else None,
        }


def evaluate(cases: list[dict], assess_fn: Callable[[dict], object] | None = None, split: str = "?") -> RiskReport:
    """Assess every case and count (see the module docstring).

    ``assess_fn(case) -> RiskAssessment``; default :func:`rules.risk.assess.assess` over the
    case's subject, from_name and body."""
    if assess_fn is None:
        from rules.risk.assess import assess

        def assess_fn(c: dict):
            return assess(c.get("subject") or "", c.get("from_name") or "", c.get("body") or "")

    rep = RiskReport(split=split)
    for c in cases:
        t0 = time.perf_counter()
        a = assess_fn(c)
        rep.ms.append((time.perf_counter() - t0) * 1000)
        rep.cases += 1
        gold, pred = set(c["categories"]), set(a.categories)
        for cat in pred & gold:
            rep.tp[cat] += 1
        for cat in pred - gold:
            rep.fp[cat] += 1
        for cat in gold - pred:
            rep.fn[cat] += 1
        if c["must_review"]:
            rep.must_review += 1
            if a.must_review:
                rep.must_review_found += 1
                for s in {s for h in a.categories.values() for s in h.signals}:
                    rep.by_signal[s] += 1
                if not a.categories:
                    rep.by_signal["must_review_without_category"] += 1
            else:
                rep.missed.append(Miss(c["id"], sorted(gold), sorted(pred), a.must_review))
        else:
            rep.ordinary += 1
            if a.must_review:
                rep.ordinary_escalated += 1
                rep.false_escalations.append(Miss(c["id"], [], sorted(pred), a.must_review))
        if any(s in c.get("source", "") for s in INJECTION_SOURCES):
            if c["injection"]:
                rep.inj_pos += 1
                rep.inj_found += "prompt_injection" in pred
            else:
                rep.inj_neg += 1
                rep.inj_false += "prompt_injection" in pred
    return rep


def targets(path: Path = THRESHOLDS) -> dict[str, float]:
    """The ``[risk]`` targets of ``evaluation/thresholds.toml``, defaulting to issue 11's figures."""
    return load_targets(DEFAULT_TARGETS, path)


CHECKS = (
    ("must_review_recall", "must_review_recall_min", "min"),
    ("false_escalation", "false_escalation_max", "max"),
    ("injection_recall", "injection_recall_min", "min"),
    ("injection_fpr", "injection_fpr_max", "max"),
)


def check(rep: RiskReport, goal: dict[str, float] | None = None) -> list[str]:
    """Figures that miss their target, as readable lines (empty when all pass)."""
    return unmet(rep, goal or targets(), CHECKS)


def _fmt(v: float | None) -> str:
    return "  -  " if v is None else f"{v:.3f}"


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="dev", choices=["train", "dev", "test"])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--no-classifier", action="store_true", help="lexicon and normaliser only")
    args = ap.parse_args(argv)
    from rules.risk.assess import assess

    def fn(c: dict):
        return assess(c.get("subject") or "", c.get("from_name") or "", c.get("body") or "", use_classifier=not args.no_classifier)

    rep = evaluate(load_cases(args.split), fn, args.split)
    failures = check(rep)
    if args.json:
        print(json.dumps({**rep.as_dict(), "below_target": failures}, indent=1))
    else:
        d = rep.as_dict()
        print(f"split {rep.split}: {rep.cases} cases, p50 {d['ms_p50']} ms per case")
        print(f"must-review recall {_fmt(rep.must_review_recall)} ({rep.must_review_found}/{rep.must_review})")
        print(f"false escalation   {_fmt(rep.false_escalation)} ({rep.ordinary_escalated}/{rep.ordinary})")
        print(f"injection recall   {_fmt(rep.injection_recall)} ({rep.inj_found}/{rep.inj_pos}), FPR {_fmt(rep.injection_fpr)} ({rep.inj_false}/{rep.inj_neg})")
        print(f"{'category':22} {'support':>7} {'precision':>9} {'recall':>7}")
        for cat, v in d["per_category"].items():
            print(f"{cat:22} {v['support']:7d} {_fmt(v['precision']):>9} {_fmt(v['recall']):>7}")
        print("raised by signal: " + ", ".join(f"{k} {v}" for k, v in sorted(d["by_signal"].items())))
        for m in rep.missed:
            print(f"missed: {m.id} expected {m.expected}")
        for m in rep.false_escalations:
            print(f"false escalation: {m.id} raised {m.raised}")
        for f in failures:
            print(f"BELOW TARGET: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
