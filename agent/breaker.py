"""A pybreaker circuit breaker that lets several threads call the guarded function at once.

``pybreaker.CircuitBreaker.call`` holds the breaker's lock for the whole guarded call, so every
model request of a process would go one at a time whatever ``[limits] concurrency`` says (a
known limitation: danielfm/pybreaker issue #3, pull requests #40, #41, #57 and #77 were not
merged). :class:`ConcurrentBreaker` keeps pybreaker's states, counters, listeners and
``exclude`` rules, and takes the lock only to decide whether a call may start and to record its
result, never while the call runs:

* closed: every call runs; each failure counts, a success resets the count; the failure that
  reaches ``fail_max`` opens the circuit (as pybreaker);
* open: calls fail at once with ``CircuitBreakerError`` until ``reset_timeout`` has passed; then
  one call is let through as the half-open probe;
* half-open: while the probe runs, other calls fail at once as if the circuit were open (so a
  recovering endpoint gets one request, not N); the probe's success closes the circuit, its
  failure opens it for another ``reset_timeout``.

A result is applied to the state the breaker is in when the call ends (a late success after
another thread opened the circuit does not close it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pybreaker

T = TypeVar("T")


class ConcurrentBreaker(pybreaker.CircuitBreaker):
    """``pybreaker.CircuitBreaker`` whose :meth:`call` does not hold the lock while ``func``
    runs (see the module doc). Same constructor arguments."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._probing = False

    def call(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call ``func(*args, **kwargs)`` if the circuit allows it; raises ``CircuitBreakerError``
        when it does not, else whatever ``func`` raises (after counting it)."""
        with self._lock:
            state = self.state
            probe = False
            if state.name == pybreaker.STATE_OPEN:
                opened_at = self._state_storage.opened_at
                if opened_at and datetime.now(UTC) < opened_at + timedelta(seconds=self.reset_timeout):
                    raise pybreaker.CircuitBreakerError("Timeout not elapsed yet, circuit breaker still open")
                self.half_open()
                state = self.state
            if state.name == pybreaker.STATE_HALF_OPEN:
                if self._probing:
                    raise pybreaker.CircuitBreakerError("Half-open probe in progress, circuit breaker still open")
                self._probing = probe = True
            for listener in self.listeners:
                listener.before_call(self, func, *args, **kwargs)
        try:
            ret = func(*args, **kwargs)
        except BaseException as exc:
            with self._lock:
                if probe:
                    self._probing = False
                self.state._handle_error(exc)  # re-raises exc (or CircuitBreakerError on a trip when so configured)
            raise
        with self._lock:
            if probe:
                self._probing = False
            self.state._handle_success()
        return ret
