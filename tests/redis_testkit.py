"""The test Redis shared by the shared-limits tests (tests/limits/helpers.py) and the
distributed-mode tests (tests/distributed/kit.py): its URL (the server of this machine,
127.0.0.1:6379 db 0, or ``DRAFTGUARD_TEST_REDIS_URL``), a reachability check that skips (or
fails under ``DRAFTGUARD_REQUIRE_SERVICES=1``), and the clean-up of a test's keys."""

from __future__ import annotations

import os

from tests.conftest import need_service

REDIS_URL = os.environ.get("DRAFTGUARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def require_redis(url: str = REDIS_URL) -> None:
    """Skip (or fail in CI, :func:`tests.conftest.need_service`) when Redis at ``url`` does not
    answer a PING within 2 s."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        need_service(f"Redis not reachable at {url}: {exc}")
    finally:
        client.close()


def delete_keys(pattern: str, url: str = REDIS_URL) -> None:
    """Delete every key of the Redis at ``url`` matching the glob ``pattern`` (SCAN, then DEL);
    none matching is fine."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(pattern))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
