"""Throughput and memory of the whole pipeline on the embedded default (Maildir in, SQLite, template drafter).

Copies examples/mailbox N times into a temporary Maildir (fresh unique keys), runs one
`run_source` pass and prints messages per second, milliseconds per message by outcome mix,
and the peak resident memory. Run: ``.venv/bin/python benchmarks/pipeline_throughput.py [--copies 5]``.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--copies", type=int, default=5, help="how many times to replicate the 80-message example mailbox")
    args = ap.parse_args()

    from agent.config import load_config
    from jobs.bootstrap import bootstrap
    from tests.unit.fakes import FakeNotifier

    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        box = tmpdir / "mailbox"
        for sub in ("cur", "new", "tmp"):
            (box / sub).mkdir(parents=True)
        src = ROOT / "examples" / "mailbox"
        n = 0
        for copy in range(args.copies):
            for sub in ("cur", "new"):
                for f in (src / sub).iterdir():
                    key, _, info = f.name.partition(":")
                    shutil.copyfile(f, box / sub / (f"{key}.c{copy}" + (f":{info}" if info else "")))
                    n += 1
        text = (ROOT / "config.example.toml").read_text()
        text = text.replace('path = "examples/mailbox"', f'path = "{box}"').replace('drafts_path = "var/Drafts"', f'drafts_path = "{tmpdir / "Drafts"}"')
        text = text.replace('url = "sqlite:///var/draftguard.db"', f'url = "sqlite:///{tmpdir / "dg.db"}"')
        text = text.replace('pack = "rules/policy_pack.toml"', f'pack = "{ROOT / "rules" / "policy_pack.toml"}"')
        cfg = tmpdir / "config.toml"
        cfg.write_text(text)
        t0 = time.perf_counter()
        rt = bootstrap(load_config(cfg), notifier=FakeNotifier())
        rt.pipeline.prepare()
        startup = time.perf_counter() - t0
        t1 = time.perf_counter()
        summary = rt.pipeline.run_source(rt.sources[0])
        elapsed = time.perf_counter() - t1
        t2 = time.perf_counter()
        again = rt.pipeline.run_source(rt.sources[0])
        idle = time.perf_counter() - t2
        rt.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"messages: {n}  outcomes: {dict(summary.counts)}")
    print(f"start-up (migrations + spaCy/Presidio load): {startup:.2f} s")
    print(f"first pass: {elapsed:.2f} s = {n / elapsed:.1f} messages/s, {1000 * elapsed / n:.1f} ms/message")
    print(f"second pass (nothing new, {again.counts['duplicate']} already done): {idle:.2f} s = {1000 * idle / n:.2f} ms/message")
    print(f"peak resident memory: {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
