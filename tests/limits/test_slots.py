"""Slots per key (connectors/limits/slots.py): in memory and as Redis leases, including a holder
killed with SIGKILL whose lease ends by itself."""

from __future__ import annotations

import subprocess
import threading
import time

import pytest
import redis

from connectors.limits import LimitStoreUnavailable, LimitWaitTooLong
from connectors.limits.slots import MemorySlots, RedisLeaseSlots
from tests.limits.helpers import PYTHON, WORKER, namespace_fixture, redis_url_fixture, run_threads  # noqa: F401


class InFlight:
    """Counts holders inside the slot and remembers the most at once."""

    def __init__(self):
        self.now = 0
        self.most = 0
        self._lock = threading.Lock()

    def __enter__(self):
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)

    def __exit__(self, *exc):
        with self._lock:
            self.now -= 1


def _hammer(slots_per_thread, key: str, limit: int, threads: int = 12, rounds: int = 5) -> InFlight:
    seen = InFlight()
    counter = iter(range(threads))

    def work():
        slots = slots_per_thread[next(counter) % len(slots_per_thread)]
        for _ in range(rounds):
            with slots.hold(key, limit), seen:
                time.sleep(0.01)

    assert run_threads(threads, work) == []
    return seen


def test_memory_slots_hold_the_limit_across_twelve_threads():
    seen = _hammer([MemorySlots(max_wait_seconds=30)], "graph:t:c:box", 4)
    assert 2 <= seen.most <= 4


def test_memory_slot_wait_is_bounded():
    slots = MemorySlots(max_wait_seconds=0.2)
    with slots.hold("k", 1):
        with pytest.raises(LimitWaitTooLong, match="requests in flight for k"):
            with slots.hold("k", 1):
                pass
    with slots.hold("k", 1):  # released after the failed wait
        pass


def test_redis_slots_hold_the_limit_across_clients(redis_url, namespace):
    """Three Redis clients (as three processes have), twelve threads: never more than 4."""
    clients = [redis.Redis.from_url(redis_url) for _ in range(3)]
    slots = [RedisLeaseSlots(c, namespace=namespace, max_wait_seconds=30) for c in clients]
    seen = _hammer(slots, "graph:t:c:box", 4)
    assert 2 <= seen.most <= 4
    assert slots[0].in_flight("graph:t:c:box") == 0  # every lease given back


def test_a_killed_holders_lease_ends_by_itself(redis_url, namespace):
    key = "graph:t:c:box"
    holder = subprocess.Popen([PYTHON, str(WORKER), "hold", redis_url, namespace, key, "5"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    token = holder.stdout.readline().strip()
    holder.kill()  # SIGKILL: no release, no cleanup
    holder.wait(timeout=30)
    assert token not in ("", "none"), holder.stderr.read()
    client = redis.Redis.from_url(redis_url)
    lease_end = client.zscore(f"{namespace}:slots:{key}", token) / 1000
    slots = RedisLeaseSlots(client, namespace=namespace, max_wait_seconds=30)
    assert slots.in_flight(key) == 1
    taken, wait = slots.try_acquire(key, 1)
    assert taken is None and 0 < wait <= 5
    with slots.hold(key, 1):
        secs, micros = client.time()
        assert secs + micros / 1e6 >= lease_end  # only once the dead holder's lease had ended
        assert slots.in_flight(key) == 1
    assert slots.in_flight(key) == 0


def test_redis_down_is_a_limit_error_not_a_hang():
    client = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    slots = RedisLeaseSlots(client, namespace="x", max_wait_seconds=5, url="redis://127.0.0.1:1/0")
    with pytest.raises(LimitStoreUnavailable, match="127.0.0.1:1"):
        with slots.hold("k", 4):
            pass
