"""The scheduler in-process: real poll jobs against a Maildir, the job store, the run locks."""

from __future__ import annotations

import pickle
import threading
import time

import pytest
from apscheduler.events import EVENT_JOB_SUBMITTED
from jobs_testkit import TERMINAL, mailbox_subset, wait_for, write_service_config
from sqlalchemy import create_engine, select, text

from agent.config import load_config
from jobs import tasks
from jobs.bootstrap import bootstrap
from jobs.scheduler import (
    JOBS_TABLE,
    LockHeld,
    PostgresAdvisoryLock,
    SqliteFileLock,
    build_scheduler,
    job_specs,
    make_run_lock,
    register_jobs,
)
from storage.models import Delivery, Item


def terminal_count(sf) -> int:
    with sf() as s:
        return sum(1 for st in s.execute(select(Item.state)).scalars() if st in TERMINAL)


@pytest.fixture
def service(tmp_path):
    box = tmp_path / "box"
    mailbox_subset(box, 4)
    settings = load_config(write_service_config(tmp_path, box))
    rt = bootstrap(settings)
    svc = tasks.ServiceRuntime(rt)
    tasks.set_runtime(svc)
    yield settings, rt, svc, box
    tasks.set_runtime(None)
    rt.close()


def test_jobs_have_fixed_ids_and_the_configured_triggers(service):
    settings, rt, _svc, _box = service
    specs = {s.id: s for s in job_specs(settings, rt.sources)}
    assert list(specs) == ["poll:maildir:local", "notify", "retention", "outcomes", "digest"]
    assert specs["poll:maildir:local"].func == "jobs.tasks:poll_source" and specs["poll:maildir:local"].args == ("maildir:local",)
    assert specs["poll:maildir:local"].trigger.interval.total_seconds() == 5
    assert specs["poll:maildir:local"].executor == "pipeline" and specs["notify"].executor == "default"
    assert specs["notify"].trigger.interval.total_seconds() == 2
    assert str(specs["digest"].trigger) == "cron[minute='5']"


def test_scheduler_runs_real_poll_jobs_against_the_maildir(service):
    settings, rt, svc, box = service
    sched = build_scheduler(settings, rt.engine)
    polls: list[float] = []  # when the scheduler handed the poll job to its executor (monotonic s)
    sched.add_listener(lambda ev: ev.job_id == "poll:maildir:local" and polls.append(time.monotonic()), EVENT_JOB_SUBMITTED)
    sched.start(paused=True)
    try:
        register_jobs(sched, job_specs(settings, rt.sources))
        sched.resume()
        # Deadlines on conditions: the items' processing is CPU time, slow on a loaded machine.
        wait_for(lambda: terminal_count(rt.session_factory) == 4, 120, "the first poll (runs at start)")
        mailbox_subset(box, 2, skip=4)  # new mail arrives
        started = time.monotonic()
        wait_for(lambda: terminal_count(rt.session_factory) == 6, 120, "the next interval's poll")
        # The next poll was started within the interval (5 s, coalesced, one instance), timed at the
        # scheduler rather than after the items' processing. (A poll that began just before the
        # mail arrived may have taken it already: then the next one is still due within 5 s.)
        wait_for(lambda: any(t >= started for t in polls), 60, "a poll after the new mail")
        assert min(t for t in polls if t >= started) - started < 8, (started, polls)
        job = sched.get_job("poll:maildir:local")
        assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time == settings.schedule.misfire_grace_seconds
    finally:
        svc.stop.set()
        sched.pause()
        sched.shutdown(wait=True)
    with rt.session_factory() as s:
        items = s.execute(select(Item)).scalars().all()
        assert len(items) == 6 and len({(i.source, i.external_id) for i in items}) == 6
        drafted = [i.id for i in items if i.state == "drafted"]
        deliveries = s.execute(select(Delivery)).scalars().all()
        assert sorted(d.item_id for d in deliveries) == sorted(drafted)
    drafts_dir = rt.sources[0].drafts_path
    files = [p for sub in ("cur", "new") for p in (drafts_dir / sub).glob("*")] if drafts_dir.exists() else []
    assert len(files) == len(drafted)


