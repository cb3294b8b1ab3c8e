"""The distributed mode end to end (issue 12), as an operator runs it: three ``main.py worker``
processes and one ``main.py run --once`` scheduler (subprocesses) on the machine's PostgreSQL
(a private database), RabbitMQ (a private task queue and events exchange) and Redis (a private
limits namespace), 120 generated messages in a Maildir (conversations of three), the local
OpenAI-compatible server with the scripted model and a small latency.

One worker is killed with SIGKILL while it holds items (its item locks are seen in
``pg_locks``). Then:

* every item ends in exactly one final state, and the scheduler counted each once;
* the items the killed worker held were finished by the others (a second attempt counted);
* exactly one delivery per drafted item in the database; in the Drafts folder no draft twice
  (one idempotency key per file) and exactly the drafts of the last drafted message of each
  conversation (the Maildir connector replaces our older draft in a thread);
* ``main.py audit verify`` passes;
* every audit event that reports a state change arrives as a CloudEvent on the real broker
  exactly once after deduplication by event id.

Needs PostgreSQL, RabbitMQ and Redis: skips with the reason when one is absent, fails under
``DRAFTGUARD_REQUIRE_SERVICES=1``. With 300 items the budget was 150 s on a quiet 2-core machine;
measured 290 s with the machine's load average near 10 (four processes load spaCy and the risk classifier, then
the CPU, not the 50 ms model, is the bottleneck), hence the module's own pytest timeout.
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from storage import outbox
from tests.conftest import new_pg_database
from tests.distributed.kit import (
    delete_queues,
    delete_redis_keys,
    distributed_config,
    env,
    require_services,
    unique,
)
from tests.e2e.backlog import write_backlog
from tests.e2e.helpers import ROOT
from tests.events.events_testkit import consumer, parse
from tests.servers.openai_server import OpenAIServer

TIMEOUT = 900  # seconds: a loaded CI machine is slow; the budget above is for a quiet one
pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(TIMEOUT + 120)]

# 120 messages (40 conversations of three), first written with 300 (issue 12): the run's time is
# mostly the CPU of 300 items, while what is asserted needs only that the three workers' 12 threads
# go round several times (120 items = 10 rounds), that the kill lands mid-run with work left for the
# other two (30 items done, 90 to go) while the victim holds items, and many conversations with
# drafts (40). The item count is not a load test: benchmarks/distributed.py measures throughput.
ITEMS = 120
PER_CONVERSATION = 3
WORKERS = 3
WORKER_THREADS = 4
LATENCY = 0.05  # seconds per model answer
KILL_AFTER = ITEMS // 4  # items finished before one worker is killed
FINAL = ("drafted", "escalated", "skipped", "held", "quarantined", "rejected")


def _main(cfg: Path, *args: str) -> list[str]:
    return [sys.executable, str(ROOT / "main.py"), "--config", str(cfg), *args]


def _held_items(engine, pid: int, item_ids: list[int]) -> set[int]:
    """Items whose advisory lock a connection of worker ``pid`` holds (jobs/worker.py names them)."""
    from jobs.scheduler import advisory_key

    by_key = {advisory_key(f"draftguard:item:{i}") & 0xFFFFFFFFFFFFFFFF: i for i in item_ids}
    with engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT l.classid, l.objid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE :app"
            ),
            {"app": f"draftguard-worker pid={pid} %"},
        ).all()
    return {by_key[(hi << 32) | lo] for hi, lo in rows if (hi << 32) | lo in by_key}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Run the scheduler and three workers, kill one mid-run; returns what the run left."""
    require_services()
    from evaluation.scripted_model import answer

    tmp = tmp_path_factory.mktemp("distributed")
    conversations = write_backlog(tmp / "mailbox", ITEMS, PER_CONVERSATION)
    queue, namespace, exchange = unique("dg.test.items"), unique("dgtest"), unique("dg.test.events")
    with contextlib.ExitStack() as stack:
        pg = stack.enter_context(new_pg_database("dg_dist_e2e"))
        server = stack.enter_context(OpenAIServer(answer))
        server.stall_seconds = LATENCY
        events = f'\n[events]\nenabled = true\ninstance = "dist"\nexchange = "{exchange}"\n'
        cfg = distributed_config(tmp, base_url=server.base_url, mailbox=tmp / "mailbox", storage_url=pg, queue=queue, namespace=namespace, extra=events)
        stack.callback(delete_redis_keys, namespace)
        stack.callback(delete_queues, queue)
        con = stack.enter_context(consumer(exchange, {"all": ["#"]}))
        engine = create_engine(pg)
        stack.callback(engine.dispose)
        environment = env()
        started = time.monotonic()
        logs = [open(tmp / f"worker{i}.log", "w") for i in range(WORKERS)]  # noqa: SIM115 - closed below
        for f in logs:
            stack.callback(f.close)
        workers = [
            subprocess.Popen(_main(cfg, "worker", "-n", str(WORKER_THREADS), "--name", f"w{i}-{queue}"), cwd=ROOT, env=environment, stdout=f, stderr=subprocess.STDOUT)
            for i, f in enumerate(logs)
        ]

        def stop_workers() -> None:
            for w in workers:
                if w.poll() is None:
                    w.terminate()
            for w in workers:
                try:
                    w.wait(60)
                except subprocess.TimeoutExpired:
                    w.kill()

        stack.callback(stop_workers)
        scheduler = subprocess.Popen(_main(cfg, "run", "--once"), cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        victim, held = workers[0], set()
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline and scheduler.poll() is None:
            time.sleep(0.2)
            with contextlib.suppress(Exception), engine.connect() as c:  # the schema appears when the first process migrates
                done = c.execute(text(f"SELECT count(*) FROM items WHERE state IN ({', '.join(repr(s) for s in FINAL)})")).scalar()
                ids = [i for (i,) in c.execute(text("SELECT id FROM items"))]
                if done >= KILL_AFTER and (held := _held_items(engine, victim.pid, ids)):
                    victim.send_signal(signal.SIGKILL)
                    victim.wait(30)
                    break
        assert held, "the worker was never seen holding an item before the scheduler finished"
        out, err = scheduler.communicate(timeout=max(1.0, deadline - time.monotonic()))
        wall = time.monotonic() - started
        stop_workers()
        relay = subprocess.run(_main(cfg, "events", "relay", "--once"), cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)
        verify = subprocess.run(_main(cfg, "audit", "verify"), cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)
        messages = con.drain("all")
        with engine.connect() as c:
            db = {
                "items": {i: (ext, st, att) for i, ext, st, att in c.execute(text("SELECT id, external_id, state, attempts FROM items"))},
                "deliveries": c.execute(text("SELECT item_id, idempotency_key FROM deliveries")).all(),
                "audit": c.execute(text("SELECT seq, event, data FROM audit_events WHERE item_id IS NOT NULL ORDER BY seq")).all(),
            }
        yield {
            "tmp": tmp, "conversations": conversations, "scheduler": (scheduler.returncode, out, err), "wall": wall, "held": held,
            "relay": relay, "verify": verify, "messages": messages, "db": db, "victim": victim.returncode,
        }


def test_every_item_ends_in_exactly_one_final_state_after_a_worker_was_killed(world):
    code, out, err = world["scheduler"]
    assert code == 0, f"scheduler exit {code}\n{out[-3000:]}\n{err[-3000:]}"
    assert world["victim"] == -signal.SIGKILL
    items = world["db"]["items"]
    assert len(items) == ITEMS and len({ext for ext, _, _ in items.values()}) == ITEMS
    states = Counter(state for _, state, _ in items.values())
    assert set(states) <= set(FINAL), states  # nothing left new / processing / routed
    assert states["drafted"] and states["escalated"]  # a real mix
    # the scheduler counted every item once (its summary), as the database says
    summary = {}
    for line in out.splitlines():
        cells = [cell.strip() for cell in line.split("│") if cell.strip()]
        if len(cells) == 2 and cells[1].isdigit():
            summary[cells[0]] = int(cells[1])
    assert summary.get("seen") == ITEMS, out[-3000:]
    for state in ("drafted", "escalated", "skipped", "quarantined"):
        assert summary.get(state) == states[state], (state, summary, states)
    # the killed worker's items were taken over and finished; those it had claimed were claimed
    # again (a second attempt counted). An item it held before its claim or after its last commit
    # (milliseconds of an item's seconds) keeps one attempt, so "any", not "all".
    held = {item_id: items[item_id] for item_id in world["held"]}
    assert all(state in FINAL for _, state, _ in held.values()), held
    assert any(attempts >= 2 for _, _, attempts in held.values()), held
    print(f"\ndistributed e2e: {ITEMS} items, {WORKERS} workers x {WORKER_THREADS} threads, one killed holding {len(world['held'])} items; wall {world['wall']:.1f} s")


def test_exactly_one_draft_per_drafted_item(world):
    items, deliveries = world["db"]["items"], world["db"]["deliveries"]
    per_item = Counter(item_id for item_id, _ in deliveries)
    drafted = {i for i, (_, state, _) in items.items() if state == "drafted"}
    assert set(per_item) == drafted and set(per_item.values()) == {1}
    keys = {key: item_id for item_id, key in deliveries}
    files = [
        BytesParser(policy=policy.default).parsebytes(f.read_bytes())
        for sub in ("cur", "new")
        for f in (world["tmp"] / "Drafts" / sub).iterdir()
    ]
    in_folder = Counter(m["X-Draftguard-Idempotency-Key"] for m in files)
    assert max(in_folder.values()) == 1  # no draft written twice
    assert set(in_folder) <= set(keys)
    # the Maildir keeps our newest draft of a thread: the last drafted message of each conversation
    by_file = {ext: i for i, (ext, _, _) in items.items()}
    expected = set()
    for files_in_order in world["conversations"].values():
        drafted_here = [by_file[name] for name in files_in_order if by_file[name] in drafted]
        if drafted_here:
            expected.add(drafted_here[-1])
    assert {keys[k] for k in in_folder} == expected


def test_audit_verify_passes(world):
    verify = world["verify"]
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_every_state_change_has_its_event_exactly_once_after_dedup(world):
    relay = world["relay"]
    assert relay.returncode == 0, relay.stdout + relay.stderr
    events = {}
    for m in world["messages"]:
        ev = parse(m)
        events[ev.get_id()] = ev  # at-least-once: deduplicated by the event id
    by_seq: dict[int, list] = defaultdict(list)
    for ev in events.values():
        by_seq[ev.get_data()["audit_seq"]].append(ev.get_type())
    assert all(len(types) == 1 for types in by_seq.values())  # one event id per change
    expected = {seq: outbox.full_type(name) for seq, ev, data in world["db"]["audit"] if (name := outbox.type_name(ev, data if isinstance(data, dict) else json.loads(data)))}
    assert {seq: types[0] for seq, types in by_seq.items()} == expected
    per_item = Counter(int(ev.get_subject()) for ev in events.values() if ev.get_type() == outbox.full_type("item.ingested"))
    assert len(per_item) == ITEMS and set(per_item.values()) == {1}
