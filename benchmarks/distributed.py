"""Throughput with 1, 2 and 4 workers of the distributed mode (issue 12): wall time against the
ideal and against one worker.

Each row: a fresh PostgreSQL database, N ``main.py worker -n THREADS`` subprocesses on the
machine's RabbitMQ (a private task queue) and Redis (a private limits namespace), and the
scheduler in this process (``Pipeline.run_source`` as ``main.py run --once`` builds it with
``[distributed] enabled``) over a generated backlog of 2 KB messages, one per conversation
(tests/e2e/backlog.py), against the local OpenAI-compatible server (tests/servers/openai_server.py)
answering with the scripted model after a fixed latency; risk reviewer off, so each item is one
model request (as benchmarks/concurrency.py). A warm-up batch (2 items per worker thread) runs
first so every worker has loaded its lazily loaded models; the clock covers the timed backlog
only.

Printed as one table: workers, items, threads per worker, wall, the ideal
``items × latency ÷ (workers × threads)``, wall ÷ ideal, items per second, and the throughput
ratio against one worker with that ratio ÷ N (the issue's goal: ≥ 0.8 while the model is the
bottleneck, i.e. while ``workers × threads ÷ latency`` stays below the machine's CPU floor:
about 6 items per CPU-second per core, README "Throughput").

Run: ``.venv/bin/python benchmarks/distributed.py`` (480 items at 2 s, 1/2/4 workers of 4
threads: 16 minutes on the shared 2-core machine); ``--quick`` for a smoke run (48 items, 0.5 s).
Needs PostgreSQL, RabbitMQ and Redis on 127.0.0.1 (tests/conftest.py, tests/distributed/kit.py: the
database and the workers are started as the tests start them).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


@dataclass
class Row:
    workers: int
    items: int
    threads: int
    latency: float
    wall: float
    requests: int
    counts: dict

    @property
    def ideal(self) -> float:
        return self.items * self.latency / (self.workers * self.threads)

    @property
    def rate(self) -> float:
        return self.items / self.wall


def _renamed_backlog(into: Path, items: int, tag: str, start: int) -> None:
    """``items`` generated messages (one per conversation) put into the Maildir ``into`` under
    file names and Message-IDs of their own (``tag``), so several batches can share one Maildir."""
    from tests.e2e.backlog import write_backlog

    with tempfile.TemporaryDirectory() as stage:
        write_backlog(Path(stage), items, 1, body_bytes=2048, seed=hash(tag) % 10_000)
        for n, f in enumerate(sorted((Path(stage) / "new").iterdir())):
            raw = f.read_bytes().replace(b"@client.example>", f"@{tag}.example>".encode())
            (into / "new" / f"{start + n}.M{n}P1.{tag}").write_bytes(raw)


def run(workers: int, items: int, threads: int, latency: float) -> Row:
    """One row (module doc)."""
    from agent.config import load_config
    from evaluation.scripted_model import answer
    from jobs.bootstrap import bootstrap
    from jobs.celery_app import configure
    from tests.conftest import new_pg_database
    from tests.distributed.kit import (
        delete_queues,
        delete_redis_keys,
        distributed_config,
        env,
        start_workers,
        stop_workers,
        unique,
    )
    from tests.e2e.backlog import write_backlog
    from tests.servers.openai_server import OpenAIServer
    from tests.unit.fakes import FakeNotifier

    queue, namespace = unique("dg.bench.items"), unique("dgbench")
    environment = env()
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        pg = stack.enter_context(new_pg_database("dg_bench_dist"))
        server = stack.enter_context(OpenAIServer(answer))
        write_backlog(tmp / "mailbox", 0, 1)  # the Maildir's folders
        warm = 2 * workers * threads
        _renamed_backlog(tmp / "mailbox", warm, "warm", 1_700_000_000)
        cfg = distributed_config(tmp, base_url=server.base_url, mailbox=tmp / "mailbox", storage_url=pg, queue=queue, namespace=namespace)
        cfg.write_text(cfg.read_text().replace("reviewer = true", "reviewer = false", 1))
        stack.callback(delete_redis_keys, namespace)
        stack.callback(delete_queues, queue)
        saved = dict(os.environ)
        os.environ.update(environment)
        stack.callback(lambda: (os.environ.clear(), os.environ.update(saved)))
        settings = load_config(cfg)
        rt = bootstrap(settings, notifier=FakeNotifier())  # migrates the database before the workers start
        stack.callback(rt.close)
        procs = start_workers(cfg, workers, threads=threads, environment=environment)
        stack.callback(stop_workers, procs)
        app = configure(settings)
        deadline = time.monotonic() + 300
        while len(app.control.ping(timeout=1.0) or []) < workers:
            if time.monotonic() > deadline:
                raise RuntimeError("workers did not start within 300 s")
        server.stall_seconds = 0.0
        rt.pipeline.run_source(rt.sources[0])  # warm-up: lazily loaded models in every worker
        _renamed_backlog(tmp / "mailbox", items, "timed", 1_800_000_000)
        server.stall_seconds = latency
        server.timeline.clear()
        t0 = time.perf_counter()
        summary = rt.pipeline.run_source(rt.sources[0])
        wall = time.perf_counter() - t0
        requests = len(server.timeline)
    return Row(workers, items, threads, latency, wall, requests, dict(summary.counts))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="48 items at 0.5 s: to check the script")
    ap.add_argument("--latency", type=float, default=2.0, help="model latency in seconds (default 2)")
    ap.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    ap.add_argument("--workers", default="1,2,4", help="worker counts (default 1,2,4)")
    args = ap.parse_args()
    items, latency = (48, 0.5) if args.quick else (480, args.latency)
    load_before = os.getloadavg()[0]
    rows = [run(n, items, args.threads, latency) for n in (int(w) for w in args.workers.split(","))]
    load_after = os.getloadavg()[0]
    print(f"draftguard distributed benchmark: {os.cpu_count()} cores, load average {load_before:.1f} before / {load_after:.1f} after; "
          f"2 KB messages, risk reviewer off (one model request per item), PostgreSQL, RabbitMQ, Redis limits; scheduler in this process")
    cols = ["workers", "items", "threads each", "model", "requests", "wall s", "ideal s", "wall/ideal", "items/s", "vs 1 worker", "÷ N (goal ≥ 0.8)"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "|".join("-" * (len(c) + 2) for c in cols) + "|")
    base = next((r for r in rows if r.workers == 1), None)
    for r in rows:
        ratio = r.rate / base.rate if base else float("nan")
        cells = [str(r.workers), str(r.items), str(r.threads), f"{r.latency * 1000:.0f} ms", str(r.requests), f"{r.wall:.1f}", f"{r.ideal:.1f}",
                 f"{r.wall / r.ideal:.2f}", f"{r.rate:.2f}", f"{ratio:.2f}", f"{ratio / r.workers:.2f}"]
        print("| " + " | ".join(c.rjust(len(h)) for c, h in zip(cells, cols, strict=True)) + " |")
    print(f"| outcomes of the last backlog: {rows[-1].counts} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
