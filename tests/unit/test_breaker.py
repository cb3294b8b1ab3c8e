"""agent/breaker.py: pybreaker's states without its lock around the guarded call."""

from __future__ import annotations

import threading
import time

import pybreaker
import pytest

from agent.breaker import ConcurrentBreaker


class Boom(Exception):
    pass


def test_calls_run_at_the_same_time():
    breaker = ConcurrentBreaker(fail_max=3, reset_timeout=60)
    inside = threading.Barrier(4, timeout=5)  # all four must be inside the guarded call together

    def call() -> str:
        inside.wait()
        return "ok"

    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(breaker.call(call))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == ["ok"] * 4  # pybreaker.CircuitBreaker would deadlock the barrier (one call at a time)


def test_failures_open_the_circuit_and_a_success_resets_the_count():
    breaker = ConcurrentBreaker(fail_max=2, reset_timeout=60, throw_new_error_on_trip=False)

    def fail():
        raise Boom()

    with pytest.raises(Boom):
        breaker.call(fail)
    assert breaker.call(lambda: 1) == 1  # a success resets the consecutive count
    with pytest.raises(Boom):
        breaker.call(fail)
    assert breaker.current_state == pybreaker.STATE_CLOSED
    with pytest.raises(Boom):
        breaker.call(fail)  # second consecutive failure: the item's own error, and the circuit opens
    assert breaker.current_state == pybreaker.STATE_OPEN
    calls = []
    with pytest.raises(pybreaker.CircuitBreakerError):
        breaker.call(lambda: calls.append(1))
    assert calls == []  # nothing runs while open


def test_excluded_errors_do_not_count():
    breaker = ConcurrentBreaker(fail_max=1, reset_timeout=60, exclude=[lambda e: isinstance(e, ValueError)])
    with pytest.raises(ValueError):
        breaker.call(lambda: (_ for _ in ()).throw(ValueError("bad answer")))
    assert breaker.current_state == pybreaker.STATE_CLOSED


def test_after_the_cooldown_one_probe_goes_out_and_its_result_decides():
    breaker = ConcurrentBreaker(fail_max=1, reset_timeout=0.2, throw_new_error_on_trip=False)
    with pytest.raises(Boom):
        breaker.call(lambda: (_ for _ in ()).throw(Boom()))
    assert breaker.current_state == pybreaker.STATE_OPEN
    time.sleep(0.25)
    probe_in = threading.Event()
    release = threading.Event()

    def slow_probe() -> str:
        probe_in.set()
        release.wait(5)
        return "up"

    got: list[str] = []
    t = threading.Thread(target=lambda: got.append(breaker.call(slow_probe)))
    t.start()
    assert probe_in.wait(5)
    with pytest.raises(pybreaker.CircuitBreakerError):  # a second caller does not probe too
        breaker.call(lambda: "second")
    release.set()
    t.join(5)
    assert got == ["up"] and breaker.current_state == pybreaker.STATE_CLOSED
    assert breaker.call(lambda: "after") == "after"

    with pytest.raises(Boom):
        breaker.call(lambda: (_ for _ in ()).throw(Boom()))  # opens again (fail_max 1)
    time.sleep(0.25)
    with pytest.raises(Boom):
        breaker.call(lambda: (_ for _ in ()).throw(Boom()))  # the probe fails: open for another cooldown
    assert breaker.current_state == pybreaker.STATE_OPEN
    with pytest.raises(pybreaker.CircuitBreakerError):
        breaker.call(lambda: "too soon")
