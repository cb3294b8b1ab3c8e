"""Helpers of the shared-limits tests (tests/limits/, tests/outlook/test_outlook_mailbox_slots.py):
the fixtures ``redis_url`` (the Redis server of this machine, 127.0.0.1:6379, or
``DRAFTGUARD_TEST_REDIS_URL``; import ``redis_url_fixture`` and ``namespace_fixture`` into a test module) and ``namespace`` (a private key
prefix per test), and functions that count requests per window at the servers."""

from __future__ import annotations

import sys
import threading
import uuid
from pathlib import Path

import pytest

from tests.redis_testkit import REDIS_URL, delete_keys, require_redis

WORKER = Path(__file__).with_name("limit_worker.py")
PYTHON = sys.executable


@pytest.fixture(name="redis_url")
def redis_url_fixture() -> str:
    """The test Redis URL; skips (or fails in CI) when no server answers."""
    require_redis()
    return REDIS_URL


@pytest.fixture(name="namespace")
def namespace_fixture(redis_url):
    """A fresh key namespace; its keys are deleted afterwards."""
    ns = f"dgtest-{uuid.uuid4().hex[:12]}"
    yield ns
    delete_keys(f"{ns}:*", redis_url)


def max_in_window(times: list[float], span: float) -> int:
    """The most requests whose arrival times fall in any half-open window of ``span`` seconds."""
    ts = sorted(times)
    return max((sum(1 for u in ts[i:] if u < t + span) for i, t in enumerate(ts)), default=0)


def run_threads(n: int, work) -> list[BaseException]:
    """Run ``work`` in ``n`` threads started together; returns their exceptions."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def run():
        barrier.wait()
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    pool = [threading.Thread(target=run) for _ in range(n)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return errors
