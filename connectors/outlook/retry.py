"""Retry policy for Microsoft Graph: which answers are retried, how long to wait, how often.

Graph throttles with ``429 Too Many Requests`` and, under load, ``503 Service Unavailable``
and ``504 Gateway Timeout``, each usually with a ``Retry-After`` header in seconds
(https://learn.microsoft.com/graph/throttling: "wait the number of seconds specified in the
Retry-After header ... then retry"). O365 mounts urllib3's ``Retry`` for these codes, but
urllib3 retries only idempotent methods, so a throttled ``POST .../createReply`` or ``PATCH``
raises at once (checked by running O365 2.1.10 against a local Graph server). draftguard therefore turns O365's
own retries off and retries here, on every method, with a bounded number of attempts:

=========  ===============================  ========================================
status     GET / PATCH / DELETE / PUT        POST (not idempotent: createReply)
=========  ===============================  ========================================
429        retry, wait Retry-After           retry, wait Retry-After (not processed)
503        retry, wait Retry-After           retry, wait Retry-After (not processed)
504        retry, wait Retry-After           the caller decides (may have been done):
                                             :mod:`connectors.outlook.drafts` looks
                                             for the draft before it posts again
network    retry                             the caller decides, as for 504
=========  ===============================  ========================================

Without ``Retry-After`` the wait is exponential (0.5 s, 1 s, 2 s ... capped). Every wait is
capped at ``max_wait_seconds`` so one hostile header cannot stall a poll.

The retry log: every answer draftguard recovers from (a retried 429/503/504 or network error,
a 401 answered by one token refresh, a 410 that restarts the delta round) is logged once, at
INFO, by :func:`note_recovery`, with the URL reduced to its path and parameter names
(:func:`safe_url`: no delta/skip token, no ``$filter`` value with an idempotency key).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar
from urllib.parse import parse_qsl, urlsplit

import requests
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import HTTPError, Timeout
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from connectors.retry_after import parse_retry_after, retry_after_until

log = logging.getLogger(__name__)

#: Statuses Graph uses for throttling and transient overload (Graph throttling guidance).
RETRY_STATUSES: frozenset[int] = frozenset({429, 503, 504})
#: Statuses that mean the request was not carried out, so even a POST may be repeated.
NOT_PROCESSED_STATUSES: frozenset[int] = frozenset({429, 503})
IDEMPOTENT_METHODS: frozenset[str] = frozenset({"get", "head", "put", "patch", "delete", "options"})

T = TypeVar("T")


def status_of(exc: BaseException) -> int | None:
    """The HTTP status carried by a requests exception, or None."""
    resp = getattr(exc, "response", None)
    return getattr(resp, "status_code", None) if resp is not None else None


def retry_after_seconds(response: requests.Response | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a response's ``Retry-After`` header (see :mod:`connectors.retry_after`).

    Returns None when there is no response, no header, or an unusable value; never negative."""
    if response is None:
        return None
    return parse_retry_after(response.headers.get("Retry-After"), now=now)


def is_retryable(exc: BaseException, method: str) -> bool:
    """True when ``exc`` from a ``method`` request may simply be repeated (see the table above)."""
    idempotent = method.lower() in IDEMPOTENT_METHODS
    if isinstance(exc, HTTPError):
        status = status_of(exc)
        if status in NOT_PROCESSED_STATUSES:
            return True
        return status in RETRY_STATUSES and idempotent
    if isinstance(exc, RequestsConnectionError | Timeout):
        return idempotent
    return False


