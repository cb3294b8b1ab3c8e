"""The model endpoint's rate limit, shared by every thread and (with Redis) every process.

What holds, for one endpoint (``[model] base_url`` + ``name``; OpenAI counts limits per
organisation and model):

* **requests per minute** (``[model] requests_per_minute``): at most that many requests leave in
  any 60 s (a moving window of the ``limits`` library, one entry per request; retries of the
  ``openai`` client count, since the gate sits on the HTTP client, not on the caller);
* **tokens per minute** (``[model] tokens_per_minute``): each request is charged an estimate
  *before* it leaves (:func:`estimate_tokens`), and what the answer's ``usage.total_tokens``
  says beyond the estimate is charged afterwards as *debt*: the next request to leave (any
  thread, any process on the same store) pays it on top of its own estimate. An over-estimate
  is not refunded (the moving window keeps no negative entries), so the limiter errs on the safe
  side. Tokens are counted in blocks of ``unit`` tokens (:data:`MAX_WINDOW_ENTRIES` entries at
  most per window), rounded up;
* **pauses**: an answer that asks to wait (429 with ``retry-after-ms`` / ``Retry-After`` /
  ``x-ratelimit-reset-*``, or any answer reporting a budget at 0; rules in
  :mod:`connectors.limits.rate_headers`) makes *every* caller wait until then, not only the one
  that got it: the end of the pause is shared state, checked before each request leaves.

A wait that would pass ``max_wait_seconds`` raises :class:`LimitWaitTooLong` at once, without
sleeping and without sending (the model client then falls back to the template drafter).

Both limits are optional (absent = unlimited); pauses always apply. Clocks: epoch seconds
(``time.time``) on every machine — the moving windows of ``limits`` are stamped by the client,
so machines sharing a Redis need synchronised clocks (NTP); a skew of a few hundred ms only
shifts the window edges by as much.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Protocol

from limits import RateLimitItemPerSecond
from limits.strategies import MovingWindowRateLimiter

from connectors.limits.errors import LimitStoreUnavailable, LimitWaitTooLong
from connectors.limits.rate_headers import pause_seconds

log = logging.getLogger(__name__)

#: English text averages about 4 characters per token (OpenAI, "What are tokens and how to count
#: them?"); tiktoken is not used: it downloads its BPE tables at run time.
CHARS_PER_TOKEN = 4
#: Per-message overhead of the chat format (OpenAI cookbook, "How to count tokens with tiktoken":
#: 3 tokens per message, 3 for the reply's priming; rounded up).
TOKENS_PER_MESSAGE = 4
#: Completion charged up front when the request sets no ``max_tokens`` / ``max_completion_tokens``
#: (a structured reply draft is typically 100–300 tokens). The rest is settled from ``usage``.
COMPLETION_ALLOWANCE_TOKENS = 256
#: At most this many entries per window in the store: tokens are counted in blocks of
#: ``ceil(tokens_per_minute / MAX_WINDOW_ENTRIES)``.
MAX_WINDOW_ENTRIES = 2000
#: A pause longer than a day is stored as a day (a hostile or broken header).
MAX_PAUSE_SECONDS = 86_400.0
#: Shortest sleep between two tries for a slot.
MIN_POLL_SECONDS = 0.01


class SharedState(Protocol):
    """Pause and token debt of one endpoint, in memory or in Redis (:mod:`.backend`)."""

    def pause_until(self) -> float:
        """Epoch second the current pause ends (0.0 when none)."""

    def extend_pause(self, until: float) -> None:
        """Make the pause end at ``until`` unless it already ends later."""

    def add_debt(self, tokens: int) -> None:
        """Add tokens used beyond what was charged."""

    def take_debt(self) -> int:
        """Take (and clear) the outstanding debt."""


class MemoryState:
    """:class:`SharedState` for the threads of one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until = 0.0
        self._debt = 0

    def pause_until(self) -> float:
        with self._lock:
            return self._until

    def extend_pause(self, until: float) -> None:
        with self._lock:
            self._until = max(self._until, until)

    def add_debt(self, tokens: int) -> None:
        with self._lock:
            self._debt += tokens

    def take_debt(self) -> int:
        with self._lock:
            debt, self._debt = self._debt, 0
            return debt


