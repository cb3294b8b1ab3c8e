"""Requests in flight per key (a Graph mailbox), across threads and, with Redis, across machines.

Microsoft Graph's Outlook service limits allow **4 concurrent requests per app ID per mailbox**
(https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits; a fifth is answered
429 "Application is over its MailboxConcurrency limit"). The Outlook connector holds one slot of
its mailbox's key (``tenant:client_id:mailbox``) for each request, so that figure holds however
many items, threads, worker processes or machines share one app registration.

* :class:`MemorySlots`: one ``threading.BoundedSemaphore`` per key and limit, shared by every
  connection of the process (not one per connection, so two sources or two connections of the
  same mailbox still share the 4 slots).
* :class:`RedisLeaseSlots`: a lease semaphore in one Redis sorted set per key (member = a random
  token, score = the lease's end in the Redis server's clock, ms). Taking a slot is one Lua script
  (drop expired leases, count, add), so it is atomic on the server and no machine's clock is
  involved. A process killed while holding a slot cannot keep it: its lease ends after
  ``lease_seconds`` and the next acquire drops it. The lease must outlast the longest request
  (the connector uses ``2 × timeout + 5 s``); a request that outlives it is logged on release.

No well-kept Python library offers a counting semaphore with per-holder expiry (``redis-py``'s
``Lock`` and ``python-redis-lock`` are mutexes; ``redis-semaphore`` was last released in 2016):
hence this small one, after the sorted-set semaphore of "Redis in Action" §6.3 (J. Carlson).
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator

from connectors.limits.errors import LimitStoreUnavailable, LimitWaitTooLong

log = logging.getLogger(__name__)

# KEYS[1] = the sorted set; ARGV = limit, lease ms, token. Returns {1, 0} when taken, else
# {0, ms until the earliest lease ends}.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local lease = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[3])
  if redis.call('PTTL', KEYS[1]) < lease then
    redis.call('PEXPIRE', KEYS[1], lease)
  end
  return {1, 0}
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tonumber(first[2]) - now}
"""

# KEYS[1] = the sorted set; ARGV[1] = token. Returns 1 when the lease was still held.
_RELEASE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
if score and tonumber(score) > now then return 1 end
return 0
"""

# KEYS[1] = the sorted set. Live leases.
_COUNT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
"""


class MemorySlots:
    """In-process slots: ``hold(key, limit)`` waits at most ``max_wait_seconds``."""

    kind = "memory"

    def __init__(self, *, max_wait_seconds: float):
        self.max_wait_seconds = max_wait_seconds
        self._sems: dict[tuple[str, int], threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()

    def _sem(self, key: str, limit: int) -> threading.BoundedSemaphore:
        with self._lock:
            sem = self._sems.get((key, limit))
            if sem is None:
                sem = self._sems[(key, limit)] = threading.BoundedSemaphore(limit)
            return sem

    @contextlib.contextmanager
    def hold(self, key: str, limit: int, *, lease_seconds: float | None = None) -> Iterator[None]:
        """Hold one of ``limit`` slots of ``key`` for the ``with`` block.

        ``lease_seconds`` is ignored (a thread's slot goes with it). Raises
        :class:`LimitWaitTooLong` when no slot frees within ``max_wait_seconds``."""
        sem = self._sem(key, limit)
        if not sem.acquire(timeout=self.max_wait_seconds):
            raise LimitWaitTooLong(f"requests in flight for {key} (at most {limit})", None, self.max_wait_seconds)
        try:
            yield
        finally:
            sem.release()


class RedisLeaseSlots:
    """Slots shared through Redis (see the module docstring).

    ``client`` is a ``redis.Redis``; keys are ``<namespace>:slots:<key>``. ``lease_seconds`` is
    the default lease; ``max_wait_seconds`` bounds one wait; ``url`` (no password) names the
    store in errors."""

    kind = "redis"

    def __init__(
        self,
        client,
        *,
        namespace: str,
        lease_seconds: float = 65.0,
        max_wait_seconds: float,
        url: str = "redis://",
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.client = client
        self.namespace = namespace
        self.lease_seconds = lease_seconds
        self.max_wait_seconds = max_wait_seconds
        self.url = url
        self.sleep = sleep
        self._acquire = client.register_script(_ACQUIRE)
        self._release = client.register_script(_RELEASE)
        self._count = client.register_script(_COUNT)

    def _key(self, key: str) -> str:
        return f"{self.namespace}:slots:{key}"

    def try_acquire(self, key: str, limit: int, *, lease_seconds: float | None = None) -> tuple[str | None, float]:
        """One try: ``(token, 0.0)`` when a slot was taken, else ``(None, seconds until the
        earliest lease ends)``. Raises :class:`LimitStoreUnavailable`."""
        token = uuid.uuid4().hex
        lease_ms = max(1, int((lease_seconds or self.lease_seconds) * 1000))
        try:
            taken, wait_ms = self._acquire(keys=[self._key(key)], args=[limit, lease_ms, token])
        except Exception as exc:
            raise _store_error(self.url, exc) from exc
        return (token, 0.0) if int(taken) == 1 else (None, max(0, int(wait_ms)) / 1000.0)

    def release(self, key: str, token: str) -> bool:
        """Give the slot back; False when its lease had already ended (logged)."""
        try:
            held = int(self._release(keys=[self._key(key)], args=[token])) == 1
        except Exception as exc:  # the lease ends by itself
            log.warning("slot of %s not released (%s); its lease ends by itself", key, exc)
            return False
        if not held:
            log.warning("a request to %s outlived its %.0f s slot lease: raise the lease", key, self.lease_seconds)
        return held

    def in_flight(self, key: str) -> int:
        """Leases of ``key`` not yet ended."""
        try:
            return int(self._count(keys=[self._key(key)]))
        except Exception as exc:
            raise _store_error(self.url, exc) from exc

    @contextlib.contextmanager
    def hold(self, key: str, limit: int, *, lease_seconds: float | None = None) -> Iterator[None]:
        """Hold one of ``limit`` slots of ``key`` for the ``with`` block, polling every 5–100 ms
        (never past the earliest lease's end). Raises :class:`LimitWaitTooLong` after
        ``max_wait_seconds``, :class:`LimitStoreUnavailable` when Redis does not answer."""
        deadline = time.monotonic() + self.max_wait_seconds
        poll = 0.005
        while True:
            token, wait = self.try_acquire(key, limit, lease_seconds=lease_seconds)
            if token is not None:
                break
            if time.monotonic() >= deadline:
                raise LimitWaitTooLong(f"requests in flight for {key} (at most {limit})", None, self.max_wait_seconds)
            self.sleep(min(wait, poll * (1 + random.random()), max(0.0, deadline - time.monotonic())) or 0.001)
            poll = min(poll * 2, 0.1)
        try:
            yield
        finally:
            self.release(key, token)


def _store_error(url: str, exc: Exception) -> Exception:
    try:
        import redis
    except ImportError:  # pragma: no cover
        return exc
    return LimitStoreUnavailable(url, exc) if isinstance(exc, redis.RedisError) else exc
