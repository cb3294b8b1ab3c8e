"""Two `main.py run` processes on one PostgreSQL database: the advisory lock lets one schedule;
the other waits (--wait) or exits with a clear message, takes over when the first stops, and
every item is processed exactly once."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from jobs_testkit import (
    ROOT,
    TERMINAL,
    mailbox_subset,
    start_service,
    stop_service,
    wait_for,
    write_service_config,
)
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.postgres


def counts(url: str) -> dict:
    eng = create_engine(url)
    try:
        with eng.connect() as c:
            states = dict(c.execute(text("SELECT state, count(*) FROM items GROUP BY state")).all())
            return {
                "states": states,
                "terminal": sum(n for s, n in states.items() if s in TERMINAL),
                "dup_ingested": c.execute(text("SELECT item_id FROM audit_events WHERE event = 'ingested' GROUP BY item_id HAVING count(*) > 1")).all(),
                "dup_drafted": c.execute(text("SELECT item_id FROM audit_events WHERE event = 'drafted' GROUP BY item_id HAVING count(*) > 1")).all(),
                "multi_drafts": c.execute(text("SELECT item_id FROM drafts GROUP BY item_id HAVING count(*) > 1")).all(),
                "delivered": [r[0] for r in c.execute(text("SELECT item_id FROM deliveries ORDER BY item_id"))],
                "drafted": [r[0] for r in c.execute(text("SELECT id FROM items WHERE state = 'drafted' ORDER BY id"))],
            }
    except Exception:
        return {"states": {}, "terminal": 0}
    finally:
        eng.dispose()


def test_two_schedulers_on_one_postgres_database(pg_url, tmp_path):
    eng = create_engine(pg_url)
    with eng.begin() as c:  # a clean database for this test (pg_url is shared by the session)
        c.execute(text("DROP SCHEMA public CASCADE"))
        c.execute(text("CREATE SCHEMA public"))
    eng.dispose()
    box = tmp_path / "box"
    mailbox_subset(box, 20)
    cfg = write_service_config(tmp_path, box, storage_url=pg_url)
    log_a, log_b = tmp_path / "a.log", tmp_path / "b.log"

    a = start_service(cfg, log=log_a)
    b = None
    try:
        wait_for(lambda: "draftguard running" in log_a.read_text(), 60, "A to take the lock")
        b = start_service(cfg, "--wait", log=log_b)
        # a third run without --wait exits at once with a clear message (started alongside B)
        c = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "-c", str(cfg), "run"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        _, c_err = c.communicate(timeout=60)
        assert c.returncode == 5
        assert "another draftguard run holds the scheduler lock on this database" in c_err and "--wait" in c_err
        wait_for(lambda: "waiting: another draftguard run holds the lock" in log_b.read_text(), 60, "B to wait")

        t0 = time.monotonic()
        wait_for(lambda: counts(pg_url)["terminal"] == 20, 60, "A to process the mailbox")
        print(f"A processed 20 in {time.monotonic() - t0:.1f} s")
        assert "draftguard running" not in log_b.read_text()  # B never scheduled while A ran
        assert stop_service(a) == 0
        wait_for(lambda: "draftguard running" in log_b.read_text(), 30, "B to take over")
        mailbox_subset(box, 5, skip=20)  # new mail after the takeover
        wait_for(lambda: counts(pg_url)["terminal"] == 25, 60, "B to process the new mail")
        assert stop_service(b) == 0
    finally:
        for p in (a, b):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
    final = counts(pg_url)
    assert sum(final["states"].values()) == 25 and not set(final["states"]) - set(TERMINAL)
    assert final["dup_ingested"] == [] and final["dup_drafted"] == [] and final["multi_drafts"] == []
    assert final["delivered"] == final["drafted"]
    files = [p for sub in ("new", "cur") for p in (tmp_path / "Drafts" / sub).glob("*")]
    assert len(files) == len(final["drafted"])
    from storage import audit
    from storage.db import open_database

    engine, sf = open_database(pg_url)
    with sf() as s:
        assert audit.verify(s).ok
    engine.dispose()
