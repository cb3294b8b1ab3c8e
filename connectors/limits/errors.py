"""Errors of the shared limiters (:mod:`connectors.limits`).

The connectors turn them into their own errors: the model client into a transient
:class:`agent.errors.DrafterError` (template draft, counted by the circuit breaker), the Graph
connection into a transient :class:`agent.errors.SourceError` (the item is retried later)."""

from __future__ import annotations

from datetime import UTC, datetime


class LimitError(Exception):
    """Base class: a limiter could not let a request go."""


class LimitWaitTooLong(LimitError):
    """The wait for a slot or for the end of a pause would pass ``[limits] max_wait_seconds``.

    ``what`` names the limit (``"model pause after 429"``, ``"model requests per minute"``,
    ``"Graph requests in flight for support@contoso.com"``); ``until`` is the epoch second when
    the caller could have gone, when known (None otherwise)."""

    def __init__(self, what: str, until: float | None, max_wait: float):
        self.what = what
        self.until = until
        self.max_wait = max_wait
        when = f" until {datetime.fromtimestamp(until, UTC):%Y-%m-%d %H:%M:%S} UTC" if until else ""
        super().__init__(f"{what}: waiting{when} would take longer than max_wait_seconds = {max_wait:g}")


class LimitStoreUnavailable(LimitError):
    """The shared store (Redis) did not answer; nothing was sent. ``url`` has no password."""

    def __init__(self, url: str, cause: BaseException):
        self.url = url
        super().__init__(f"limit store unreachable at {url}: {type(cause).__name__}: {cause}"[:400])
