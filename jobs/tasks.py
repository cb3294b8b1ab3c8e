"""The scheduled job functions, importable by reference (``"jobs.tasks:poll_source"``).

APScheduler's SQLAlchemy job store pickles each job; a job therefore names a module-level
function plus plain arguments (a source name), never an object. The functions find what
they need in a process-wide :class:`ServiceRuntime` set once at start-up by
:func:`jobs.scheduler.run_forever` (:func:`set_runtime`).

Shutdown: every job checks :attr:`ServiceRuntime.stop` before it starts, and a poll
checks it after each item (the pipeline commits one item at a time): the item in
flight completes, the rest stay for the next run (the pipeline deduplicates on
``(source, external_id)``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent.error_text import error_text, stack_text
from agent.errors import DraftguardError
from jobs.metrics import ITEMS_PROCESSED, JOB_DURATION, JOB_RUNS, DraftTail

log = logging.getLogger("draftguard.jobs")

POLL = "jobs.tasks:poll_source"
NOTIFY = "jobs.tasks:dispatch_notifications"
RETENTION = "jobs.tasks:purge_retention"
OUTCOMES = "jobs.tasks:track_outcomes"
DIGEST = "jobs.tasks:send_digest"
EVENTS = "jobs.tasks:relay_events"
KB_INDEX = "jobs.tasks:reindex_knowledge"


class StopRequested(Exception):
    """Raised inside a poll after the in-flight item, when a shutdown was requested."""


@dataclass
class ServiceRuntime:
    """What the jobs share in one process: the bootstrap runtime, the stop flag, metric feeds.

    ``runtime`` is a :class:`jobs.bootstrap.Runtime` (settings, session factory, pipeline,
    sources). ``notifier`` defaults to the pipeline's."""

    runtime: Any
    stop: threading.Event = field(default_factory=threading.Event)
    notifier: Any = None
    draft_tail: DraftTail | None = None

    def __post_init__(self) -> None:
        if self.notifier is None:
            self.notifier = self.runtime.pipeline.notifier

    @property
    def settings(self):
        return self.runtime.settings

    @property
    def session_factory(self):
        return self.runtime.session_factory

    def fetch(self, source: str, external_id: str):
        """Re-read an original from its source (for notification cards)."""
        return self.runtime.source(source).fetch(external_id)


_runtime: ServiceRuntime | None = None
_lock = threading.Lock()


def set_runtime(rt: ServiceRuntime | None) -> None:
    """Install (or clear, with None) the process-wide runtime the jobs use."""
    global _runtime
    with _lock:
        _runtime = rt


def runtime() -> ServiceRuntime:
    """The installed runtime; RuntimeError when the process did not install one."""
    rt = _runtime
    if rt is None:
        raise RuntimeError("jobs.tasks: no runtime installed (jobs run only inside `main.py run`)")
    return rt


def _job(name: str, fn: Callable[[ServiceRuntime], Any]) -> Any:
    rt = runtime()
    if rt.stop.is_set():
        log.info("job %s not started: shutting down", name)
        return None
    started = time.perf_counter()
    result = "ok"
    try:
        return fn(rt)
    except Exception as exc:
        result = "error"
        log.error("job %s failed: %s\n%s", name, error_text(exc), stack_text(exc))
        raise
    finally:
        JOB_RUNS.labels(job=name, result=result).inc()
        JOB_DURATION.labels(job=name).observe(time.perf_counter() - started)


