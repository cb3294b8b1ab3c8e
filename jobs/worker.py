"""The worker of the distributed mode (``main.py worker``): runs ``process_item`` tasks.

One worker process opens the database through :func:`jobs.bootstrap.bootstrap` (so events go
to the outbox in each change's transaction, as in process), builds the pipeline once, and runs
tasks on a pool of threads (``[distributed] worker_concurrency``; the items wait on the model
most of the time). For one task (:func:`handle`):

1. the item lock: ``pg_try_advisory_lock`` on a key of the item id, on a connection held for the
   task (PostgreSQL releases it when the worker dies). Held elsewhere (a duplicate task while
   another worker still runs the item) → the task is retried in a few seconds; so one item is
   never in two workers at once;
2. the item's row (:meth:`agent.recorder.Recorder.item_ref`): finished already (a task
   redelivered after its worker died between the commit and the acknowledgement) → its state is
   the answer;
3. the message through its source (``Source.fetch``) and :meth:`agent.flow.ItemFlow.resumed`:
   the same :class:`agent.flow.ItemFlow` as every runner, whole (claim, skip, analyse, draft,
   record, deliver or escalate), in this thread, under a ``worker`` span continuing the trace
   the scheduler put in the task's headers.

Exactly once: a worker killed mid-item leaves the message unacknowledged; the broker hands it to
another worker, whose claim counts another attempt in the database (``items.attempts``) and
continues from the item's state (``routed``: the saved draft is delivered; the connector looks
for the draft's idempotency key before writing, so a draft written just before the kill is not
written twice). An item whose attempts keep dying is quarantined when its count passes
``[limits] item_attempts``; an item that fails with an error is quarantined by the flow at once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, text

from agent import tracing
from agent.config import Settings
from agent.errors import ConfigError
from storage.models import ItemState

log = logging.getLogger("draftguard.worker")

#: seconds before a task whose item another worker holds is tried again, and how often
LOCK_RETRY_SECONDS = 3
LOCK_RETRIES = 200  # 10 minutes: longer than any one item (model timeouts, delivery retries)
#: the task header names that carry the trace context (W3C Trace Context)
TRACE_HEADERS = ("traceparent", "tracestate")
#: ``application_name`` prefix of the item-lock connections (pg_stat_activity shows who holds an item)
LOCK_APPLICATION = "draftguard-worker"
#: the outcome of a task whose item id is not in the database (nothing to do)
MISSING = "missing"


def check_distributed(settings: Settings) -> None:
    """Refuse a distributed-mode config that cannot work: SQLite storage (every worker and the
    scheduler must share one database server), the ``memory`` limits backend (each process
    would count the model's rate limit and Graph's 4 requests per mailbox alone), no broker.

    Raises :class:`ConfigError` naming the key and what to set."""
    if not settings.distributed.enabled:
        return
    url = settings.storage_url()
    if not url.startswith("postgresql"):
        raise ConfigError(
            "[distributed] enabled needs PostgreSQL: set [storage] url (or DRAFTGUARD_STORAGE_URL) to a postgresql+psycopg:// URL; "
            f"SQLite ({url.split('://')[0]}) cannot be shared by a scheduler and workers on several machines",
            key="storage.url",
        )
    if settings.limits.backend != "redis":
        raise ConfigError(
            '[distributed] enabled needs [limits] backend = "redis": with "memory" every worker would count the model\'s '
            "rate limit and Graph's 4 requests per mailbox on its own (docs/limits.md)",
            key="limits.backend",
        )
    settings.distributed.resolved_broker_url()


def trace_headers(request: Any) -> dict[str, str]:
    """The trace context of a Celery task request: custom message headers appear as request
    attributes and in ``request.headers`` (Celery 5)."""
    out: dict[str, str] = {}
    extra = getattr(request, "headers", None) or {}
    for name in TRACE_HEADERS:
        value = getattr(request, name, None) or extra.get(name)
        if isinstance(value, str):
            out[name] = value
    return out


@dataclass
class WorkerRuntime:
    """What the tasks of one worker process share: the bootstrap runtime (settings, database,
    pipeline, sources) and an engine for the item locks (one connection per task in progress)."""

    runtime: Any
    lock_engine: Engine

    @classmethod
    def open(cls, settings: Settings, concurrency: int) -> WorkerRuntime:
        """Bootstrap (database opened and migrated, tracing configured, pipeline built, the
        redactor loaded: fail closed before any task). Raises ConfigError, StorageError,
        RedactionError."""
        from jobs.bootstrap import bootstrap

        check_distributed(settings)
        rt = bootstrap(settings)
        try:
            rt.pipeline.prepare()
            lock_engine = create_engine(
                settings.storage_url(),
                pool_size=concurrency + 1,
                max_overflow=concurrency,
                pool_pre_ping=True,
                hide_parameters=True,
                # names the holder of each item lock in pg_stat_activity (operators, the kill test)
                connect_args={"application_name": f"{LOCK_APPLICATION} pid={os.getpid()} host={socket.gethostname()}"[:63]},
            )
        except BaseException:
            rt.close()
            raise
        return cls(rt, lock_engine)

    def close(self) -> None:
        self.lock_engine.dispose()
        self.runtime.close()

    @contextlib.contextmanager
    def item_lock(self, item_id: int) -> Iterator[bool]:
        """Hold the item's advisory lock for the block; yields False when another worker holds it."""
        from jobs.scheduler import advisory_key

        key = advisory_key(f"draftguard:item:{item_id}")
        conn = self.lock_engine.connect()
        try:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
            conn.commit()
            try:
                yield got
            finally:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    conn.commit()
        finally:
            conn.close()

    def process(self, item_id: int, parent: Any) -> str:
        """Run item ``item_id`` through the item flow (module doc, steps 2-3); returns its outcome."""
        pipeline = self.runtime.pipeline
        ref = pipeline.recorder.item_ref(item_id)
        if ref is None:
            log.error("task for item %s: no such item in the database", item_id)
            return MISSING
        source_name, external_id, state, correlation_id = ref
        if state in ItemState.TERMINAL:  # finished by an earlier delivery of this task
            return state
        try:
            source = self.runtime.source(source_name)
        except KeyError as exc:
            return pipeline.recorder.quarantined(item_id, "resume", ConfigError(f"item {item_id}: {exc.args[0]}", key="sources"))
        _forget_folder_listings(source)
        entry = pipeline.flow.resumed(source, item_id, external_id, state, correlation_id)
        if isinstance(entry, str):
            return entry
        entry.parent = parent
        return pipeline.flow.run(entry)


