"""Redis as the task broker (``DRAFTGUARD_TASK_BROKER_URL=redis://…``; results in the same Redis):
``main.py worker`` and ``main.py run --once`` as subprocesses drain a small Maildir on PostgreSQL,
every item ends in a final state and the scheduler counted each. The events broker (RabbitMQ)
stays separate: ``DRAFTGUARD_BROKER_URL`` is not used for tasks when the task variable is set."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

from evaluation.scripted_model import answer
from tests.conftest import new_pg_database
from tests.distributed.kit import REDIS_URL, delete_redis_keys, distributed_config, env, require_redis, unique
from tests.e2e.backlog import write_backlog
from tests.e2e.helpers import ROOT
from tests.servers.openai_server import OpenAIServer

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ITEMS = 6


def test_a_worker_on_a_redis_broker_drains_the_backlog(tmp_path):
    require_redis()
    write_backlog(tmp_path / "mailbox", ITEMS, 2)
    queue, namespace = unique("dgtest.items"), unique("dgtest")
    broker = REDIS_URL.rsplit("/", 1)[0] + "/7"  # Celery's own keys (unacked, bindings) away from the limits' db
    with new_pg_database("dg_dist_redis") as pg, OpenAIServer(answer) as server:
        cfg = distributed_config(tmp_path, base_url=server.base_url, mailbox=tmp_path / "mailbox", storage_url=pg, queue=queue, namespace=namespace)
        environment = env(broker_url="amqp://nobody@127.0.0.1:1//", DRAFTGUARD_TASK_BROKER_URL=broker)
        main = [sys.executable, str(ROOT / "main.py"), "--config", str(cfg)]
        with open(tmp_path / "worker.log", "w") as log:
            worker = subprocess.Popen([*main, "worker", "-n", "2"], cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
            try:
                run = subprocess.run([*main, "run", "--once"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600)
            finally:
                worker.terminate()
                worker.wait(60)
        engine = create_engine(pg)
        try:
            with engine.connect() as c:
                states = dict(c.execute(text("SELECT state, count(*) FROM items GROUP BY state")).all())
        finally:
            engine.dispose()
    delete_redis_keys(namespace)
    import redis

    client = redis.Redis.from_url(broker)
    try:
        client.delete(queue, *client.keys(f"*{queue}*"))
    finally:
        client.close()
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert sum(states.values()) == ITEMS and set(states) <= {"drafted", "escalated", "skipped", "held"}, states
    seen = [line for line in run.stdout.splitlines() if line.strip("│ ").startswith("seen")]
    assert seen and seen[0].split("│")[2].strip() == str(ITEMS), run.stdout[-2000:]
    log_text = (tmp_path / "worker.log").read_text()
    assert worker.returncode == 0, log_text[-2000:]
    assert f"ready: 2 threads on queue {queue}" in log_text  # the operator's one line at start