def poll_source(source_name: str) -> dict[str, int] | None:
    """Poll one source and process its new items; stops after the in-flight item on shutdown.

    Returns the outcome counts (``{"drafted": 2, ...}``). A source failure is logged and
    the job ends; the next interval tries again."""

    def _run(rt: ServiceRuntime) -> dict[str, int]:
        source = rt.runtime.source(source_name)

        def on_item(outcome: str) -> None:
            if outcome not in ("duplicate", "still_quarantined"):  # finished (or quarantined) in an earlier poll
                ITEMS_PROCESSED.labels(source=source_name, state=outcome).inc()
            if rt.stop.is_set():
                raise StopRequested()

        try:
            summary = rt.runtime.pipeline.run_source(source, on_item=on_item)
        except StopRequested:
            log.info("poll of %s stopped after the in-flight item (shutdown)", source_name)
            return {"stopped": 1}
        except DraftguardError as exc:
            log.warning("poll of %s failed: %s", source_name, exc)
            return {"source_failed": 1}
        for pause in summary.pauses.values():  # one line per poll while the source is paused
            log.warning(pause.line(), extra={"source": source_name, "paused_until": pause.until.isoformat(), "items_waiting": pause.waiting})
        if summary.model_line():
            log.warning(summary.model_line(), extra={"source": source_name, "items_circuit_open": summary.circuit_open_drafts})
        counts = dict(summary.counts)
        if summary.seen:
            described = ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "nothing new"
            log.info("poll of %s: %s", source_name, described, extra={"source": source_name, "seconds": round(summary.seconds, 3), **{f"items_{k}": v for k, v in counts.items()}})
        return counts

    return _job(f"poll:{source_name}", _run)


def dispatch_notifications() -> Any:
    """Send due reviewer notifications and SLA reminders (:func:`jobs.notifications.dispatch_pending`)."""
    from jobs.notifications import dispatch_pending

    return _job("notify", lambda rt: dispatch_pending(rt.session_factory, rt.notifier, rt.settings, fetch=rt.fetch))


def send_digest() -> Any:
    """Send due daily digests (:func:`jobs.notifications.daily_digest`)."""
    from jobs.notifications import daily_digest

    return _job("digest", lambda rt: daily_digest(rt.session_factory, rt.notifier, rt.settings, fetch=rt.fetch))


def relay_events() -> Any:
    """Publish the events waiting in the outbox (:func:`jobs.events_relay.relay`); a broker
    that is down is logged here (one warning line) and tried again at the next interval."""
    from jobs.events_relay import relay

    def _run(rt: ServiceRuntime) -> Any:
        report = relay(rt.session_factory, rt.settings.events)
        if report.error:
            log.warning(report.line(), extra={"events_published": report.published, "events_waiting": report.pending})
        elif report.published:
            log.info(report.line(), extra={"events_published": report.published, "events_waiting": report.pending})
        return report

    return _job("events", _run)


def reindex_knowledge() -> Any:
    """One incremental pass over the ``[knowledge]`` folders (:func:`kb.refresh.refresh_knowledge`):
    changed and removed articles are picked up; failed files and a pass that changed something
    are logged there. A folder gone missing (an unmounted share) is logged and nothing is changed."""
    from agent.errors import ConfigError
    from kb.refresh import refresh_knowledge

    def _run(rt: ServiceRuntime) -> Any:
        try:
            return refresh_knowledge(rt.session_factory, rt.settings.knowledge, rt.settings.base_dir)
        except ConfigError as exc:
            log.warning("knowledge base not re-indexed: %s", exc)
            return None

    return _job("kb-index", _run)


def purge_retention() -> Any:
    """Purge draft bodies past retention (:func:`jobs.retention.purge`)."""
    from jobs.retention import purge

    return _job("retention", lambda rt: purge(rt.session_factory, rt.settings))


def track_outcomes() -> Any:
    """Check what became of delivered drafts, when an outcome tracker is installed.

    Calls ``jobs.outcomes.track_outcomes(runtime)`` if that module exists (written
    separately); otherwise does nothing."""

    def _run(rt: ServiceRuntime) -> Any:
        try:
            from jobs import outcomes
        except ImportError:
            log.debug("outcome tracking not installed (no jobs.outcomes)")
            return None
        return outcomes.track_outcomes(rt.runtime)

    return _job("outcomes", _run)
