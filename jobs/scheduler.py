"""The always-on service: APScheduler 3 on the draftguard database, behind a run lock.

Jobs (fixed ids, referenced by import path so the SQLAlchemy job store can pickle them):

====================  ===============================  ==========================================
id                    function                         trigger
====================  ===============================  ==========================================
``poll:<source>``     ``jobs.tasks:poll_source``       every source's ``interval_seconds``; first run at start
``notify``            ``jobs.tasks:dispatch_notifications``  ``schedule.notify_interval_seconds``
``retention``         ``jobs.tasks:purge_retention``   ``schedule.retention_interval_seconds``
``outcomes``          ``jobs.tasks:track_outcomes``    ``schedule.outcomes_interval_seconds``
``digest``            ``jobs.tasks:send_digest``       hourly at :05 (each group once a day, at its hour)
``events``            ``jobs.tasks:relay_events``      ``events.relay_interval_seconds``, only with ``[events] enabled``
``kb-index``          ``jobs.tasks:reindex_knowledge`` ``knowledge.reindex_minutes``, only with ``[knowledge] folders``
====================  ===============================  ==========================================

Job defaults: ``coalesce=True`` (missed runs collapse into one), ``max_instances=1``,
``misfire_grace_time = schedule.misfire_grace_seconds`` (APScheduler's default of 1 s
drops runs on a busy host). The store is ``SQLAlchemyJobStore(engine=...)`` with its own
table ``apscheduler_jobs`` (created by APScheduler, not by our migrations). Jobs of
sources no longer configured are removed at start.

Run lock. APScheduler 3 does not coordinate several schedulers on one job store, so only
one ``main.py run`` may schedule per database:

* PostgreSQL: ``pg_try_advisory_lock(key)`` on a dedicated connection held for the whole
  run (session-level lock: released when the process or its connection dies). The
  connection's ``application_name`` names the holder (host, pid) for the message the
  second process prints. The main loop checks the connection every
  ``schedule.lock_poll_seconds``; if it is lost, the service stops (exit 1) rather than
  risk a second scheduler taking over while it still runs jobs.
* SQLite: an exclusive ``fcntl.flock`` on ``<database file>.run.lock`` next to the
  database (released by the kernel when the process dies; holder pid/host written in it).
  In-memory SQLite needs no lock.

The second process exits with code :attr:`agent.exit_codes.ExitCode.LOCKED` and a message naming the holder,
or with ``--wait`` polls the lock every ``schedule.lock_poll_seconds`` until it is free.

Shutdown: SIGINT/SIGTERM set the stop flag; the scheduler is paused (no new jobs start),
running jobs finish their in-flight item (see :mod:`jobs.tasks`), the scheduler shuts
down waiting for them, the lock is released, and the process exits 0.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Connection, Engine, text

from agent.config import Settings
from agent.exit_codes import ExitCode
from jobs import tasks

log = logging.getLogger("draftguard.scheduler")

JOBS_TABLE = "apscheduler_jobs"
LOCK_NAME = "draftguard:run"
DEFAULT_POLL_INTERVAL = 60
FIXED_IDS = ("notify", "retention", "outcomes", "digest")
PIPELINE_EXECUTOR = "pipeline"


# ---------------------------------------------------------------------------------- lock
class LockHeld(Exception):
    """Another process holds the run lock; ``holder`` describes it (host, pid, since)."""

    def __init__(self, holder: str):
        self.holder = holder
        super().__init__(f"another draftguard run holds the scheduler lock on this database ({holder})")


def _holder_tag() -> str:
    return f"draftguard-run host={socket.gethostname()} pid={os.getpid()} since={datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}"


class RunLock:
    """One scheduler per database. ``acquire()`` raises :class:`LockHeld`; ``alive()`` is the heartbeat."""

    def acquire(self) -> None:
        """Take the lock now or raise LockHeld."""

    def alive(self) -> bool:
        """True while the lock is still ours."""
        return True

    def release(self) -> None:
        """Give the lock up (idempotent)."""

    def acquire_wait(self, stop: threading.Event, poll_seconds: float, on_wait: Callable[[str], None] | None = None) -> bool:
        """Retry :meth:`acquire` every ``poll_seconds`` until it succeeds (True) or ``stop`` is set (False)."""
        told = False
        while True:
            try:
                self.acquire()
                return True
            except LockHeld as exc:
                if not told and on_wait:
                    on_wait(exc.holder)
                    told = True
            if stop.wait(poll_seconds):
                return False


class NoLock(RunLock):
    """In-memory SQLite: nothing else can open the same database."""


def advisory_key(name: str = LOCK_NAME) -> int:
    """A stable signed 64-bit key for ``pg_try_advisory_lock`` from ``name`` (sha256 prefix)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class PostgresAdvisoryLock(RunLock):
    """Session-level ``pg_try_advisory_lock`` on a dedicated connection (PostgreSQL docs §13.3.5)."""

    def __init__(self, engine: Engine, name: str = LOCK_NAME):
        self.engine = engine
        self.key = advisory_key(name)
        self._conn: Connection | None = None

    def acquire(self) -> None:
        conn = self.engine.connect()
        try:
            conn.execute(text("SELECT set_config('application_name', :tag, false)"), {"tag": _holder_tag()[:63]})
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar()
            conn.commit()
        except Exception:
            self._discard(conn)
            raise
        if got:
            self._conn = conn
            return
        holder = self._holder(conn)
        self._discard(conn)
        raise LockHeld(holder)

    @staticmethod
    def _discard(conn: Connection) -> None:
        """Close the DBAPI connection instead of pooling it (it carries our application_name)."""
        try:
            conn.invalidate()
        finally:
            conn.close()

    def _key_parts(self) -> dict[str, int]:
        # pg_locks shows a bigint advisory key as classid (high 32 bits), objid (low), objsubid 1
        unsigned = self.key & 0xFFFFFFFFFFFFFFFF
        return {"hi": unsigned >> 32, "lo": unsigned & 0xFFFFFFFF}

    def _holder(self, conn: Connection) -> str:
        row = conn.execute(
            text(
                "SELECT a.application_name, a.client_addr, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :hi AND l.objid = :lo AND l.objsubid = 1"
            ),
            self._key_parts(),
        ).first()
        conn.rollback()
        if row is None:
            return "holder unknown"
        return f"{row[0] or 'backend pid ' + str(row[2])}" + (f" from {row[1]}" if row[1] else "")

    def alive(self) -> bool:
        """True when *this* backend still holds the lock (SQLAlchemy may silently reconnect a
        dropped connection: a new backend does not hold it, so ask pg_locks, not ``SELECT 1``)."""
        if self._conn is None:
            return False
        try:
            held = self._conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid() "
                    "AND classid = :hi AND objid = :lo AND objsubid = 1"
                ),
                self._key_parts(),
            ).scalar()
            self._conn.rollback()
            return held == 1
        except Exception:
            return False

    def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
            conn.commit()
        except Exception:  # the connection died: the server already dropped the lock
            pass
        finally:
            self._discard(conn)


