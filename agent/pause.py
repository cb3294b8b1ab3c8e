"""Paused sources: what a run and ``main.py status`` say while a source refuses work.

A source that answers "not now" (:class:`agent.errors.SourceThrottledError`: Salesforce
``REQUEST_LIMIT_EXCEEDED``, Graph 429 after the client's retries) is paused by the pipeline
until the error's ``until``; the pause is a ``source_state`` row (:mod:`storage.models`), so
every later run and the service honour it. This module is light (no pipeline imports) so
``status`` can read pauses without loading the models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from storage.repository import UnitOfWork


@dataclass(frozen=True)
class SourcePause:
    """A paused source: nothing is sent to it before ``until`` (aware UTC). ``reason`` is the
    connector's cause (an error code and message, no personal data); ``waiting`` counts the
    source's items left pending (``new``, ``processing``, ``routed``)."""

    source: str
    until: datetime
    reason: str
    waiting: int = 0

    def line(self) -> str:
        """The one-line notice every run and ``status`` print while the pause lasts, e.g.
        ``salesforce:acme paused until 2026-12-03 14:05:00 UTC (REQUEST_LIMIT_EXCEEDED); 5 items wait``."""
        reason = f" ({self.reason})" if self.reason else ""
        waiting = ""
        if self.waiting:
            waiting = "; 1 item waits" if self.waiting == 1 else f"; {self.waiting} items wait"
        return f"{self.source} paused until {self.until.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC{reason}{waiting}"

    def as_dict(self) -> dict:
        """JSON-ready form (``until`` as ISO 8601 UTC), for ``status --json``."""
        return {"source": self.source, "until": self.until.astimezone(UTC).isoformat(), "reason": self.reason, "waiting": self.waiting}


def active_pauses(uow: UnitOfWork, source: str | None = None) -> list[SourcePause]:
    """The pauses in force now (all sources, or only ``source``), with their waiting items."""
    rows = uow.source_pauses()
    if source is not None:
        rows = [r for r in rows if r.source == source]
    waiting = uow.pending_counts(source)
    return [SourcePause(r.source, r.paused_until, r.pause_reason or "", waiting.get(r.source, 0)) for r in rows]
