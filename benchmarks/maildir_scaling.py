"""Per-item cost of the Maildir connector as the mailbox grows (issue 8.3): it must stay flat.

For each size N (default 100, 1,000 and 10,000) it builds an inbox of N messages (every fifth
a client follow-up in the thread of the one before, so one AI draft per thread replaces the
older draft), a SQLite database with the migrations applied, the seen index the runtime uses
(``storage.maildir_index.SqlMaildirSeenIndex``) and an empty Drafts folder. Then:

* **first poll**: every message is polled (read, parsed, recorded in the index) and its reply
  delivered (built, look-before-write, written, older thread draft replaced), as the pipeline
  does for a drafted item; per-item time is printed overall and for the first and last tenth
  of the mailbox (the last tenth delivers into a Drafts folder holding ~0.8 N drafts), as
  median wall time (it includes two fsyncs per draft and whatever else the machine runs) and
  as mean CPU time (our own work: what would grow if the code were O(mailbox));
* **second poll**: nothing new; total time and how many files were opened;
* **third poll**: :data:`NEW` (100) new messages; median wall and CPU time per new message
  with N already seen (the run's fixed cost, one listing of each folder and one index query,
  is the idle poll's).

Columns: ``reads/deliv`` and ``lists/deliv`` are Drafts files read and Drafts folder listings
per delivery (both must stay flat). On a shared machine the wall times swing with other
load and with ext4's journal (two fsyncs per draft); the CPU columns are the steady measure.

Only the connector is measured: the stages between poll and delivery (redaction, drafting,
policy) do not depend on the mailbox size; ``benchmarks/pipeline_throughput.py`` measures
the whole pipeline. Run: ``.venv/bin/python benchmarks/maildir_scaling.py [--sizes 100 1000 10000]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: New messages in the third poll (per-new-message cost once N are seen).
NEW = 100


def _mail(i: int) -> bytes:
    msg = EmailMessage(policy=policy.default)
    msg["From"] = f"Client {i} <client{i}@client.example>"
    msg["To"] = "support@northwind.example"
    msg["Date"] = "Tue, 03 Jun 2025 10:15:00 +0200"
    msg["Message-ID"] = f"<m{i}@client.example>"
    if i % 5 == 4:  # a follow-up to the previous message
        msg["Subject"] = f"Re: Question {i - 1}"
        msg["In-Reply-To"] = f"<m{i - 1}@client.example>"
        msg["References"] = f"<m{i - 1}@client.example>"
    else:
        msg["Subject"] = f"Question {i}"
    msg.set_content(f"Hello,\n\ncould you tell me where invoice {i} stands?\n\nThanks\nClient {i}\n" + "x" * 1500)
    return msg.as_bytes()


def _fill(box: Path, start: int, count: int) -> None:
    for i in range(start, start + count):
        (box / "new" / f"{1_700_000_000 + i}.M{i}P1.bench").write_bytes(_mail(i))


def _measure(n: int) -> dict[str, float]:
    from agent.config import MaildirSourceConfig
    from agent.models import ReplyDraft
    from agent.reply import idempotency_key
    from connectors.maildir.source import MaildirSource
    from storage.db import open_database
    from storage.maildir_index import SqlMaildirSeenIndex
    from tests.maildir.maildir_testkit import MemoryCursors

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        box = root / "Inbox"
        for sub in ("cur", "new", "tmp"):
            (box / sub).mkdir(parents=True)
        _fill(box, 0, n)
        engine, sf = open_database(f"sqlite:///{root / 'dg.db'}")
        seen = SqlMaildirSeenIndex(sf)

        def source() -> MaildirSource:  # a new process: nothing cached but what storage holds
            cfg = MaildirSourceConfig(name="bench", path=box, drafts_path=root / "Drafts", from_address="Support <support@northwind.example>")
            return MaildirSource(cfg, seen=seen)

        def run(src: MaildirSource, cpu: list[float] | None = None) -> list[float]:
            times: list[float] = []
            it = src.poll(MemoryCursors())
            while True:
                t0, c0 = time.perf_counter(), time.process_time()
                try:
                    msg = next(it)
                except StopIteration:
                    break
                draft = ReplyDraft(idempotency_key=idempotency_key(msg.source, msg.external_id), subject="", text="Dear client,\n\nthank you, we are on it.\n\nNorthwind", html="", to=[])
                src.deliver(msg, draft)
                times.append(time.perf_counter() - t0)
                if cpu is not None:
                    cpu.append(time.process_time() - c0)
            return times

        first_src = source()
        first_cpu: list[float] = []
        first = run(first_src, first_cpu)
        tenth = max(1, n // 10)
        second_src = source()
        t0 = time.perf_counter()
        second = run(second_src)
        idle = time.perf_counter() - t0
        _fill(box, n, NEW)
        third_cpu: list[float] = []
        third = run(source(), third_cpu)
        drafts = sum(1 for sub in ("cur", "new") for _ in (root / "Drafts" / sub).iterdir())
        engine.dispose()
    return {
        "per_item_ms": 1000 * statistics.median(first),
        "first_tenth_ms": 1000 * statistics.median(first[:tenth]),
        "last_tenth_ms": 1000 * statistics.median(first[-tenth:]),
        "first_tenth_cpu_ms": 1000 * statistics.fmean(first_cpu[:tenth]),
        "last_tenth_cpu_ms": 1000 * statistics.fmean(first_cpu[-tenth:]),
        "reads_per_delivery": first_src.drafts.reads / len(first),
        "listings_per_delivery": first_src.drafts.listings / len(first),
        "drafts": drafts,
        "idle_poll_ms": 1000 * idle,
        "idle_opened": len(second),
        "new_item_ms": 1000 * statistics.median(third),
        "new_item_cpu_ms": 1000 * statistics.median(third_cpu),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000], help="mailbox sizes to measure")
    args = ap.parse_args()
    print("wall = median elapsed ms per message (includes fsync, shared machine); cpu = mean CPU ms per message")
    print(
        f"{'messages':>9} {'wall':>6} {'wall 1st10%':>11} {'wall last10%':>12} {'cpu 1st10%':>10} {'cpu last10%':>11} "
        f"{'reads/deliv':>11} {'lists/deliv':>11} {'drafts':>7} {'idle poll':>10} {'opened':>7} {'wall new':>8} {'cpu new':>7}"
    )
    for n in args.sizes:
        r = _measure(n)
        print(
            f"{n:>9,} {r['per_item_ms']:>6.2f} {r['first_tenth_ms']:>11.2f} {r['last_tenth_ms']:>12.2f} "
            f"{r['first_tenth_cpu_ms']:>10.2f} {r['last_tenth_cpu_ms']:>11.2f} "
            f"{r['reads_per_delivery']:>11.2f} {r['listings_per_delivery']:>11.4f} {r['drafts']:>7,} "
            f"{r['idle_poll_ms']:>8.0f}ms {r['idle_opened']:>7} {r['new_item_ms']:>8.2f} {r['new_item_cpu_ms']:>7.2f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