def test_job_store_keeps_jobs_by_reference_and_drops_stale_ones(service):
    settings, rt, svc, _box = service
    sched = build_scheduler(settings, rt.engine)
    sched.start(paused=True)
    register_jobs(sched, job_specs(settings, rt.sources))
    sched.shutdown(wait=False)
    with rt.engine.connect() as c:
        rows = dict(c.execute(text(f"SELECT id, job_state FROM {JOBS_TABLE}")).all())
    assert set(rows) == {"poll:maildir:local", "notify", "retention", "outcomes", "digest"}
    state = pickle.loads(rows["poll:maildir:local"])
    assert state["func"] == "jobs.tasks:poll_source" and state["args"] == ("maildir:local",)
    # restart with the source removed from the config: its job goes, the others are replaced
    sched2 = build_scheduler(settings, rt.engine)
    sched2.start(paused=True)
    register_jobs(sched2, job_specs(settings, []))
    assert sorted(j.id for j in sched2.get_jobs()) == ["digest", "notify", "outcomes", "retention"]
    sched2.shutdown(wait=False)


def test_a_poll_stops_after_the_in_flight_item(service):
    _settings, rt, svc, _box = service
    seen: list[str] = []
    real = rt.pipeline.run_source

    def run_source(source, on_item=None):
        def hook(outcome):
            seen.append(outcome)
            svc.stop.set()  # a shutdown arrives while the first item is processed
            on_item(outcome)

        return real(source, on_item=hook)

    rt.pipeline.run_source = run_source
    assert tasks.poll_source("maildir:local") == {"stopped": 1}
    assert len(seen) == 1 and terminal_count(rt.session_factory) == 1
    with rt.session_factory() as s:
        assert [st for st in s.execute(select(Item.state)).scalars()] == [seen[0]]  # nothing half-done
    assert tasks.poll_source("maildir:local") is None  # stopping: new jobs do not start


def test_sqlite_lock_file(tmp_path):
    db = tmp_path / "dg.db"
    first, second = SqliteFileLock(db), SqliteFileLock(db)
    first.acquire()
    with pytest.raises(LockHeld) as err:
        second.acquire()
    assert "pid=" in err.value.holder and str(tmp_path / "dg.db.run.lock") in err.value.holder
    first.release()
    second.acquire()
    assert second.alive()
    second.release()


def test_sqlite_lock_wait_takes_over_when_released(tmp_path):
    db = tmp_path / "dg.db"
    first, second = SqliteFileLock(db), SqliteFileLock(db)
    first.acquire()
    told: list[str] = []
    threading.Timer(0.5, first.release).start()
    started = time.monotonic()
    assert second.acquire_wait(threading.Event(), 0.1, on_wait=told.append) is True
    assert 0.4 < time.monotonic() - started < 3 and len(told) == 1
    second.release()


def test_make_run_lock_per_dialect(tmp_path):
    assert isinstance(make_run_lock(create_engine(f"sqlite:///{tmp_path / 'x.db'}")), SqliteFileLock)
    assert type(make_run_lock(create_engine("sqlite://"))).__name__ == "NoLock"
    assert isinstance(make_run_lock(create_engine("postgresql+psycopg://u@127.0.0.1/x")), PostgresAdvisoryLock)


@pytest.mark.postgres
def test_postgres_advisory_lock(pg_url):
    e1, e2 = create_engine(pg_url), create_engine(pg_url)
    a, b = PostgresAdvisoryLock(e1), PostgresAdvisoryLock(e2)
    try:
        a.acquire()
        assert a.alive()
        with pytest.raises(LockHeld) as err:
            b.acquire()
        assert "draftguard-run" in err.value.holder and "pid=" in err.value.holder
        stop = threading.Event()
        threading.Timer(0.5, a.release).start()
        assert b.acquire_wait(stop, 0.1) is True
        assert not a.alive() and b.alive()
        # the lock dies with its connection: a crashed holder never blocks for ever, and the
        # heartbeat notices the loss even though SQLAlchemy reconnects behind the scenes
        pid = b._conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        b._conn.rollback()
        with e1.connect() as c:
            assert c.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar() is True
        assert not b.alive()
        stop = threading.Event()
        threading.Timer(5, stop.set).start()  # the killed backend exits asynchronously
        assert a.acquire_wait(stop, 0.05) is True
        stop.set()
        assert a.alive()
    finally:
        a.release()
        b.release()
        e1.dispose()
        e2.dispose()
