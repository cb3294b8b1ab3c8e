"""The retry policy for Teams HTTP posts (Workflows webhook and Graph), in one place.

Retried: HTTP 429 (waiting ``Retry-After``, seconds or HTTP-date, parsed by
:mod:`connectors.retry_after`, capped at ``max_wait`` seconds), HTTP 5xx, connection errors
and timeouts; with exponential backoff and jitter (0.5 s initial) when the answer gives no ``Retry-After``. Not
retried: other 4xx (a bad card, a revoked webhook, an expired token). After the last try
:class:`agent.errors.NotifyError` is raised; the outbox (:mod:`jobs.notifications`)
keeps the failure and tries again on a later run.

Error texts never contain the URL: a Workflows webhook URL carries its signature
(``sig=``) in the query string, which is a secret.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import requests
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from agent.errors import NotifyError
from connectors.retry_after import parse_retry_after

log = logging.getLogger(__name__)


class RetryableHTTPError(Exception):
    """An answer worth retrying (429 / 5xx); ``retry_after`` in seconds when the server sent one."""

    def __init__(self, status: int, retry_after: float | None):
        self.status = status
        self.retry_after = retry_after
        super().__init__(f"HTTP {status}")


class _Wait:
    """``Retry-After`` when given (capped), else exponential backoff with jitter."""

    def __init__(self, max_wait: float):
        self.max_wait = max_wait
        self._expo = wait_exponential_jitter(initial=0.5, max=max(max_wait, 0.5), jitter=0.5)

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RetryableHTTPError) and exc.retry_after is not None:
            return min(exc.retry_after, self.max_wait)
        return min(self._expo(state), self.max_wait)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, RetryableHTTPError):
        return str(exc)
    if isinstance(exc, requests.Timeout):
        return "timeout"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed"
    return type(exc).__name__


def post_with_retry(
    session: requests.Session,
    url: str,
    *,
    what: str,
    json_body: dict,
    ok_statuses: Iterable[int],
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
    max_attempts: int = 4,
    max_wait: float = 30.0,
) -> requests.Response:
    """POST ``json_body`` to ``url`` until an ``ok_statuses`` answer, under the policy above.

    ``what`` names the target in errors and logs (never the URL). Returns the response;
    raises :class:`NotifyError` after ``max_attempts`` tries or on a non-retryable status.
    """
    ok = frozenset(ok_statuses)

    def _once() -> requests.Response:
        resp = session.post(url, json=json_body, headers=headers, timeout=timeout)
        if resp.status_code in ok:
            return resp
        if resp.status_code == 429 or resp.status_code >= 500:
            raise RetryableHTTPError(resp.status_code, parse_retry_after(resp.headers.get("Retry-After")))
        raise NotifyError(f"{what}: HTTP {resp.status_code} {_error_hint(resp)}".rstrip())

    def _before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.warning(
            "%s: attempt %d failed (%s), retrying in %.1f s",
            what,
            state.attempt_number,
            _describe(exc) if exc else "?",
            state.next_action.sleep if state.next_action else 0.0,
        )

    retrying = Retrying(
        retry=retry_if_exception_type((RetryableHTTPError, requests.ConnectionError, requests.Timeout)),
        stop=stop_after_attempt(max_attempts),
        wait=_Wait(max_wait),
        before_sleep=_before_sleep,
        reraise=True,
    )
    try:
        return retrying(_once)
    except NotifyError:
        raise
    except (RetryableHTTPError, requests.RequestException) as exc:
        raise NotifyError(f"{what}: {_describe(exc)} after {max_attempts} attempt(s)") from None


def _error_hint(resp: requests.Response) -> str:
    """A short, URL-free hint from an error body (Graph ``error.code``), or ''."""
    try:
        data = resp.json()
    except ValueError:
        return ""
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        code = data["error"].get("code")
        return f"({code})" if isinstance(code, str) and len(code) < 80 else ""
    return ""
