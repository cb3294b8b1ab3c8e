"""Throughput with ``[limits] concurrency``: wall time against the ideal, the CPU floor, the overhead.

Every run is ``main.py run --once`` as ``jobs.bootstrap`` builds it (Maildir in, SQLite, the real
``openai`` client) over a generated backlog of 2 KB client messages (tests/e2e/backlog.py, one
message per conversation so the conversation lanes do not limit the pool) against the local
OpenAI-compatible server (tests/servers/openai_server.py) answering with the scripted model
(evaluation/scripted_model.py) after a fixed latency. The risk reviewer is off, so each item is
one model request and the ideal is the issue's ``items × latency ÷ concurrency``; the model
requests counted at the server are printed next to it.

Rows (one table):

* ``model 2 s``: 40 items at concurrency 1, 480 items at 4, 16 and 64 — wall time, the ideal,
  their ratio, and the most requests the server saw in flight at once;
* ``CPU floor``: the same 480 items with a 0 ms model, inline and at 16 — items per second and
  per CPU-second of the process (= per core), with the stage that takes the most item time
  (from the stage spans, tracing on with an in-memory exporter);
* ``overhead``: per item, the item span's time minus its model spans (p50 / p95), i.e. what the
  pipeline itself costs a 2 KB message without the model.

Run: ``.venv/bin/python benchmarks/concurrency.py`` (about 10 minutes on 2 cores);
``--quick`` runs smaller sizes to check the script.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


@dataclass
class Result:
    label: str
    items: int
    concurrency: int
    latency: float
    requests: int
    wall: float
    cpu: float
    peak: int
    counts: dict
    stages: dict | None = None  # stage -> total seconds in item traces
    overhead_ms: list | None = None  # per item: item span minus model spans

    @property
    def ideal(self) -> float:
        return self.requests * self.latency / self.concurrency


def _peak(timeline) -> int:
    edges = sorted([(a, 1) for a, _, _ in timeline] + [(b, -1) for _, b, _ in timeline])
    level = peak = 0
    for _, step in edges:
        level += step
        peak = max(peak, level)
    return peak


def _warm_up(rt, folder: Path) -> None:
    """One message analysed (not recorded) so every lazily loaded model is loaded."""
    from connectors.maildir.parse import parse_message
    from tests.e2e.backlog import write_backlog

    write_backlog(folder, 1, 1, body_bytes=2048, seed=99)
    (path,) = (folder / "new").iterdir()
    rt.pipeline.analyse(parse_message(path.read_bytes(), source=rt.sources[0].name, external_id="warm-up", max_body_bytes=1_000_000), rt.sources[0])


def run(label: str, items: int, concurrency: int, latency: float, *, trace: bool = False) -> Result:
    """One run over a fresh backlog of ``items``; ``trace``: collect the stage spans."""
    from agent import tracing
    from agent.config import TracingConfig, load_config
    from evaluation.scripted_model import answer
    from jobs.bootstrap import bootstrap
    from tests.e2e.backlog import write_backlog
    from tests.e2e.helpers import write_config
    from tests.servers.openai_server import OpenAIServer
    from tests.unit.fakes import FakeNotifier

    memory = provider = None
    if trace:
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        from jobs.tracing_sdk import build_provider

        memory = InMemorySpanExporter()
        provider = build_provider(TracingConfig(enabled=True, exporter="none"), [memory], batch=False)
        tracing.set_provider(provider)
    with tempfile.TemporaryDirectory() as tmp, OpenAIServer(answer) as server:
        tmpdir = Path(tmp)
        write_backlog(tmpdir / "mailbox", items, 1, body_bytes=2048)
        server.stall_seconds = latency
        cfg = write_config(tmpdir, base_url=server.base_url, mailbox=tmpdir / "mailbox")
        text = cfg.read_text().replace("concurrency = 1 ", f"concurrency = {concurrency} ", 1).replace("reviewer = true", "reviewer = false", 1)
        cfg.write_text(text)
        rt = bootstrap(load_config(cfg), notifier=FakeNotifier())
        try:
            rt.pipeline.prepare()
            _warm_up(rt, tmpdir / "warm-up")  # lazily loaded models (spaCy per language, risk classifier) load before the clock starts
            server.timeline.clear()
            cpu0, t0 = time.process_time(), time.perf_counter()
            summary = rt.pipeline.run_source(rt.sources[0])
            wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        finally:
            rt.close()
        timeline = list(server.timeline)
    result = Result(label, items, concurrency, latency, len(timeline), wall, cpu, _peak(timeline), dict(summary.counts))
    if trace:
        tracing.set_provider(None)
        spans = memory.get_finished_spans()
        provider.shutdown()
        by_id = {s.context.span_id: s for s in spans}
        stages: dict[str, float] = defaultdict(float)  # direct children of an item span
        model: dict[int, float] = defaultdict(float)
        items_s: dict[int, float] = {}
        for s in spans:
            seconds = (s.end_time - s.start_time) / 1e9
            if s.name == "item":
                items_s[s.context.trace_id] = seconds
            elif s.name == "model":
                model[s.context.trace_id] += seconds
            if s.parent is not None and getattr(by_id.get(s.parent.span_id), "name", None) == "item":
                stages[s.name] += seconds
        result.stages = dict(stages)
        result.overhead_ms = [1000 * (t - model.get(trace_id, 0.0)) for trace_id, t in items_s.items()]
    return result


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, to check the script")
    ap.add_argument("--latency", type=float, default=2.0, help="model latency in seconds (default 2)")
    args = ap.parse_args()
    big, small = (48, 8) if args.quick else (480, 40)
    load_before = os.getloadavg()[0]
    rows: list[Result] = [run("model", small, 1, args.latency)]
    for c in (4, 16, 64):
        rows.append(run("model", big, c, args.latency))
    floor_inline = run("CPU floor", big, 1, 0.0, trace=True)
    floor_16 = run("CPU floor", big, 16, 0.0)
    load_after = os.getloadavg()[0]

    floor_rate = floor_16.items / floor_16.wall
    print(f"draftguard concurrency benchmark: {os.cpu_count()} cores, load average {load_before:.1f} before / {load_after:.1f} after; "
          f"2 KB messages, risk reviewer off (one model request per item), SQLite")
    cols = ["run", "items", "conc.", "model", "requests", "wall s", "ideal s", "wall/ideal", "CPU floor s", "wall/max(ideal,floor)", "items/s", "items/CPU-s", "peak in flight"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "|".join("-" * (len(c) + 2) for c in cols) + "|")
    for r in rows + [floor_inline, floor_16]:
        floor_s = r.items / floor_rate
        cells = [
            r.label,
            str(r.items),
            str(r.concurrency),
            f"{r.latency * 1000:.0f} ms",
            str(r.requests),
            f"{r.wall:.1f}",
            f"{r.ideal:.1f}" if r.latency else "-",
            f"{r.wall / r.ideal:.2f}" if r.latency else "-",
            f"{floor_s:.1f}",
            f"{r.wall / max(r.ideal, floor_s):.2f}" if r.latency else "-",
            f"{r.items / r.wall:.2f}",
            f"{r.items / r.cpu:.2f}",
            str(r.peak),
        ]
        print("| " + " | ".join(c.rjust(len(h)) for c, h in zip(cells, cols, strict=True)) + " |")
    total = sum(floor_inline.stages.values())
    ranked = sorted(floor_inline.stages.items(), key=lambda kv: -kv[1])
    shares = ", ".join(f"{name} {100 * s / total:.0f}%" for name, s in ranked[:5])
    print(f"| CPU floor (0 ms model): {floor_inline.items / floor_inline.cpu:.2f} items per CPU-second inline, {floor_16.items / floor_16.cpu:.2f} at concurrency 16; "
          f"dominant stage: {ranked[0][0]} ({shares} of item time, inline) |")
    o = floor_inline.overhead_ms
    print(f"| pipeline overhead per 2 KB item without model time (inline, item span minus model spans): p50 {_pct(o, 0.5):.0f} ms, p95 {_pct(o, 0.95):.0f} ms, max {max(o):.0f} ms |")
    print(f"| outcomes of the {rows[-1].items}-item backlog (every run alike): {rows[-1].counts} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