def _forget_folder_listings(source: Any) -> None:
    """Other processes write to the same Drafts folder: a Maildir source keeps its Drafts listing
    between polls (connectors/maildir/drafts.py, refreshed when a poll begins), and a worker never
    polls, so the listing is dropped before each item. Then look-before-write sees a draft another
    worker placed before it died, and the thread's older drafts written by other workers are
    replaced (one AI draft per thread). Lanes keep a conversation in one worker at a time, so
    what this item's thread holds cannot change between here and its delivery."""
    drafts = getattr(source, "drafts", None)
    invalidate = getattr(drafts, "invalidate", None)
    if callable(invalidate):
        invalidate()


_current: WorkerRuntime | None = None
_current_lock = threading.Lock()


def install(worker: WorkerRuntime | None) -> None:
    """Install (or clear) the process's :class:`WorkerRuntime` the tasks use."""
    global _current
    with _current_lock:
        _current = worker


def current() -> WorkerRuntime:
    """The installed runtime; RuntimeError outside a worker."""
    if _current is None:
        raise RuntimeError("jobs.worker: no worker runtime installed (tasks run only inside `main.py worker`)")
    return _current


def handle(task: Any, item_id: int) -> str:
    """The body of ``process_item`` (module doc). ``task`` is the bound Celery task."""
    worker = current()
    parent = tracing.extract(trace_headers(task.request))
    with worker.item_lock(int(item_id)) as held:
        if held:
            return worker.process(int(item_id), parent)
    log.info("item %s is being processed by another worker: task retried in %d s", item_id, LOCK_RETRY_SECONDS)
    raise task.retry(countdown=LOCK_RETRY_SECONDS, max_retries=LOCK_RETRIES)


def run_worker(settings: Settings, *, concurrency: int | None = None, loglevel: str = "WARNING", name: str | None = None) -> int:
    """Start a worker on ``[distributed] queue`` with ``concurrency`` threads (default
    ``[distributed] worker_concurrency``) until SIGTERM/SIGINT (warm shutdown: tasks in
    progress finish). Returns the worker's exit code. Raises what :meth:`WorkerRuntime.open`
    raises."""
    from celery.signals import worker_ready

    from jobs.celery_app import configure

    n = concurrency or settings.distributed.worker_concurrency
    worker = WorkerRuntime.open(settings, n)
    app = configure(settings)
    install(worker)
    hostname = name or f"draftguard-{os.getpid()}@{socket.gethostname()}"

    def ready(**_: Any) -> None:  # one line for the operator (Celery's banner is off)
        print(f"draftguard worker {hostname} ready: {n} threads on queue {settings.distributed.queue}", file=sys.stderr, flush=True)

    worker_ready.connect(ready, weak=False)
    try:
        w = app.Worker(
            pool="threads",
            concurrency=n,
            queues=[settings.distributed.queue],
            loglevel=loglevel,
            hostname=hostname,
            without_gossip=True,
            without_mingle=True,
            quiet=True,
        )
        w.start()
        return int(w.exitcode or 0)
    finally:
        worker_ready.disconnect(ready)
        install(None)
        worker.close()