class RetryPolicy:
    """Bounded retries honouring ``Retry-After``.

    ``max_attempts`` counts the first try (5 = one try and four retries); ``max_wait_seconds``
    caps each wait; ``base_seconds`` starts the exponential backoff used when the server gives
    no ``Retry-After``. ``sleep`` is injectable for tests."""

    def __init__(
        self,
        *,
        max_attempts: int = 5,
        max_wait_seconds: float = 60.0,
        base_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.max_attempts = max_attempts
        self.max_wait_seconds = max_wait_seconds
        self.base_seconds = base_seconds
        self.sleep = sleep

    def wait_seconds(self, state: RetryCallState) -> float:
        """Wait before the next attempt: ``Retry-After`` if given, else exponential; capped."""
        exc = state.outcome.exception() if state.outcome else None
        hinted = retry_after_seconds(getattr(exc, "response", None)) if exc is not None else None
        if hinted is None:
            hinted = self.base_seconds * (2 ** (state.attempt_number - 1))
        return min(hinted, self.max_wait_seconds)

    def retrying(self, predicate: Callable[[BaseException], bool], *, method: str = "", url: str = "") -> Retrying:
        """A tenacity ``Retrying`` for one call site; the last exception is re-raised.

        ``method`` and ``url`` name the request in the retry log (query values redacted)."""

        def _log(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            wait = state.next_action.sleep if state.next_action else 0.0
            note_recovery(
                method,
                url,
                exc,
                f"retry {state.attempt_number}/{self.max_attempts - 1} in {wait:.1f} s",
            )

        return Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=self.wait_seconds,
            retry=retry_if_exception(predicate),
            sleep=self.sleep,
            before_sleep=_log,
            reraise=True,
        )

    def call(self, method: str, fn: Callable[[], T], *, url: str = "") -> T:
        """Run ``fn`` (one HTTP request with ``method`` to ``url``) with the policy; re-raises the last error."""
        return self.retrying(lambda exc: is_retryable(exc, method), method=method, url=url)(fn)


# --- throttling past the budget ------------------------------------------------------------
#: Longest pause a ``Retry-After`` may impose on a source (a hostile or broken header must not
#: stop a mailbox for days); Graph's own values are seconds to minutes.
MAX_PAUSE_SECONDS = 3600.0


def throttled_until(exc: BaseException, *, now: datetime, fallback_seconds: float) -> datetime | None:
    """When the source may be asked again, if ``exc`` is Graph throttling; else ``None``.

    Throttling = ``429 Too Many Requests``, or ``503`` carrying ``Retry-After`` (Graph's answer
    under load, https://learn.microsoft.com/graph/throttling). ``until`` = ``now`` (aware) +
    ``Retry-After`` (seconds or HTTP-date), else + ``fallback_seconds`` (at least 1 s); never
    more than :data:`MAX_PAUSE_SECONDS` ahead."""
    if not isinstance(exc, HTTPError) or exc.response is None:
        return None
    status = exc.response.status_code
    header = exc.response.headers.get("Retry-After")
    if status != 429 and not (status == 503 and header):
        return None
    until = retry_after_until(header, now=now) or now + timedelta(seconds=max(1.0, fallback_seconds))
    return min(until, now + timedelta(seconds=MAX_PAUSE_SECONDS))


# --- the retry log -------------------------------------------------------------------------
_URL_QUERY_IN_TEXT = re.compile(r"((?:https?://|/)[^\s?'\"<>]*)\?[^\s'\"<>]+")


def safe_url(url: str) -> str:
    """``url`` fit for a log line: the path, and the query's parameter names with every value
    replaced by ``***`` (delta and skip tokens, ``$filter`` values with idempotency keys).

    ``https://graph/v1.0/users/a/messages/delta?%24deltatoken=abc`` →
    ``/v1.0/users/a/messages/delta?$deltatoken=***``."""
    if not url:
        return ""
    parts = urlsplit(url)
    names = [name for name, _ in parse_qsl(parts.query, keep_blank_values=True)]
    query = "&".join(f"{n}=***" for n in dict.fromkeys(names))
    return parts.path + (f"?{query}" if query else "")


def redact_urls(text: str) -> str:
    """``text`` (an exception message) with every URL's query string replaced by ``?***``."""
    return _URL_QUERY_IN_TEXT.sub(lambda m: f"{m.group(1)}?***", text)


def graph_error_code(exc: BaseException | None) -> str:
    """Graph's ``error.code`` from an HTTP error's JSON body (``TooManyRequests``), or ``''``."""
    resp = getattr(exc, "response", None)
    if resp is None:
        return ""
    try:
        err = resp.json().get("error") or {}
    except (ValueError, AttributeError):
        return ""
    code = err.get("code", "") if isinstance(err, dict) else ""
    return code if isinstance(code, str) and len(code) <= 80 else ""


def note_recovery(method: str, url: str, exc: BaseException | None, action: str) -> None:
    """The one log line for a Graph answer draftguard recovers from (429/503/504 retried, 401
    refreshed, 410 delta restart, network error retried), at INFO: a recovered answer needs no
    action. A failure that is not recovered is raised and reported by the caller instead."""
    what = str(status_of(exc) or type(exc).__name__) if exc is not None else "?"
    code = graph_error_code(exc)
    log.info(
        "graph %s %s answered %s%s; %s",
        (method or "?").upper(),
        safe_url(url) or "(request)",
        what,
        f" {code}" if code else "",
        action,
    )