def estimate_tokens(body: bytes) -> int:
    """Tokens to charge for a chat completions request body (JSON bytes), before it leaves.

    ``ceil(chars / 4)`` of the message texts and the ``response_format`` schema, plus
    :data:`TOKENS_PER_MESSAGE` per message, plus the completion: ``max_completion_tokens`` /
    ``max_tokens`` when the request sets one (OpenAI's own limiter counts it, "Rate limits" guide),
    else :data:`COMPLETION_ALLOWANCE_TOKENS`. A body that is not JSON: ``ceil(bytes / 4)``."""
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return math.ceil(len(body) / CHARS_PER_TOKEN) + COMPLETION_ALLOWANCE_TOKENS
    if not isinstance(data, dict):
        return math.ceil(len(body) / CHARS_PER_TOKEN) + COMPLETION_ALLOWANCE_TOKENS
    messages = data.get("messages") if isinstance(data.get("messages"), list) else []
    chars = 0
    for m in messages:
        content = m.get("content") if isinstance(m, dict) else None
        if isinstance(content, str):
            chars += len(content)
        elif isinstance(content, list):  # content parts: [{"type": "text", "text": ...}]
            chars += sum(len(p.get("text") or "") for p in content if isinstance(p, dict))
    if data.get("response_format"):
        chars += len(json.dumps(data["response_format"]))
    completion = data.get("max_completion_tokens") or data.get("max_tokens")
    if not isinstance(completion, int) or completion <= 0:
        completion = COMPLETION_ALLOWANCE_TOKENS
    return math.ceil(chars / CHARS_PER_TOKEN) + TOKENS_PER_MESSAGE * (len(messages) + 1) + completion


def used_tokens(body: bytes) -> int | None:
    """``usage.total_tokens`` (else prompt + completion) of a chat completion answer (JSON
    bytes), or None when the answer reports no usage."""
    try:
        usage = json.loads(body).get("usage")
        if not isinstance(usage, dict):
            return None
        total = usage.get("total_tokens")
        if total is None:
            total = (usage.get("prompt_tokens") or 0) + (usage.get("completion_tokens") or 0)
        return int(total) if total >= 0 else None
    except (ValueError, TypeError, AttributeError, UnicodeDecodeError):
        return None


