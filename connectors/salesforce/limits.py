"""API usage: the ``Sforce-Limit-Info`` header and the polling pause after ``REQUEST_LIMIT_EXCEEDED``.

Salesforce puts ``Sforce-Limit-Info: api-usage=N/M`` on every REST API answer (N calls used
of the org's daily allocation M; an optional ``per-app-api-usage=u/t(appName=x)`` follows)
[REST API Developer Guide, "Response Headers" / "Limits"]. The daily allocation is counted
over a rolling 24 hours, so there is no fixed reset time: after ``REQUEST_LIMIT_EXCEEDED``
(HTTP 403), in the poll or in a delivery, the connector makes no call for
``limit_pause_seconds`` and stores the pause-until time as a cursor, so a restart keeps
honouring it.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from agent.ports import CursorStore

log = logging.getLogger(__name__)

PAUSE_CURSOR_KEY = "paused_until"
PAUSE_REASON_KEY = "paused_reason"

_API_USAGE = re.compile(r"(?:^|[;,\s])api-usage=(\d+)/(\d+)")
_PER_APP = re.compile(r"per-app-api-usage=(\d+)/(\d+)\(appName=([^)]*)\)")


@dataclass(frozen=True)
class ApiUsage:
    """``used`` of ``total`` daily API requests; ``app_*`` are the per-connected-app figures when sent."""

    used: int
    total: int
    app_used: int | None = None
    app_total: int | None = None
    app_name: str | None = None

    @property
    def remaining(self) -> int:
        """Requests left in the rolling 24-hour allocation (never negative)."""
        return max(self.total - self.used, 0)


def parse_limit_info(header: str | None) -> ApiUsage | None:
    """Parse a ``Sforce-Limit-Info`` value; None when absent or without ``api-usage``.

    ``"api-usage=18/5000"`` → ``ApiUsage(18, 5000)``;
    ``"api-usage=25/5000; per-app-api-usage=17/250(appName=draftguard)"`` also fills ``app_*``.
    """
    if not header:
        return None
    m = _API_USAGE.search(header)
    if not m:
        return None
    app = _PER_APP.search(header)
    if app:
        return ApiUsage(int(m.group(1)), int(m.group(2)), int(app.group(1)), int(app.group(2)), app.group(3))
    return ApiUsage(int(m.group(1)), int(m.group(2)))


class UsageTracker:
    """Counts REST requests and keeps the last ``Sforce-Limit-Info`` seen.

    Installed as a ``requests`` response hook on the client's session, so every answer
    (success or error, including paging and retries) is counted. ``calls`` counts requests
    to ``/services/data`` (the ones that count against the API allocation);
    ``token_requests`` counts OAuth token requests (which do not).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls = 0
        self.token_requests = 0
        self.last: ApiUsage | None = None

    def hook(self, response, *args, **kwargs):  # requests response hook signature
        path = getattr(response.request, "path_url", "") or ""
        with self._lock:
            if "/services/oauth2/token" in path:
                self.token_requests += 1
            elif "/services/data" in path:
                self.calls += 1
            usage = parse_limit_info(response.headers.get("Sforce-Limit-Info"))
            if usage is not None:
                self.last = usage
        return response

    def snapshot(self) -> tuple[int, int]:
        """``(calls, token_requests)`` so far."""
        with self._lock:
            return self.calls, self.token_requests


class PollPause:
    """The pause-until cursor for one source.

    :meth:`start` stores ``now + seconds`` (UTC ISO 8601) under :data:`PAUSE_CURSOR_KEY` and
    the reason under :data:`PAUSE_REASON_KEY`; :meth:`store` does the same for a given end
    time (a ``REQUEST_LIMIT_EXCEEDED`` met during delivery); :meth:`active` returns
    ``(until, reason)`` while the end lies in the future and clears both once past.
    """

    def __init__(self, source: str, seconds: int):
        self.source = source
        self.seconds = seconds

    def start(self, cursors: CursorStore, reason: str, now: datetime | None = None) -> datetime:
        """Pause polling for ``seconds`` from ``now``; returns the end time."""
        until = (now or datetime.now(UTC)) + timedelta(seconds=self.seconds)
        self.store(cursors, until, reason)
        return until

    def store(self, cursors: CursorStore, until: datetime, reason: str) -> None:
        """Keep the pause (``until`` aware UTC) across restarts; logs one warning with the reason
        (no personal data: Salesforce's limit message or our own reserve figures)."""
        cursors.set(self.source, PAUSE_CURSOR_KEY, until.astimezone(UTC).isoformat())
        cursors.set(self.source, PAUSE_REASON_KEY, reason[:300])
        log.warning("%s: %s; Salesforce calls paused until %s", self.source, reason, until.isoformat())

    def active(self, cursors: CursorStore, now: datetime | None = None) -> tuple[datetime, str] | None:
        """``(until, reason)`` while paused, else None (an expired or unreadable pause is cleared)."""
        raw = cursors.get(self.source, PAUSE_CURSOR_KEY)
        if not raw:
            return None
        try:
            until = datetime.fromisoformat(raw)
        except ValueError:
            until = None
        if until is not None and until.tzinfo is None:
            until = until.replace(tzinfo=UTC)
        if until is not None and until > (now or datetime.now(UTC)):
            return until, cursors.get(self.source, PAUSE_REASON_KEY) or "REQUEST_LIMIT_EXCEEDED"
        cursors.set(self.source, PAUSE_CURSOR_KEY, None)
        cursors.set(self.source, PAUSE_REASON_KEY, None)
        return None

    def active_until(self, cursors: CursorStore, now: datetime | None = None) -> datetime | None:
        """The pause end while paused, else None (see :meth:`active`)."""
        found = self.active(cursors, now)
        return found[0] if found else None
