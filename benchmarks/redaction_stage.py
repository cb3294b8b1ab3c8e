"""Time of the redaction stage per 2 KB message (p50 / p95 / max, milliseconds), and where it goes.

Times ``--messages`` (at most 100, default 100) client messages of about 2 KB each, frozen in
``benchmarks/data/redaction_bodies.json`` (built from the labelled PII samples of
evaluation/data/pii: names, addresses, numbers; 85 English, the others a few German, Dutch,
French, Spanish and Italian ones: English is the costliest language, the only one with both an
NER and a tagger), and runs the stage exactly as the pipeline does:
:meth:`agent.redaction.Redactor.pseudonymise` with the whole body as seed text and the sender
from the headers. The bodies are frozen so that figures stay comparable when samples are added
to the evaluation data; ``--fresh`` builds them from today's data instead (any number), ``--mix``
cycles its six languages (French has an NER; de, es, it, nl are tokenised only). The redactor is
built once (not timed; it loads no model) and warmed up (the first message of a language loads
its spaCy pipeline).

Printed: wall-clock and CPU time (the process's, ``time.process_time``: every thread, so a BLAS
worker thread's time counts too) per message. On a shared
machine the wall clock includes waiting for a CPU; the CPU time is the stage's own cost, and
``--repeat N`` keeps each message's fastest of N runs (what the stage costs when nothing else
competes for the cores; the analysis cache is emptied before each run). Then
the share of each part of the stage (spaCy pipeline, each recogniser, context enhancement, the
rest: seeds, joining, placeholders), measured in a second pass with timers around each part,
and the part that dominates. ``BEFORE`` and ``AFTER`` hold the figures of the last A/B comparison
(see the comment above them), measured on this machine in one session.

Run: ``.venv/bin/python benchmarks/redaction_stage.py [--messages 100] [--repeat 3] [--fresh [--messages 200]] [--mix]``.
The stage as it was when issue 10 was filed is timed on the same bodies by ``benchmarks/redaction_baseline.py``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_BYTES = 2048
LANGUAGES = ("en", "de", "fr", "es", "it", "nl")
# ``--messages 100 --repeat 2`` on the frozen bodies, milliseconds per message (CPU: process_time; the
# wall clock was the same, the machine quiet), measured back to back on 2026-12-07 (third session) on
# this 2-core machine, each tree twice in turn, the figures averaged. BEFORE: commit 6754cac (start of
# that session); AFTER: that session's address, name and identifier rules (written_samples_6-8 rounds,
# the new-user trial): about 7 ms more. The stage as it was when issue 10 was filed (3a65b53, full
# spaCy pipeline, each text analysed twice) took CPU p50 / p95 203 / 231 ms on the same bodies
# (benchmarks/redaction_baseline.py).
BEFORE = {"commit": "6754cac", "wall_p50": 85.6, "wall_p95": 114.8, "cpu_p50": 85.6, "cpu_p95": 114.7}
AFTER = {"wall_p50": 93.2, "wall_p95": 121.7, "cpu_p50": 93.2, "cpu_p95": 121.7}
AT_FILING = {"commit": "3a65b53", "cpu_p50": 203.0, "cpu_p95": 231.1}


FROZEN_BODIES = ROOT / "benchmarks" / "data" / "redaction_bodies.json"


def frozen_messages(n: int = 100) -> list[tuple[str, str]]:
    """The first ``n`` (at most 100) of the bodies frozen in :data:`FROZEN_BODIES` (its "about"
    says what they are): the default input, so figures stay comparable when samples are added
    to the evaluation data. Raises ValueError for more than 100."""
    import json

    bodies = [tuple(b) for b in json.loads(FROZEN_BODIES.read_text(encoding="utf-8"))["bodies"]]
    if n > len(bodies):
        raise ValueError(f"--messages {n}: the frozen set holds {len(bodies)} bodies; use --fresh for more")
    return bodies[:n]


def messages(n: int, mix: bool = False) -> list[tuple[str, str]]:
    """``n`` (language, body) pairs of about 2 KB built from today's evaluation data, cycling
    deterministically through the samples (in file order, or language by language with ``mix``).
    Which bodies come out depends on the data files (a new file changes the cycle): for figures to
    compare with earlier ones use :func:`frozen_messages`."""
    from evaluation.pii_data import load

    samples = load()
    pools = {lang: [s for s in samples if s.lang == lang] for lang in LANGUAGES}
    out, i = [], 0
    cursor = dict.fromkeys(LANGUAGES, 0)
    while len(out) < n:
        parts, size = [], 0
        if mix:
            lang = LANGUAGES[len(out) % len(LANGUAGES)]
            pool = pools[lang]
            while size < TARGET_BYTES:
                s = pool[cursor[lang] % len(pool)]
                cursor[lang] += 1
                parts.append(s.text)
                size += len(s.text.encode()) + 2
        else:
            lang = samples[i % len(samples)].lang
            while size < TARGET_BYTES:
                s = samples[i % len(samples)]
                i += 1
                if s.lang != lang:
                    continue
                parts.append(s.text)
                size += len(s.text.encode()) + 2
        # a first line unique to the message: no two bodies are equal (no cached analysis is reused)
        out.append((lang, f"Reference {len(out):05d}\n\n" + "\n\n".join(parts)[: TARGET_BYTES + 180]))
    return out


def _context(k: int, body: str):
    from agent.language import detect_language
    from agent.models import ItemContext

    return ItemContext(
        subject=f"Question about my account {k}",
        sender_name="Maria Gonzalez",
        sender_email="maria.gonzalez@client.example",
        latest_text=body,
        language=detect_language(body) or "und",
    )


def _run(redactor, ctx, body) -> None:
    redactor.pseudonymise(
        ctx,
        seed_texts=[ctx.subject, body],
        known=[("PERSON", "Maria Gonzalez"), ("EMAIL_ADDRESS", "maria.gonzalez@client.example")],
    )


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * len(xs))) - 1)]


def _timed_parts(redactor) -> dict[str, float]:
    """Put timers (this thread's CPU time) around the spaCy pipeline, each recogniser and the
    context enhancement of ``redactor``'s analyzer; returns the dict they add to (seconds)."""
    acc: dict[str, float] = defaultdict(float)

    def wrap(obj, attr: str, key: str) -> None:
        inner = getattr(obj, attr)

        def timed(*a, **k):
            t = time.process_time()
            try:
                return inner(*a, **k)
            finally:
                acc[key] += time.process_time() - t

        setattr(obj, attr, timed)

    analyzer = redactor._analyzer
    for rec in analyzer.registry.recognizers:
        wrap(rec, "analyze", rec.name)
    wrap(analyzer.nlp_engine, "process_text", "spaCy pipeline")
    wrap(analyzer, "_enhance_using_context", "context enhancement")
    return acc


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--messages", type=int, default=200)
    ap.add_argument(
        "--repeat", type=int, default=1, help="run each message N times (cache emptied), keep the fastest"
    )
    ap.add_argument(
        "--mix", action="store_true", help="cycle the six languages of today's data (implies --fresh)"
    )
    ap.add_argument(
        "--fresh",
        action="store_true",
        help="build the bodies from today's evaluation data instead of the 100 frozen ones",
    )
    args = ap.parse_args()

    from agent.config import OrganisationConfig, RedactionConfig
    from agent.redaction import Redactor

    t0 = time.perf_counter()
    redactor = Redactor(
        RedactionConfig(), OrganisationConfig(name="Northwind Advisory", domains=["northwind.example"])
    )
    build = time.perf_counter() - t0
    bodies = messages(args.messages, args.mix) if args.fresh or args.mix else frozen_messages(args.messages)
    langs = sorted({lang for lang, _ in bodies})
    t0 = time.perf_counter()
    for lang in langs:  # warm-up: one message per language (loads its pipeline)
        body = next(b for la, b in bodies if la == lang)
        _run(redactor, _context(-1, "Warm-up\n" + body), "Warm-up\n" + body)
    warm = time.perf_counter() - t0
    wall, cpu = [], []
    for k, (_lang, body) in enumerate(bodies):
        ctx = _context(k, body)
        best_wall = best_cpu = float("inf")
        for _ in range(max(1, args.repeat)):
            redactor._cache.clear()  # no cached analysis: every repeat analyses the message again
            t, c = time.perf_counter(), time.process_time()
            _run(redactor, ctx, body)
            best_cpu = min(best_cpu, (time.process_time() - c) * 1000)
            best_wall = min(best_wall, (time.perf_counter() - t) * 1000)
        cpu.append(best_cpu)
        wall.append(best_wall)

    # second pass over fresh bodies with timers around each part
    acc = _timed_parts(redactor)
    parts_total = 0.0
    for k, (_lang, body) in enumerate(bodies):
        body = f"Pass 2 {k}\n" + body
        c = time.process_time()
        _run(redactor, _context(k, body), body)
        parts_total += time.process_time() - c
    rest = parts_total - sum(acc.values())
    shares = sorted(
        [*acc.items(), ("rest (seeds, joining, placeholders, language)", rest)], key=lambda kv: -kv[1]
    )

    size = statistics.mean(len(b.encode()) for _, b in bodies)
    best = f", fastest of {args.repeat} runs each" if args.repeat > 1 else ""
    print(f"redaction stage: {len(bodies)} messages ({', '.join(langs)}), mean size {size:.0f} bytes{best}")
    print(
        f"redactor built in {build:.1f} s (no model loaded); warm-up (pipelines of {', '.join(langs)} loaded) {warm:.1f} s"
    )
    print(
        f"wall  p50 {statistics.median(wall):.1f} ms   p95 {_pct(wall, 0.95):.1f} ms   max {max(wall):.1f} ms   mean {statistics.mean(wall):.1f} ms"
    )
    print(
        f"cpu   p50 {statistics.median(cpu):.1f} ms   p95 {_pct(cpu, 0.95):.1f} ms   max {max(cpu):.1f} ms   mean {statistics.mean(cpu):.1f} ms"
    )
    if not (args.mix or args.fresh) and args.messages == 100 and BEFORE["wall_p95"] is not None:
        print(
            f"when issue 10 was filed ({AT_FILING['commit']}): cpu p50 {AT_FILING['cpu_p50']} ms, p95 {AT_FILING['cpu_p95']} ms"
        )
        print(
            f"recorded with --messages 100 --repeat 2, before ({BEFORE['commit']}) -> after: wall p50 {BEFORE['wall_p50']} -> {AFTER['wall_p50']} ms, "
            f"p95 {BEFORE['wall_p95']} -> {AFTER['wall_p95']} ms; cpu p50 {BEFORE['cpu_p50']} -> {AFTER['cpu_p50']} ms, "
            f"p95 {BEFORE['cpu_p95']} -> {AFTER['cpu_p95']} ms"
        )
    print("where the CPU time goes (mean per message):")
    for name, secs in shares[:12]:
        print(f"  {secs / len(bodies) * 1000:7.2f} ms  {secs / parts_total * 100:5.1f} %  {name}")
    print(
        f"dominant stage: {shares[0][0]} ({shares[0][1] / parts_total * 100:.0f} % of the stage's CPU time)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
