"""Cost of the last check on the outbound request, per model request built from a 2 KB message
(p50 / p95 / max, milliseconds).

Builds ``--messages`` client messages of about 2 KB from the labelled PII samples (the same
bodies as ``benchmarks/redaction_stage.py``), redacts each with the real redactor and renders the
real prompt (both untimed), then times :meth:`agent.outbound_guard.OutboundGuard.inspect` on the
request's messages (system + user) with the item's placeholder map, as the model connector calls
it: in ``refuse`` mode (a refusal is counted, its exception caught) and in ``mask`` mode.
Run: ``.venv/bin/python benchmarks/outbound_guard.py [--messages 200]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _bodies(n: int) -> list[tuple[str, str]]:
    spec = importlib.util.spec_from_file_location("redaction_stage", ROOT / "benchmarks" / "redaction_stage.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.messages(n)


def _p95(times: list[float]) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--messages", type=int, default=200)
    args = ap.parse_args()

    from agent.config import load_config
    from agent.language import detect_language
    from agent.models import ItemContext, PlaceholderMap
    from agent.outbound_guard import OutboundBlocked, OutboundGuard, OutboundReport
    from agent.prompts import render_prompt
    from agent.redaction import Redactor

    settings = load_config(ROOT / "config.example.toml")
    org = settings.organisation
    redactor = Redactor(settings.redaction, org)
    requests = []
    for k, (_lang, body) in enumerate(_bodies(args.messages)):
        ctx = ItemContext(
            subject=f"Question about my account {k}",
            sender_name="Maria Gonzalez",
            sender_email="maria.gonzalez@client.example",
            latest_text=body,
            language=detect_language(body) or "und",
        )
        red = redactor.pseudonymise(ctx, seed_texts=[ctx.subject, body], known=[("PERSON", "Maria Gonzalez")])
        prompt = render_prompt(settings.model.prompt_template, red, organisation=org.name, signature=org.signature, link_domains=list(org.domains))
        messages = [{"role": "system", "content": prompt.system}, {"role": "user", "content": prompt.user}]
        requests.append((messages, red.placeholders))

    results = {}
    for mode in ("refuse", "mask"):
        guard = OutboundGuard.from_settings(settings.model_copy(update={"redaction": settings.redaction.model_copy(update={"outbound": mode})}))
        for messages, pm in requests[:5]:  # warm-up (compiles the patterns, loads the country list)
            try:
                guard.inspect(messages, PlaceholderMap(mapping=dict(pm.mapping)), OutboundReport())
            except OutboundBlocked:
                pass
        times, actions = [], Counter()
        for messages, pm in requests:
            report = OutboundReport()
            pm = PlaceholderMap(mapping=dict(pm.mapping), detectors=dict(pm.detectors))  # mask mode adds to the map
            t = time.perf_counter()
            try:
                guard.inspect(messages, pm, report)
            except OutboundBlocked:
                pass
            times.append((time.perf_counter() - t) * 1000)
            actions[report.action] += 1
        results[mode] = (times, actions)

    size = statistics.mean(sum(len(m["content"].encode()) for m in msgs) for msgs, _ in requests)
    print(f"outbound check: {len(requests)} requests, mean request text {size:.0f} bytes (from ~2 KB messages)")
    for mode, (times, actions) in results.items():
        print(
            f"{mode:6s}: p50 {statistics.median(times):.2f} ms   p95 {_p95(times):.2f} ms   max {max(times):.2f} ms   "
            f"({', '.join(f'{k} {v}' for k, v in sorted(actions.items()))})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
