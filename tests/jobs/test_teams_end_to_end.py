"""End to end through `main.py`: escalations from the real pipeline reach the local Workflows
webhook as valid Adaptive Cards; when the webhook is down the failures are kept, and the
running service's outbox delivers them once it is back."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest
from jobs_testkit import ROOT, mailbox_subset, start_service, stop_service, wait_for, write_service_config

from tests.teams.teams_testkit import SIG, FakeTeams

ESCALATING = ("1592658720.M62P1", "1712746800.M63P1")  # legal threat, investment advice (MANIFEST)
# retry_base_seconds: a failed first notification is due again RETRY_BASE s after its inline try.
# `run --once` ends with an outbox pass, so the base must outlast the rest of that run (the second
# item, the pass itself: a few seconds on a loaded machine) or the pass would already deliver the
# first failure (seen with 0.5 s under load). The service's outbox then delivers once it is due.
RETRY_BASE = 20
TEAMS = f'\n[notify]\ntransport = "teams_webhook"\nretry_base_seconds = {RETRY_BASE}\n\n[notify.teams]\nmax_attempts = 2\nmax_wait_seconds = 0.1\n'


def tasks(db) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT id, notified_at IS NOT NULL, notify_attempts, notify_error FROM review_tasks ORDER BY id").fetchall()
    finally:
        con.close()


@pytest.mark.timeout(900)  # two `main.py` processes: 40 s a start-up alone with the load average near 7
def test_escalations_reach_teams_and_failures_are_delivered_later(tmp_path):
    box = tmp_path / "box"
    mailbox_subset(box, prefixes=ESCALATING)
    cfg = write_service_config(tmp_path, box, extra=TEAMS)
    db = tmp_path / "dg.db"
    with FakeTeams() as teams:
        env = {"DRAFTGUARD_TEAMS_WEBHOOK_URL": teams.webhook_url}
        teams.fail(*[("status", 503)] * 4)  # down for the inline tries (2 items x 2 attempts)
        once = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "-c", str(cfg), "run", "--once"], cwd=ROOT, capture_output=True, text=True, timeout=600, env={**os.environ, **env}
        )
        assert once.returncode == 0, once.stderr[-2000:]
        assert SIG not in once.stdout + once.stderr
        rows = tasks(db)
        assert len(rows) == 2 and all(not notified and attempts == 1 and "HTTP 503" in err for _, notified, attempts, err in rows)
        assert teams.successes() == []

        # the service starts; its outbox (notify job, runs at start) sends both, once
        log = tmp_path / "service.log"
        proc = start_service(cfg, env=env, log=log)
        try:
            wait_for(lambda: all(n for _, n, _, _ in tasks(db)), RETRY_BASE + 120, "the outbox to deliver the kept notifications")
            wait_for(lambda: "draftguard running" in log.read_text(), 60, "the service")
        finally:
            assert stop_service(proc) == 0
        # The service's digest job (cron, minute 5 of every hour) also posts when the service
        # happens to be up at HH:05 after the groups' digest hour: a digest is not a duplicate.
        sent = [r for r in teams.successes() if not r.card["fallbackText"].startswith("Daily digest")]
        seen = "\n".join(r.summary() for r in teams.received)
        assert len(sent) == 2 and all(not r.errors for r in teams.received), f"{seen}\ntasks {tasks(db)}\n{log.read_text()[-6000:]}"
        subjects = sorted(r.card["body"][1]["facts"][0]["value"] for r in sent)
        assert all(s and s != "(subject not available)" for s in subjects), subjects
        assert SIG not in log.read_text()
    con = sqlite3.connect(db)
    try:
        notified = [json.loads(d) for (d,) in con.execute("SELECT data FROM audit_events WHERE event = 'notified'")]
    finally:
        con.close()
    assert len([d for d in notified if d.get("kind") != "digest"]) == 2, notified
