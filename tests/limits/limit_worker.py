"""One process of the cross-process limit tests (tests/limits/), started by the tests.

``python limit_worker.py model BASE_URL REDIS_URL NAMESPACE RPM WINDOW THREADS PER_THREAD START_AT``:
draft requests through the real ``openai`` client with the Redis limits backend.
``python limit_worker.py graph GRAPH_URL AUTHORITY_URL TENANT CLIENT_ID MAILBOX REDIS_URL NAMESPACE DB THREADS PER_THREAD START_AT``:
GETs on one mailbox through :class:`connectors.outlook.source.OutlookSource` (O365 + msal).
``python limit_worker.py hold REDIS_URL NAMESPACE KEY LEASE``: take one slot of KEY, print its
token, then sleep until killed.

Threads start together at the epoch second START_AT, so both processes overlap. Prints
``ok`` (or the errors) on stdout.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def _together(threads: int, start_at: float, work) -> list[BaseException]:
    errors: list[BaseException] = []

    def run():
        time.sleep(max(0.0, start_at - time.time()))
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return errors


def model(base_url, redis_url, namespace, rpm, window, threads, per_thread, start_at) -> list[BaseException]:
    from agent.config import ModelConfig
    from agent.models import PlaceholderMap, Prompt
    from agent.outbound_guard import OutboundGuard
    from connectors.limits import LimitsBackend
    from connectors.llm_openai import OpenAIModelClient

    backend = LimitsBackend("redis", redis_url=redis_url, namespace=namespace, model_window_seconds=int(window))
    client = OpenAIModelClient(ModelConfig(base_url=base_url, requests_per_minute=int(rpm)), limits=backend)
    prompt = Prompt(template_id="reply/v1", template_hash="x", system="You draft replies.", user="Please answer <PERSON_1>.")

    def work():
        with OutboundGuard().scope(PlaceholderMap(mapping={})):
            for _ in range(int(per_thread)):
                client.complete(prompt)

    try:
        return _together(int(threads), float(start_at), work)
    finally:
        client.close()


def graph(graph_url, authority_url, tenant, client_id, mailbox, redis_url, namespace, db, threads, per_thread, start_at):
    from agent.config import OutlookSourceConfig
    from connectors.limits import LimitsBackend
    from connectors.outlook.source import OutlookSource
    from storage.db import open_database
    from storage.repository import SqlKeyValueStore

    engine, sf = open_database(f"sqlite:///{db}")
    cfg = OutlookSourceConfig(name="m365", tenant_id=tenant, client_id=client_id, mailboxes=[mailbox],
                              graph_url=graph_url, authority_url=authority_url)
    src = OutlookSource(cfg, kv_factory=lambda ns: SqlKeyValueStore(sf, ns),
                        limits=LimitsBackend("redis", redis_url=redis_url, namespace=namespace))
    url = f"{graph_url}v1.0/users/{mailbox}/messages"
    src.con.oauth_request(url, "get")  # sign in once before the threads start

    def work():
        for _ in range(int(per_thread)):
            src.con.oauth_request(url, "get")

    try:
        return _together(int(threads), float(start_at), work)
    finally:
        src.close()
        engine.dispose()


def hold(redis_url, namespace, key, lease) -> None:
    import redis

    from connectors.limits.slots import RedisLeaseSlots

    slots = RedisLeaseSlots(redis.Redis.from_url(redis_url), namespace=namespace, max_wait_seconds=10)
    token, _ = slots.try_acquire(key, 1, lease_seconds=float(lease))
    print(token or "none", flush=True)
    time.sleep(120)  # killed by the test long before


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "hold":
        hold(*args)
    else:
        errs = (model if mode == "model" else graph)(*args)
        print("ok" if not errs else "errors: " + "; ".join(f"{type(e).__name__}: {e}" for e in errs), flush=True)
