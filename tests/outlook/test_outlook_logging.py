"""Recovered Graph answers (401 expired token, 410 expired delta state, 429 throttling) are
logged once each, at INFO, by draftguard's own loggers, with no token, delta/skip link or
idempotency key in the text; O365's own ``ERROR O365.connection`` lines never appear.
Checked on real ``main.py run --once`` processes against the local Graph and Entra."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.outlook.conftest import CLIENT_ID, MAILBOX, TENANT
from tests.outlook.graph_fake import Fault
from tests.outlook.pipeline_kit import BENIGN, ROOT, write_outlook_config


def run_once(cfg, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("DRAFTGUARD_STORAGE_URL", None)
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--config", str(cfg), *extra, "run", "--once"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300, env=env)


def secrets_in(graph, entra) -> set[str]:
    """Every value that must never reach a log: access tokens, delta/skip tokens, draft keys."""
    out = set(entra.tokens) | set(graph.delta_tokens) | set(graph.rounds)
    for mb in graph.mailboxes.values():
        for props in mb.props.values():
            out |= {p["value"] for p in props}
    return {s for s in out if s}


def throttle(graph):
    graph.faults.append(Fault("GET", r"/mailFolders/Inbox/messages/delta$", 429, times=1, retry_after="0"))
    graph.faults.append(Fault("POST", r"/createReply$", 429, times=1, retry_after="0"))


def test_recovered_401_410_429_are_logged_once_at_info_without_secrets(graph, entra, tmp_path):
    cfg = write_outlook_config(tmp_path, graph_base=graph.base, authority_base=entra.base, tenant=TENANT,
                               client_id=CLIENT_ID, mailboxes=[MAILBOX])
    graph.deliver(MAILBOX, subject="Opening hours", html=BENIGN)
    throttle(graph)
    first = run_once(cfg)  # no -v: recovered throttling prints nothing
    assert first.returncode == 0, first.stderr[-3000:]
    assert [r.status for r in graph.requests_for("POST", "/createReply")] == [429, 201]
    assert "O365" not in first.stderr and "ERROR" not in first.stderr, first.stderr
    assert "429" not in first.stderr, first.stderr

    # second process: its cached token is refused (401), the stored delta link expired (410),
    # and Graph throttles the delta and the createReply once each (429)
    entra.revoke_all()
    graph.expire_delta_tokens()
    graph.deliver(MAILBOX, subject="Opening hours Geneva", html=BENIGN.replace("Zurich", "Geneva"),
                  sender=("Max", "max@client.example"))
    throttle(graph)
    n = len(graph.log)
    second = run_once(cfg, "-v")
    assert second.returncode == 0, second.stderr[-3000:]
    statuses = [r.status for r in graph.log[n:] if r.status >= 400]
    assert sorted(statuses) == [401, 410, 429, 429], statuses
    err = second.stderr
    assert "O365" not in err and "ERROR" not in err, err
    graph_lines = [ln for ln in err.splitlines() if ln.split(" ", 1)[-1].startswith("connectors.outlook")]
    for status in ("401", "410"):
        hits = [ln for ln in graph_lines if re.search(rf"\b{status}\b", ln)]
        assert len(hits) == 1 and hits[0].startswith("INFO "), (status, graph_lines)
    throttled = [ln for ln in graph_lines if re.search(r"\b429\b", ln)]
    assert len(throttled) == 2 and all(ln.startswith("INFO ") for ln in throttled), graph_lines
    assert any("/messages/delta" in ln for ln in throttled) and any("/createReply" in ln for ln in throttled)
    for secret in secrets_in(graph, entra):
        assert secret not in err and secret not in first.stderr, secret
    assert "Bearer" not in err and "dg-" not in err
