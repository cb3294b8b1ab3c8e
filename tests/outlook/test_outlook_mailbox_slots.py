"""Graph's 4 requests in flight per app and mailbox, counted by the local Graph server
(tests/outlook/graph_fake.py ``max_in_flight``) while 12 threads — in one process over two
connections, or in two processes sharing Redis — send requests through O365 + msal."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time

import pytest

from agent.errors import SourceError
from connectors.limits import LimitsBackend
from tests.limits.helpers import PYTHON, WORKER, namespace_fixture, redis_url_fixture, run_threads  # noqa: F401
from tests.outlook.conftest import CLIENT_ID, MAILBOX, TENANT


def _gets(src, times: int):
    url = f"{src.cfg.graph_url}v1.0/users/{MAILBOX}/messages"

    def work():
        for _ in range(times):
            src.con.oauth_request(url, "get")

    return work


def _twelve_threads_on(sources, graph) -> list[BaseException]:
    for src in sources:  # sign in first, one request at a time
        _gets(src, 1)()
    graph.delay_seconds = 0.1
    works = [_gets(sources[i % len(sources)], 3) for i in range(12)]
    counter = iter(range(12))
    return run_threads(12, lambda: works[next(counter)]())


def test_twelve_threads_on_two_connections_keep_four_in_flight(graph, make_source):
    shared = LimitsBackend()
    sources = [make_source(limits=shared), make_source(limits=shared)]
    assert sources[0].con is not sources[1].con
    assert _twelve_threads_on(sources, graph) == []
    assert len(graph.requests_for("GET", "/messages")) == 2 + 36
    assert 2 <= graph.max_in_flight[MAILBOX] <= 4


def test_without_shared_slots_two_connections_go_past_four(graph, make_source):
    """The count above can fail: two connections with slots of their own reach up to 8."""
    sources = [make_source(limits=LimitsBackend()), make_source(limits=LimitsBackend())]
    assert _twelve_threads_on(sources, graph) == []
    assert graph.max_in_flight[MAILBOX] > 4


def test_two_processes_on_one_redis_keep_four_in_flight(graph, entra, tmp_path, redis_url, namespace):
    for i in range(3):
        graph.deliver(MAILBOX, subject=f"topic {i}")
    graph.delay_seconds = 0.1
    start_at = time.time() + 4  # both processes import and sign in first, then start together
    procs = [
        subprocess.Popen(
            [PYTHON, str(WORKER), "graph", graph.base, entra.base, TENANT, CLIENT_ID, MAILBOX, redis_url, namespace,
             str(tmp_path / f"p{i}.db"), "6", "3", str(start_at)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
        )
        for i in range(2)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    for out, err in outs:
        assert out.strip() == "ok", err[-2000:]
    assert len(graph.requests_for("GET", "/messages")) == 2 * (1 + 18)
    assert 2 <= graph.max_in_flight[MAILBOX] <= 4  # one budget of 4 for both processes, not 4 each


def test_no_free_slot_in_time_is_a_transient_source_error(graph, make_source):
    backend = LimitsBackend(max_wait_seconds=0.3)
    src = make_source(limits=backend)
    url = f"{src.cfg.graph_url}v1.0/users/{MAILBOX}/messages"
    src.con.oauth_request(url, "get")  # signed in
    before = len(graph.log)
    with contextlib.ExitStack() as stack:
        for _ in range(4):  # four requests of other items in flight
            stack.enter_context(backend.slots.hold(src.con.slot_key(url), 4))
        with pytest.raises(SourceError, match="no request slot for") as info:
            src.con.oauth_request(url, "get")
    assert info.value.transient and len(graph.log) == before  # nothing sent
    src.con.oauth_request(url, "get")  # the slots are free again