class SqliteFileLock(RunLock):
    """``fcntl.flock(LOCK_EX | LOCK_NB)`` on ``<db>.run.lock``; the kernel frees it when the process dies."""

    def __init__(self, db_path: Path):
        self.path = Path(str(db_path) + ".run.lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 300, 0).decode("utf-8", "replace").strip() or "holder unknown"
            os.close(fd)
            raise LockHeld(f"{holder}; lock file {self.path}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, _holder_tag().encode(), 0)
        self._fd = fd

    def alive(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def make_run_lock(engine: Engine) -> RunLock:
    """The lock for ``engine``'s dialect (PostgreSQL advisory lock, SQLite lock file).

    Raises ValueError for other dialects."""
    dialect = engine.dialect.name
    if dialect == "postgresql":
        return PostgresAdvisoryLock(engine)
    if dialect == "sqlite":
        db = engine.url.database
        if not db or db == ":memory:":
            return NoLock()
        return SqliteFileLock(Path(db).resolve())
    raise ValueError(f"no run lock for database dialect {dialect!r} (supported: postgresql, sqlite)")


# ---------------------------------------------------------------------------------- scheduler
@dataclass(frozen=True)
class JobSpec:
    """One job to schedule: fixed ``id``, function reference, trigger and arguments."""

    id: str
    func: str
    trigger: Any
    args: tuple = ()
    run_at_start: bool = False
    executor: str = "default"


def source_interval(source: Any) -> int:
    """A source's poll interval in seconds (its config's ``interval_seconds``, default 60)."""
    cfg = getattr(source, "config", None)
    return int(getattr(cfg, "interval_seconds", None) or getattr(source, "interval_seconds", None) or DEFAULT_POLL_INTERVAL)


def job_specs(settings: Settings, sources: Iterable[Any]) -> list[JobSpec]:
    """Every job the config asks for (see the module table)."""
    sch = settings.schedule
    specs = [
        JobSpec(f"poll:{s.name}", tasks.POLL, IntervalTrigger(seconds=source_interval(s), timezone=UTC), (s.name,), True, PIPELINE_EXECUTOR)
        for s in sources
    ]
    specs += [
        JobSpec("notify", tasks.NOTIFY, IntervalTrigger(seconds=sch.notify_interval_seconds, timezone=UTC), run_at_start=True),
        JobSpec("retention", tasks.RETENTION, IntervalTrigger(seconds=sch.retention_interval_seconds, timezone=UTC)),
        JobSpec("outcomes", tasks.OUTCOMES, IntervalTrigger(seconds=sch.outcomes_interval_seconds, timezone=UTC)),
        JobSpec("digest", tasks.DIGEST, CronTrigger(minute=5, timezone=UTC)),
    ]
    if settings.events.enabled:  # the events relay (docs/events.md); removed from the store when disabled
        specs.append(JobSpec("events", tasks.EVENTS, IntervalTrigger(seconds=settings.events.relay_interval_seconds, timezone=UTC), run_at_start=True))
    kb = settings.knowledge
    if kb.folders and kb.reindex_minutes:  # changed articles picked up (kb/refresh.py); the pass before polling is run_forever's
        specs.append(JobSpec("kb-index", tasks.KB_INDEX, IntervalTrigger(minutes=kb.reindex_minutes, timezone=UTC), executor=PIPELINE_EXECUTOR))
    return specs


def build_scheduler(settings: Settings, engine: Engine, *, blocking: bool = False, max_workers: int = 4) -> BaseScheduler:
    """A scheduler whose job store is the draftguard database (table ``apscheduler_jobs``).

    Two executors: ``pipeline`` (one thread) runs the polls, so items go through the one
    shared pipeline one at a time (its Presidio/spaCy analyzer is not documented as
    thread-safe); ``default`` (``max_workers`` threads) runs notifications, retention,
    outcomes and digests alongside."""
    cls = BlockingScheduler if blocking else BackgroundScheduler
    return cls(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)},
        executors={"default": ThreadPoolExecutor(max_workers=max_workers), PIPELINE_EXECUTOR: ThreadPoolExecutor(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": settings.schedule.misfire_grace_seconds},
        timezone=UTC,
    )


def register_jobs(scheduler: BaseScheduler, specs: Iterable[JobSpec]) -> list[str]:
    """Add or replace every job (``replace_existing=True``) and drop stored jobs no longer wanted.

    The scheduler must be started (paused is fine). Returns the job ids."""
    specs = list(specs)
    wanted = {s.id for s in specs}
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            log.info("removing job %s (no longer configured)", job.id)
            scheduler.remove_job(job.id)
    now = datetime.now(UTC)
    for s in specs:
        kwargs: dict[str, Any] = {}
        if s.run_at_start:
            kwargs["next_run_time"] = now
        scheduler.add_job(s.func, trigger=s.trigger, args=list(s.args), id=s.id, name=s.id, executor=s.executor, replace_existing=True, **kwargs)
    return [s.id for s in specs]


# ---------------------------------------------------------------------------------- the service
def _health(service: tasks.ServiceRuntime, scheduler: BaseScheduler, lock: RunLock) -> Callable[[], tuple[bool, dict]]:
    def check() -> tuple[bool, dict]:
        detail: dict[str, Any] = {}
        ok = True
        try:
            with service.session_factory() as s:
                s.execute(text("SELECT 1"))
            detail["database"] = "ok"
        except Exception as exc:
            ok = False
            detail["database"] = type(exc).__name__
        detail["scheduler"] = "running" if scheduler.running else "stopped"
        detail["lock"] = "held" if lock.alive() else "lost"
        detail["stopping"] = service.stop.is_set()
        ok = ok and scheduler.running and lock.alive() and not service.stop.is_set()
        return ok, detail

    return check


def run_forever(
    settings: Settings,
    *,
    wait: bool = False,
    stop: threading.Event | None = None,
    install_signals: bool = True,
    echo: Callable[[str], None] | None = None,
) -> int:
    """Run the scheduler until SIGINT/SIGTERM (or ``stop`` is set); returns the exit code.

    0 clean stop; 1 the run lock was lost; 2 bad config; 4 storage unavailable;
    :attr:`agent.exit_codes.ExitCode.LOCKED` (5) another run holds the lock (without ``wait``)."""
    from sqlalchemy.exc import OperationalError

    from agent.errors import DraftguardError, StorageError
    from jobs.metrics import DraftTail, register_store_collector
    from jobs.observability import configure_logging, start_http_server
    from storage.db import check_storage_url, make_engine

    say = echo or (lambda m: print(m, file=sys.stderr, flush=True))
    configure_logging(settings.observability, force=True)
    stop = stop or threading.Event()
    if install_signals:
        _install_signal_handlers(stop)
    # The lock first, on its own engine: a second run fails in about a second, before it
    # builds the pipeline (heavy imports); with --wait it builds while it waits.
    try:
        check_storage_url(settings.storage_url())  # a bad URL or a missing driver: one line, exit 4
        lock_engine = make_engine(settings.storage_url())
    except StorageError as exc:
        say(f"error: {exc}")
        return ExitCode.STORAGE
    try:
        lock = make_run_lock(lock_engine)
        held_by = None
        try:
            lock.acquire()
        except LockHeld as exc:
            if not wait:
                lock_engine.dispose()
                say(f"error: {exc}. Stop it first, or start this one with --wait to take over when it stops.")
                return ExitCode.LOCKED
            held_by = exc.holder
    except OperationalError as exc:
        lock_engine.dispose()
        say(f"error: storage unavailable: {exc.orig}")
        return ExitCode.STORAGE
    except BaseException:
        lock_engine.dispose()
        raise
    try:
        from jobs.bootstrap import bootstrap

        rt = bootstrap(settings)
        try:
            rt.pipeline.prepare()  # fail closed: no PII analyzer, no service
        except DraftguardError:
            rt.close()
            raise
    except (OperationalError, DraftguardError) as exc:
        lock.release()
        lock_engine.dispose()
        say(f"error: storage unavailable: {exc.orig}" if isinstance(exc, OperationalError) else f"error: {exc}")
        if isinstance(exc, OperationalError | StorageError):
            return ExitCode.STORAGE
        return ExitCode.USAGE
    if held_by is not None:
        say(f"waiting: another draftguard run holds the lock ({held_by})")
        if not lock.acquire_wait(stop, settings.schedule.lock_poll_seconds):
            rt.close()
            lock_engine.dispose()
            return ExitCode.OK
    try:  # the knowledge index in step before the first poll (kb/refresh.py); a missing folder is a config error
        from kb.refresh import changed, refresh_knowledge, summary_line

        kb_report = refresh_knowledge(rt.session_factory, settings.knowledge, settings.base_dir)
    except (OperationalError, DraftguardError) as exc:
        lock.release()
        lock_engine.dispose()
        rt.close()
        say(f"error: storage unavailable: {exc.orig}" if isinstance(exc, OperationalError) else f"error: {exc}")
        return ExitCode.STORAGE if isinstance(exc, OperationalError) else ExitCode.USAGE
    if changed(kb_report):
        say(summary_line(kb_report))
    service = tasks.ServiceRuntime(rt, stop=stop)
    service.draft_tail = DraftTail(rt.session_factory)
    tasks.set_runtime(service)
    scheduler = build_scheduler(settings, rt.engine)
    server = None
    code = ExitCode.OK
    try:
        scheduler.start(paused=True)
        ids = register_jobs(scheduler, job_specs(settings, rt.sources))
        scheduler.resume()
        obs = settings.observability
        if obs.metrics_port:
            register_store_collector(rt.session_factory)
            try:
                server = start_http_server(obs.metrics_port, obs.metrics_host, health=_health(service, scheduler, lock), before_scrape=service.draft_tail.refresh)
            except OSError as exc:
                log.error("metrics server not started on %s:%d: %s", obs.metrics_host, obs.metrics_port, exc.strerror)
        log.info("draftguard running", extra={"jobs": ids, "metrics_port": server.port if server else None})
        say(f"draftguard running: {len(ids)} jobs ({', '.join(ids)})" + (f"; metrics on http://{server.host}:{server.port}/metrics" if server else ""))
        for pause in _paused_sources(rt.session_factory):  # each poll job repeats its line while paused
            say(pause.line())
        last_beat = time.monotonic()
        while not stop.wait(0.5):
            if time.monotonic() - last_beat >= settings.schedule.lock_poll_seconds:
                last_beat = time.monotonic()
                if not lock.alive():
                    log.error("run lock lost (database connection dropped): stopping")
                    code = ExitCode.FAILED
                    stop.set()
        log.info("stopping: waiting for running jobs to finish their in-flight item")
    finally:
        stop.set()
        if scheduler.running:
            scheduler.pause()
            scheduler.shutdown(wait=True)
        if server is not None:
            server.stop()
        tasks.set_runtime(None)
        lock.release()
        lock_engine.dispose()
        rt.close()
    log.info("draftguard stopped")
    say("draftguard stopped")
    return code


def _paused_sources(session_factory) -> list:
    """Sources paused now (:class:`agent.pause.SourcePause`), for the start-up message."""
    from agent.pause import active_pauses
    from storage.repository import UnitOfWork

    with UnitOfWork(session_factory) as uow:
        return active_pauses(uow)


def _install_signal_handlers(stop: threading.Event) -> None:
    def handler(signum, _frame) -> None:
        if stop.is_set():
            log.warning("already stopping (signal %s)", signal.Signals(signum).name)
            return
        log.info("signal %s: stopping after in-flight items", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