class ModelRateLimiter:
    """Requests/tokens per window and shared pauses for one model endpoint.

    ``storage`` is a ``limits`` storage (``MemoryStorage`` or ``RedisStorage``), ``state`` the
    endpoint's :class:`SharedState`, ``key`` names the endpoint in both. ``requests_per_window``
    / ``tokens_per_window`` (None = unlimited) hold over ``window_seconds`` (60 for the config's
    per-minute figures; tests use shorter windows). ``max_wait_seconds`` bounds one wait.
    ``store_url`` (no password) names the store in errors. Use :meth:`on_request` /
    :meth:`on_response` as the HTTP client's event hooks (see ``connectors/llm_openai.py``)."""

    def __init__(
        self,
        *,
        storage,
        state: SharedState,
        key: str,
        requests_per_window: int | None,
        tokens_per_window: int | None,
        max_wait_seconds: float,
        window_seconds: int = 60,
        store_url: str = "memory://",
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.key = key
        self.state = state
        self.max_wait_seconds = max_wait_seconds
        self.store_url = store_url
        self.clock = clock
        self.sleep = sleep
        self._limiter = MovingWindowRateLimiter(storage)
        self._rpm = RateLimitItemPerSecond(requests_per_window, window_seconds) if requests_per_window else None
        self.token_unit = max(1, math.ceil((tokens_per_window or 0) / MAX_WINDOW_ENTRIES))
        self._tpm = RateLimitItemPerSecond(tokens_per_window // self.token_unit, window_seconds) if tokens_per_window else None
        self._local = threading.local()

    # --- the gate --------------------------------------------------------------------------
    def acquire(self, estimated_tokens: int = 0) -> int:
        """Block until one request of ``estimated_tokens`` may leave; returns the tokens charged
        for it (its estimate; 0 without a token limit). The window is also charged the
        outstanding debt (up to one window's worth; the rest stays debt), in blocks rounded up.

        Raises :class:`LimitWaitTooLong` (nothing charged for the request that could not go) or
        :class:`LimitStoreUnavailable`."""
        deadline = self.clock() + self.max_wait_seconds
        try:
            self._wait_pause(deadline)
            if self._rpm is not None:
                self._take(self._rpm, 1, deadline, "model requests per minute", "requests")
            charged = 0
            if self._tpm is not None:
                debt = self.state.take_debt()
                need = max(0, estimated_tokens) + debt
                pay = min(need, self._tpm.amount * self.token_unit)  # more never fits one window
                try:
                    if pay:
                        self._take(self._tpm, math.ceil(pay / self.token_unit), deadline, "model tokens per minute", "tokens")
                except BaseException:
                    self.state.add_debt(debt)  # not paid: leave it for the next request
                    raise
                if need > pay:
                    self.state.add_debt(need - pay)  # the rest is paid by the requests after this one
                charged = max(0, estimated_tokens)
            self._wait_pause(deadline)  # a pause that began while we waited for the windows
            return charged
        except LimitWaitTooLong:
            raise
        except Exception as exc:
            if _is_store_error(exc):
                raise LimitStoreUnavailable(self.store_url, exc) from exc
            raise

    def settle(self, charged: int, used: int | None) -> None:
        """After the answer: tokens ``used`` beyond ``charged`` become debt (no refund below)."""
        if self._tpm is None or used is None or used <= charged:
            return
        try:
            self.state.add_debt(used - charged)
        except Exception as exc:  # the answer is already here: never fail the caller for this
            log.warning("model limiter: could not record %d tokens of debt: %s", used - charged, exc)

    def note_answer(self, status: int, headers) -> float | None:
        """Start (or lengthen) the shared pause an answer asks for; returns its seconds or None."""
        seconds = pause_seconds(status, headers)
        if seconds is None or seconds <= 0:
            return None
        seconds = min(seconds, MAX_PAUSE_SECONDS)
        try:
            self.state.extend_pause(self.clock() + seconds)
        except Exception as exc:
            log.warning("model limiter: could not share a %.1f s pause: %s", seconds, exc)
        log.info("model endpoint asked to wait %.2f s (HTTP %d): every caller pauses", seconds, status)
        return seconds

    # --- HTTP client hooks ---------------------------------------------------------------
    def on_request(self, request) -> None:
        """httpx request hook: wait for the gate; charges every attempt (retries included)."""
        estimate = estimate_tokens(request.content) if self._tpm is not None else 0
        self._local.charged = self.acquire(estimate)

    def on_response(self, response) -> None:
        """httpx response hook: shared pause from the headers; token debt from ``usage``."""
        self.note_answer(response.status_code, response.headers)
        charged = getattr(self._local, "charged", 0)
        self._local.charged = 0
        if self._tpm is not None and response.status_code == 200:
            response.read()
            self.settle(charged, used_tokens(response.content))

    # --- helpers -----------------------------------------------------------------------
    def _wait_pause(self, deadline: float) -> None:
        while True:
            until = self.state.pause_until()
            wait = until - self.clock()
            if wait <= 0:
                return
            if self.clock() + wait > deadline:
                raise LimitWaitTooLong("model endpoint pause (429 / rate-limit headers)", until, self.max_wait_seconds)
            self.sleep(wait)

    def _take(self, item, cost: int, deadline: float, what: str, kind: str) -> None:
        while not self._limiter.hit(item, "model", kind, self.key, cost=cost):
            reset, remaining = self._limiter.get_window_stats(item, "model", kind, self.key)
            wait = MIN_POLL_SECONDS if remaining >= cost else max(MIN_POLL_SECONDS, reset - self.clock())
            if self.clock() + wait > deadline:
                raise LimitWaitTooLong(what, self.clock() + wait, self.max_wait_seconds)
            self.sleep(wait)

    def clear(self) -> None:
        """Forget both windows (tests, ``limits`` storage reset)."""
        for kind, item in (("requests", self._rpm), ("tokens", self._tpm)):
            if item is not None:
                self._limiter.clear(item, "model", kind, self.key)


def _is_store_error(exc: BaseException) -> bool:
    """A Redis client error (connection refused, timeout, …)."""
    try:
        import redis
    except ImportError:  # pragma: no cover - redis is a dependency of the redis backend only
        return False
    return isinstance(exc, redis.RedisError)
