"""Crash safety: the process dies between Graph's createReply answer and the database commit;
after a restart there is still exactly one draft per client message."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from storage.db import open_database
from storage.models import Delivery, Item
from tests.outlook.conftest import CLIENT_ID, MAILBOX, TENANT
from tests.outlook.pipeline_kit import BENIGN, write_outlook_config

WORKER = Path(__file__).with_name("crash_worker.py")


def run_worker(cfg: Path, mode: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(WORKER), str(cfg), mode], capture_output=True, text=True,
                          env=dict(os.environ), timeout=120)


def test_kill_after_create_reply_then_restart_leaves_exactly_one_draft(graph, entra, tmp_path):
    first = graph.deliver(MAILBOX, subject="Opening hours", html=BENIGN)
    second = graph.deliver(MAILBOX, subject="Opening hours Geneva", html=BENIGN.replace("Zurich", "Geneva"),
                           sender=("Max", "max@client.example"))
    cfg = write_outlook_config(tmp_path, graph_base=graph.base, authority_base=entra.base, tenant=TENANT,
                               client_id=CLIENT_ID, mailboxes=[MAILBOX])

    crashed = run_worker(cfg, "crash")
    assert crashed.returncode == 137, crashed.stderr[-2000:]
    assert len(graph.drafts(MAILBOX)) == 1  # Graph made the draft; the process died before recording it
    engine, sf = open_database(f"sqlite:///{tmp_path / 'dg.db'}")
    try:
        with sf() as s:
            assert s.execute(select(Delivery)).first() is None
            assert "routed" in set(s.execute(select(Item.state)).scalars())

        resumed = run_worker(cfg, "resume")
        assert resumed.returncode == 0, resumed.stderr[-2000:]
        counts = json.loads(resumed.stdout.strip().splitlines()[-1])
        assert counts.get("drafted", 0) == 2, counts

        drafts = graph.drafts(MAILBOX)
        by_conversation: dict[str, int] = {}
        for d in drafts:
            by_conversation[d["conversationId"]] = by_conversation.get(d["conversationId"], 0) + 1
        assert by_conversation == {first["conversationId"]: 1, second["conversationId"]: 1}
        assert len(graph.requests_for("POST", "/createReply")) == 2  # no second post for the crashed one
        with sf() as s:
            rows = {r.idempotency_key: r for r in s.execute(select(Delivery)).scalars()}
            assert len(rows) == 2
            assert sorted(r.created for r in rows.values()) == [False, True]  # the resumed one was found, not made
            assert {r.target_ref for r in rows.values()} == {d["id"] for d in drafts}
            assert set(s.execute(select(Item.state)).scalars()) == {"drafted"}
    finally:
        engine.dispose()
