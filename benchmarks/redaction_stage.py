"""Time of the redaction stage per 2 KB message (p50 / p95 / max, milliseconds).

Builds ``--messages`` client messages of about 2 KB each from the labelled PII samples
(evaluation/data/pii: names, addresses, numbers, six languages) and runs the stage exactly as
the pipeline does: :meth:`agent.redaction.Redactor.pseudonymise` with the whole body as seed
text and the sender from the headers. The redactor is built once (not timed) and warmed up.
Run: ``.venv/bin/python benchmarks/redaction_stage.py [--messages 200]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_BYTES = 2048


def messages(n: int) -> list[tuple[str, str]]:
    """``n`` (language, body) pairs of about 2 KB, cycling deterministically through the samples."""
    from evaluation.pii_data import load

    samples = load()
    out, i = [], 0
    while len(out) < n:
        parts, size, lang = [], 0, samples[i % len(samples)].lang
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--messages", type=int, default=200)
    args = ap.parse_args()

    from agent.config import OrganisationConfig, RedactionConfig
    from agent.language import detect_language
    from agent.models import ItemContext
    from agent.redaction import Redactor

    t0 = time.perf_counter()
    redactor = Redactor(RedactionConfig(), OrganisationConfig(name="Northwind Advisory", domains=["northwind.example"]))
    build = time.perf_counter() - t0
    bodies = messages(args.messages)
    for _, body in bodies[:5]:  # warm-up
        redactor.pseudonymise(ItemContext(subject="Question", sender_name="", sender_email="a@b.example", latest_text=body))
    times = []
    for k, (_lang, body) in enumerate(bodies):
        ctx = ItemContext(
            subject=f"Question about my account {k}",
            sender_name="Maria Gonzalez",
            sender_email="maria.gonzalez@client.example",
            latest_text=body,
            language=detect_language(body) or "und",
        )
        t = time.perf_counter()
        redactor.pseudonymise(
            ctx,
            seed_texts=[ctx.subject, body],
            known=[("PERSON", "Maria Gonzalez"), ("EMAIL_ADDRESS", "maria.gonzalez@client.example")],
        )
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    size = statistics.mean(len(b.encode()) for _, b in bodies)
    print(f"redaction stage: {len(times)} messages, mean size {size:.0f} bytes, redactor built in {build:.1f} s")
    print(f"p50 {statistics.median(times):.1f} ms   p95 {p95:.1f} ms   max {times[-1]:.1f} ms   mean {statistics.mean(times):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
