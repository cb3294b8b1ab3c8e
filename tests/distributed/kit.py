"""Helpers of the distributed-mode tests (tests/distributed/, tests/e2e/test_distributed.py): the
machine's RabbitMQ, Redis and PostgreSQL (skip with the reason, or fail under
``DRAFTGUARD_REQUIRE_SERVICES=1``), a config for the mode with private names (task queue, Redis
key namespace, events exchange), ``main.py worker`` subprocesses started and stopped, and the
clean-up of the broker's queues."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from tests.e2e.helpers import ROOT, write_config
from tests.events.events_testkit import BROKER_URL, require_broker
from tests.redis_testkit import REDIS_URL, delete_keys, require_redis


def require_services() -> None:
    """RabbitMQ and Redis (PostgreSQL is checked by :func:`tests.conftest.new_pg_database`)."""
    require_broker()
    require_redis()


def unique(prefix: str) -> str:
    return f"{prefix}.{uuid.uuid4().hex[:10]}"


def distributed_config(tmp: Path, *, base_url: str, mailbox: Path, storage_url: str, queue: str, namespace: str, extra: str = "") -> Path:
    """config.example.toml for a test (tests/e2e/helpers.write_config) with ``[distributed]``
    enabled on ``queue`` and ``[limits] backend = "redis"`` under ``namespace``; the broker URL
    comes from the environment (:func:`env`)."""
    cfg = write_config(tmp, base_url=base_url, mailbox=mailbox, storage_url=storage_url, extra=f'\n[distributed]\nenabled = true\nqueue = "{queue}"\n' + extra)
    text = cfg.read_text()
    for old, new in (('# backend = "memory"', 'backend = "redis"'), ('# namespace = "draftguard"', f'namespace = "{namespace}"')):
        assert old in text
        text = text.replace(old, new, 1)
    cfg.write_text(text)
    return cfg


def env(broker_url: str = BROKER_URL, **more: str) -> dict[str, str]:
    """The environment of a scheduler or worker subprocess: the broker (with its credentials)
    from the environment, the test Redis, no storage override."""
    out = {k: v for k, v in os.environ.items() if k not in ("DRAFTGUARD_STORAGE_URL", "DRAFTGUARD_TASK_BROKER_URL")}
    out.update({"DRAFTGUARD_BROKER_URL": broker_url, "DRAFTGUARD_REDIS_URL": REDIS_URL, "COLUMNS": "200", **more})
    return out


def start_workers(
    cfg: Path,
    count: int,
    *,
    threads: int,
    environment: dict[str, str],
    names: Sequence[str] | None = None,
    outputs: Sequence[IO] | None = None,
) -> list[subprocess.Popen]:
    """Start ``count`` ``main.py --config cfg worker -n threads`` subprocesses in the repository
    root with ``environment`` (see :func:`env`); ``names[i]`` is worker i's ``--name``, and its
    stdout and stderr go to ``outputs[i]`` (default: discarded). Stop them with :func:`stop_workers`."""
    procs = []
    for i in range(count):
        cmd = [sys.executable, str(ROOT / "main.py"), "--config", str(cfg), "worker", "-n", str(threads)]
        if names is not None:
            cmd += ["--name", names[i]]
        out = outputs[i] if outputs is not None else subprocess.DEVNULL
        procs.append(subprocess.Popen(cmd, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT if outputs is not None else subprocess.DEVNULL))
    return procs


def stop_workers(procs: Sequence[subprocess.Popen], timeout: float = 60.0) -> None:
    """SIGTERM every worker still running (a worker finishes its items first), wait up to
    ``timeout`` seconds for each, and SIGKILL the ones still alive after that."""
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def delete_queues(*names: str, broker_url: str = BROKER_URL) -> None:
    """Delete the named queues on the broker (the test's task queue); missing ones are fine."""
    from kombu import Connection

    with Connection(broker_url, connect_timeout=5) as conn:
        for name in names:
            try:
                conn.default_channel.queue_delete(name)
            except Exception:  # noqa: BLE001 - already gone
                pass


def delete_redis_keys(namespace: str) -> None:
    """Delete the test Redis's keys under ``namespace`` (every key starting with it)."""
    delete_keys(f"{namespace}*")
