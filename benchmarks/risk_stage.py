"""Time of the risk stage per message (p50 / p95 / max, milliseconds), and of the classifier per 2 KB.

Builds ``--messages`` messages of about 2 KB each by joining bodies of the labelled risk set's
train split (evaluation/data/risk/cases.jsonl; several languages, injections, HTML-free mail) and
runs, each timed separately after a warm-up (files loaded once, not timed):

- ``assess``: the whole stage, :func:`rules.risk.assess.assess` (normalise + lexicon + classifier);
- ``normalise``, ``lexicon`` (scan of the three normalised fields) and ``classifier``
  (featurise + score of the folded text, whole text and chunks) alone.

Target (issue 11): the classifier adds no more than 10 ms p95 per 2 KB message; the script exits
1 when it does. Run: ``.venv/bin/python benchmarks/risk_stage.py [--messages 300]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_BYTES = 2048
CLASSIFIER_P95_MS = 10.0


def messages(n: int) -> list[tuple[str, str, str]]:
    """``n`` (subject, from_name, body) triples with bodies of about 2 KB, deterministic."""
    rows = [json.loads(x) for x in (ROOT / "evaluation/data/risk/cases.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    rows = [r for r in rows if r["split"] == "train"]
    out, i = [], 0
    while len(out) < n:
        first = rows[i % len(rows)]
        parts, size = [], 0
        while size < TARGET_BYTES:
            body = rows[i % len(rows)]["body"]
            i += 1
            parts.append(body)
            size += len(body.encode()) + 2
        body = "\n\n".join(parts).encode()[:TARGET_BYTES].decode("utf-8", "ignore")
        out.append((first["subject"] or "", first["from_name"] or "", body))
    return out


def pct(xs: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``xs`` (nearest rank)."""
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q * len(s)) - 1))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--messages", type=int, default=300)
    args = ap.parse_args()

    from rules.risk.assess import assess
    from rules.risk.classifier import classifier_text, default_classifier
    from rules.risk.lexicon import default_lexicon
    from rules.risk.normalise import normalise

    t0 = time.perf_counter()
    lex, clf = default_lexicon(), default_classifier()
    load_ms = (time.perf_counter() - t0) * 1000
    msgs = messages(args.messages)
    for s, f, b in msgs[:5]:
        assess(s, f, b)
    timings: dict[str, list[float]] = {"assess": [], "normalise": [], "lexicon": [], "classifier": []}
    for s, f, b in msgs:
        t = time.perf_counter()
        assess(s, f, b)
        timings["assess"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        fields = [normalise(s), normalise(f), normalise(b)]
        timings["normalise"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        for name, nt in zip(("subject", "from_name", "body"), fields, strict=True):
            lex.scan(nt, name)
        timings["lexicon"].append((time.perf_counter() - t) * 1000)
        text = classifier_text(fields)
        t = time.perf_counter()
        clf.scores(text)
        timings["classifier"].append((time.perf_counter() - t) * 1000)
    print(f"risk stage, {len(msgs)} messages of ~{TARGET_BYTES} bytes (files loaded once in {load_ms:.0f} ms)")
    print(f"{'part':12} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for k, xs in timings.items():
        print(f"{k:12} {statistics.median(xs):8.2f} {pct(xs, 0.95):8.2f} {max(xs):8.2f}")
    p95 = pct(timings["classifier"], 0.95)
    ok = p95 <= CLASSIFIER_P95_MS
    print(f"classifier p95 per 2 KB: {p95:.2f} ms (target <= {CLASSIFIER_P95_MS} ms): {'ok' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
