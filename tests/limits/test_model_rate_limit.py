"""The model endpoint's rate limit through the real ``openai`` client against the local
OpenAI-compatible server (tests/servers/openai_server.py), counted at the server.

Windows are 2 s here (``model_window_seconds``) instead of 60 s, so a test takes seconds. The
bounds allow for 0.5 s of difference between when a request left and when the server logged it
(SLACK); elapsed-time checks are lower bounds only (a sleeping client never comes early).
"""

from __future__ import annotations

import subprocess
import time

import pytest

from agent.config import ModelConfig
from agent.errors import DrafterError
from agent.models import PlaceholderMap, Prompt
from agent.outbound_guard import OutboundGuard
from connectors.limits import LimitsBackend
from connectors.limits.model_rate import estimate_tokens
from connectors.llm_openai import OpenAIModelClient
from tests.limits.helpers import (  # noqa: F401
    PYTHON,
    WORKER,
    max_in_window,
    namespace_fixture,
    redis_url_fixture,
    run_threads,
)
from tests.servers.openai_server import OpenAIServer

WINDOW = 2
SLACK = 0.5
PROMPT = Prompt(template_id="reply/v1", template_hash="x", system="You draft replies.", user="Please answer <PERSON_1>.")


def client_for(server: OpenAIServer, backend: LimitsBackend, **model) -> OpenAIModelClient:
    return OpenAIModelClient(ModelConfig(base_url=server.base_url, **model), limits=backend)


def drafting(client: OpenAIModelClient, times: int):
    def work():
        with OutboundGuard().scope(PlaceholderMap(mapping={})):
            for _ in range(times):
                client.complete(PROMPT)

    return work


def arrival_times(server: OpenAIServer) -> list[float]:
    return sorted(t for t, _ in server.arrivals)


@pytest.mark.parametrize(
    "headers",
    [{"retry-after": "2"}, {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "2s"}],
    ids=["retry-after", "x-ratelimit-reset"],
)
def test_a_429_to_one_request_makes_every_thread_wait(headers):
    with OpenAIServer() as server:
        server.fail_next = [(429, headers)]
        client = client_for(server, LimitsBackend(), max_retries=3)
        try:
            errors = run_threads(8, drafting(client, 4))
        finally:
            client.close()
    assert errors == []
    assert len(server.requests) == 32 and len(server.arrivals) == 33  # every draft answered; one retry
    (t429,) = [t for t, status in server.arrivals if status == 429]
    during = [t for t, _ in server.arrivals if t429 < t < t429 + 2.0]
    # Only requests already on their way when the client read the 429 arrive during the pause: one
    # per other thread, plus the few sent in the gap between the server's 429 (t429 is stamped when
    # it arrived) and the client reading it. Without the shared pause the other 7 threads send
    # their remaining ~24 requests in it (28 and 32 measured with sharing switched off).
    assert len(during) <= 12
    assert sum(1 for t, _ in server.arrivals if t >= t429 + 2.0) >= 33 - 1 - 12


def test_requests_per_window_hold_with_8_threads():
    with OpenAIServer() as server:
        client = client_for(server, LimitsBackend(model_window_seconds=WINDOW), requests_per_minute=4)
        try:
            errors = run_threads(8, drafting(client, 2))
        finally:
            client.close()
    assert errors == []
    times = arrival_times(server)
    assert len(times) == 16
    assert max_in_window(times, WINDOW - SLACK) <= 4
    assert times[-1] - times[0] >= 3 * WINDOW - SLACK  # 16 requests at 4 per window: 4 windows


def test_without_a_limit_the_same_load_breaks_that_bound():
    """The measurement above can fail: the same 8 threads unlimited put all 16 in one window."""
    with OpenAIServer() as server:
        client = client_for(server, LimitsBackend(model_window_seconds=WINDOW))
        try:
            assert run_threads(8, drafting(client, 2)) == []
        finally:
            client.close()
    assert max_in_window(arrival_times(server), WINDOW - SLACK) > 4


def _estimate() -> int:
    """Tokens the limiter charges for PROMPT (from one real request body)."""
    with OpenAIServer() as server:
        client = client_for(server, LimitsBackend())
        try:
            drafting(client, 1)()
        finally:
            client.close()
    return estimate_tokens(server.raw_bodies[0])


def test_tokens_per_window_hold_with_4_threads():
    est = _estimate()
    with OpenAIServer() as server:
        server.usage = {"prompt_tokens": est // 2, "completion_tokens": 10, "total_tokens": est // 2 + 10}
        client = client_for(server, LimitsBackend(model_window_seconds=WINDOW), tokens_per_minute=3 * est + est // 2)
        try:
            errors = run_threads(4, drafting(client, 2))
        finally:
            client.close()
    assert errors == []
    times = arrival_times(server)
    assert len(times) == 8
    assert max_in_window(times, WINDOW - SLACK) <= 3  # 3 estimates fit a window, 4 do not
    assert times[-1] - times[0] >= 2 * WINDOW - SLACK


def test_tokens_used_beyond_the_estimate_are_paid_by_the_next_request():
    """Each answer reports 4× the estimate: the debt makes the next request wait, so at most two
    requests (one estimate + one settled debt) share a window of 5 estimates."""
    est = _estimate()
    with OpenAIServer() as server:
        server.usage = {"prompt_tokens": 3 * est, "completion_tokens": est, "total_tokens": 4 * est}
        client = client_for(server, LimitsBackend(model_window_seconds=WINDOW), tokens_per_minute=5 * est)
        try:
            drafting(client, 4)()
        finally:
            client.close()
    times = arrival_times(server)
    assert len(times) == 4
    assert max_in_window(times, WINDOW - SLACK) <= 2  # without the debt: all 4 in the first window
    assert times[-1] - times[0] >= 2 * WINDOW - SLACK


def test_a_pause_longer_than_max_wait_falls_back_without_a_request():
    with OpenAIServer() as server:
        server.fail_next = [(429, {"retry-after": "300"})]
        client = client_for(server, LimitsBackend(max_wait_seconds=5), max_retries=0)
        try:
            with OutboundGuard().scope(PlaceholderMap(mapping={})):
                with pytest.raises(DrafterError, match="429"):
                    client.complete(PROMPT)
                started = time.monotonic()
                with pytest.raises(DrafterError, match="model rate limit: .*pause") as info:
                    client.complete(PROMPT)
        finally:
            client.close()
    assert info.value.transient  # counted by the circuit breaker; the template drafter writes
    assert len(server.arrivals) == 1  # the second request never left
    assert time.monotonic() - started < 5  # it did not sleep first


# --------------------------------------------------------------------------- Redis backend
def test_a_429_seen_by_one_process_pauses_another_through_redis(redis_url, namespace):
    """Two backends with their own Redis clients (as two processes have): the pause lives only
    in Redis."""
    with OpenAIServer() as server:
        server.fail_next = [(429, {"retry-after": "1.5"})]
        first = client_for(server, LimitsBackend("redis", redis_url=redis_url, namespace=namespace), max_retries=0)
        second = client_for(server, LimitsBackend("redis", redis_url=redis_url, namespace=namespace), max_retries=0)
        try:
            with OutboundGuard().scope(PlaceholderMap(mapping={})):
                with pytest.raises(DrafterError, match="429"):
                    first.complete(PROMPT)
                second.complete(PROMPT)
        finally:
            first.close()
            second.close()
    (t429, _), (t_ok, status) = server.arrivals
    assert status == 200 and t_ok >= t429 + 1.5


def test_two_processes_share_the_requests_per_window(redis_url, namespace):
    with OpenAIServer() as server:
        start_at = time.time() + 4  # both processes import first, then start together
        procs = [
            subprocess.Popen([PYTHON, str(WORKER), "model", server.base_url, redis_url, namespace, "4", str(WINDOW), "4", "2",
                              str(start_at)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outs = [p.communicate(timeout=120) for p in procs]
    for out, err in outs:
        assert out.strip() == "ok", err[-2000:]
    times = arrival_times(server)
    assert len(times) == 16
    assert max_in_window(times, WINDOW - SLACK) <= 4  # one limit for both processes, not 4 each
    assert times[-1] - times[0] >= 3 * WINDOW - SLACK


def test_redis_down_sends_nothing_and_falls_back():
    with OpenAIServer() as server:
        client = client_for(server, LimitsBackend("redis", redis_url="redis://127.0.0.1:1/0"), requests_per_minute=10)
        try:
            with OutboundGuard().scope(PlaceholderMap(mapping={})):
                with pytest.raises(DrafterError, match="limit store unreachable at redis://127.0.0.1:1/0") as info:
                    client.complete(PROMPT)
        finally:
            client.close()
    assert info.value.transient and server.arrivals == []
