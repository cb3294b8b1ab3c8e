"""`main.py audit verify` / `audit checkpoint` through the real command line, on SQLite and PostgreSQL:
a cut-short, rewritten or wiped chain, a wrong key, and items whose events are gone."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from storage import audit
from storage.db import open_database
from storage.models import ItemState
from storage.repository import UnitOfWork
from tests.unit.fakes import message

KEY = "audit-key-kept-outside-the-database"

# The events the pipeline writes for each final state (agent/pipeline.py), one item per state.
LIFECYCLES = {
    ItemState.DRAFTED: ["ingested", "redacted", "checked", "routed", "delivered"],
    ItemState.ESCALATED: ["ingested", "redacted", "checked", "routed", "escalated", "notified"],
    ItemState.SKIPPED: ["ingested", "skipped"],
}


@pytest.fixture
def env(db_url, tmp_path, monkeypatch):
    """A config naming the test database and a checkpoint folder; the chain is written with
    ``DRAFTGUARD_AUDIT_KEY`` set in this process only when a test sets it first."""
    monkeypatch.delenv(audit.AUDIT_KEY_ENV, raising=False)
    monkeypatch.delenv("DRAFTGUARD_STORAGE_URL", raising=False)
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[storage]\nurl = "{db_url}"\n\n[audit]\ncheckpoint_dir = "checkpoints"\n')
    engine, sf = open_database(db_url)
    yield cfg, sf, tmp_path / "checkpoints"
    engine.dispose()


def cli(cfg: Path, *args: str, key: str | None = None):
    """Run ``main.py --config cfg *args`` (Typer's runner on the real app) with ``DRAFTGUARD_AUDIT_KEY``
    set to ``key`` or unset; ``.returncode``, ``.stdout``, ``.stderr``."""
    import main

    result = CliRunner().invoke(main.app, ["--config", str(cfg), *args], env={audit.AUDIT_KEY_ENV: key, "DRAFTGUARD_STORAGE_URL": None})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return SimpleNamespace(returncode=result.exit_code, stdout=result.stdout, stderr=result.stderr)


def record(sf, name: str, state: str) -> int:
    """One item taken to ``state`` with the events the pipeline writes on the way; returns its id."""
    with UnitOfWork(sf) as uow:
        item, _ = uow.claim_item(message(name))
        for event in LIFECYCLES[state]:
            uow.audit(event, item, {"n": 1})
        item.state = state
        uow.commit()
        return item.id


def populate(sf) -> None:
    for i, state in enumerate(LIFECYCLES):
        record(sf, f"m{i}", state)


def head_seq(sf) -> int:
    with sf() as s:
        return s.execute(text("SELECT seq FROM audit_head")).scalar()


def cut_tail(sf, keep: int, *, seal: str | None = "keep") -> None:
    """What someone with database access does: delete the events after ``keep`` and point the
    head at the last one left (optionally removing the head's seal too)."""
    with sf() as s:
        s.execute(text("DELETE FROM audit_events WHERE seq > :k"), {"k": keep})
        s.execute(text("UPDATE audit_head SET seq = :k, hash = (SELECT hash FROM audit_events WHERE seq = :k)"), {"k": keep})
        if seal != "keep":
            s.execute(text("UPDATE audit_head SET seal = :s"), {"s": seal})
        s.commit()


def wipe(sf, *, items: bool) -> None:
    """Empty the chain and reset its head to the genesis state (and the items too, so that only
    the checkpoint can tell)."""
    with sf() as s:
        s.execute(text("DELETE FROM audit_events"))
        s.execute(text("UPDATE audit_head SET seq = 0, hash = :g, seal = NULL, key_check = NULL"), {"g": audit.GENESIS})
        if items:
            for table in ("findings", "deliveries", "review_tasks", "decisions", "drafts", "quarantine", "items"):
                s.execute(text(f"DELETE FROM {table}"))
        s.commit()


def test_cut_tail_with_rewritten_head_fails_with_the_key(env, monkeypatch):
    cfg, sf, _ = env
    monkeypatch.setenv(audit.AUDIT_KEY_ENV, KEY)
    populate(sf)
    assert cli(cfg, "audit", "verify", key=KEY).returncode == 0
    n = head_seq(sf)
    # The last item's events go, and the head is rewritten to the new last event: the links
    # all verify, and no checkpoint exists; the head's seal gives it away.
    cut_tail(sf, n - 2)
    r = cli(cfg, "audit", "verify", key=KEY)
    assert r.returncode == 3, r.stderr
    assert f"audit chain broken at seq={n - 1}" in r.stderr and "does not match its seal" in r.stderr
    cut_tail(sf, n - 2, seal=None)  # removing the seal as well does not help
    r = cli(cfg, "audit", "verify", key=KEY)
    assert r.returncode == 3 and "has no seal (removed)" in r.stderr, r.stderr


def test_cut_tail_without_key_fails_against_the_checkpoint(env):
    cfg, sf, folder = env
    populate(sf)
    made = cli(cfg, "audit", "checkpoint")
    assert made.returncode == 0, made.stderr
    (cp,) = folder.glob("audit-checkpoint-*.json")
    assert "written to" in made.stdout and json.loads(cp.read_text())["seq"] == head_seq(sf)
    ok = cli(cfg, "audit", "verify")
    assert ok.returncode == 0 and "consistent with checkpoint" in ok.stdout, ok.stderr
    n = head_seq(sf)
    cut_tail(sf, n - 1)
    r = cli(cfg, "audit", "verify")
    assert r.returncode == 3, r.stderr
    assert cp.name in r.stderr and f"recorded seq={n}" in r.stderr and f"ends at seq={n - 1}" in r.stderr


@pytest.mark.parametrize("key", [None, KEY], ids=["no-key", "key"])
def test_wiped_chain_fails_against_the_checkpoint(env, monkeypatch, key):
    cfg, sf, folder = env
    if key:
        monkeypatch.setenv(audit.AUDIT_KEY_ENV, key)
    populate(sf)
    assert cli(cfg, "audit", "checkpoint", key=key).returncode == 0
    wipe(sf, items=True)  # an empty database with a genesis head looks like a fresh install ...
    r = cli(cfg, "audit", "verify", key=key)
    assert r.returncode == 3, r.stderr  # ... but the checkpoint outside it says otherwise
    (cp,) = folder.glob("audit-checkpoint-*.json")
    assert cp.name in r.stderr and "events were removed" in r.stderr


def test_rewritten_chain_differs_from_the_checkpoint(env):
    """Without a key, the whole chain recomputed after an edit verifies on its own; not against the checkpoint."""
    cfg, sf, folder = env
    populate(sf)
    assert cli(cfg, "audit", "checkpoint").returncode == 0
    with sf() as s:
        rows = s.execute(text("SELECT seq, ts, correlation_id, item_id, event, actor, data FROM audit_events ORDER BY seq")).all()
        prev = audit.GENESIS
        for r in rows:
            data = json.loads(r.data) if isinstance(r.data, str) else r.data
            if r.seq == 2:
                data = {"n": 99}
            h = audit.event_hash(prev, r.seq, r.ts, r.correlation_id, r.item_id, r.event, r.actor, data, key=None)
            s.execute(text("UPDATE audit_events SET data = :d, prev_hash = :p, hash = :h WHERE seq = :q"), {"d": json.dumps(data), "p": prev, "h": h, "q": r.seq})
            prev = h
        s.execute(text("UPDATE audit_head SET hash = :h"), {"h": prev})
        s.commit()
    r = cli(cfg, "audit", "verify")
    assert r.returncode == 3 and f"event seq={len(rows)} differs from checkpoint" in r.stderr, r.stderr
    bare = cli(cfg, "audit", "verify", "--checkpoint", str(folder / "missing.json"))
    assert bare.returncode == 2 and "no such file" in bare.stderr


def test_wrong_or_missing_key_is_reported_as_such(env, monkeypatch):
    cfg, sf, folder = env
    monkeypatch.setenv(audit.AUDIT_KEY_ENV, KEY)
    populate(sf)
    wrong = cli(cfg, "audit", "verify", key="not-the-key")
    assert wrong.returncode == 2 and "wrong DRAFTGUARD_AUDIT_KEY" in wrong.stderr, wrong.stderr
    assert "edited" not in wrong.stderr and "broken" not in wrong.stderr
    missing = cli(cfg, "audit", "verify")
    assert missing.returncode == 2 and "DRAFTGUARD_AUDIT_KEY, which is not set" in missing.stderr, missing.stderr
    # The checkpoint carries the key check too: a wrong key is named before the chain is read.
    assert cli(cfg, "audit", "checkpoint", key=KEY).returncode == 0
    r = cli(cfg, "audit", "verify", key="not-the-key")
    assert r.returncode == 2 and "wrong DRAFTGUARD_AUDIT_KEY: checkpoint" in r.stderr, r.stderr
    # An edited key check in the database is not mistaken for a wrong key when the key fits the chain.
    with sf() as s:
        s.execute(text("UPDATE audit_head SET key_check = :k"), {"k": "ab" * 32})
        s.commit()
    r = cli(cfg, "audit", "verify", key=KEY)
    assert r.returncode == 3 and "key check" in r.stderr, r.stderr


def test_append_with_a_wrong_key_records_nothing(env, monkeypatch):
    _, sf, _ = env
    monkeypatch.setenv(audit.AUDIT_KEY_ENV, KEY)
    populate(sf)
    n = head_seq(sf)
    for other, problem in (("not-the-key", "wrong DRAFTGUARD_AUDIT_KEY"), (None, "which is not set")):
        if other:
            monkeypatch.setenv(audit.AUDIT_KEY_ENV, other)
        else:
            monkeypatch.delenv(audit.AUDIT_KEY_ENV)
        with UnitOfWork(sf) as uow, pytest.raises(audit.AuditKeyError, match=problem):
            uow.audit("checked", None, {"n": 1})
    assert head_seq(sf) == n


def test_items_without_their_events_fail_the_cross_check(env):
    """No key and no checkpoint: the chain cut short verifies link by link, but the last item's
    recorded state has lost its events."""
    cfg, sf, _ = env
    populate(sf)
    last = record(sf, "late", ItemState.DRAFTED)
    assert cli(cfg, "audit", "verify").returncode == 0
    cut_tail(sf, head_seq(sf) - len(LIFECYCLES[ItemState.DRAFTED]))
    r = cli(cfg, "audit", "verify")
    assert r.returncode == 3, r.stderr
    assert "does not match the items" in r.stderr and f"{last} (drafted)" in r.stderr
    # A drafted item with its 'ingested' event but without 'delivered' is named as well.
    with sf() as s:
        s.execute(text("DELETE FROM items WHERE id = :i"), {"i": last})
        s.commit()
    with UnitOfWork(sf) as uow:
        item, _ = uow.claim_item(message("half"))
        uow.audit("ingested", item, {"n": 1})
        item.state = ItemState.DRAFTED
        uow.commit()
        half = item.id
    r = cli(cfg, "audit", "verify")
    assert r.returncode == 3 and "no 'delivered' audit event" in r.stderr and f"{half} (drafted)" in r.stderr, r.stderr


def test_checkpoint_refuses_a_broken_chain_and_needs_a_place(env, tmp_path):
    cfg, sf, folder = env
    populate(sf)
    with sf() as s:
        s.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 2"))
        s.commit()
    r = cli(cfg, "audit", "checkpoint")
    assert r.returncode == 3 and "no checkpoint written" in r.stderr and not list(folder.glob("*.json")), r.stderr
    bare = tmp_path / "bare.toml"
    bare.write_text(cfg.read_text().split("[audit]")[0])
    r = cli(bare, "audit", "checkpoint")
    assert r.returncode == 2 and "checkpoint_dir" in r.stderr


def test_edited_checkpoint_file_is_detected(env, monkeypatch, tmp_path):
    cfg, sf, _ = env
    monkeypatch.setenv(audit.AUDIT_KEY_ENV, KEY)
    populate(sf)
    out = tmp_path / "elsewhere" / "cp.json"
    assert cli(cfg, "audit", "checkpoint", "--out", str(out), key=KEY).returncode == 0
    assert cli(cfg, "audit", "verify", "--checkpoint", str(out), key=KEY).returncode == 0
    doc = json.loads(out.read_text())
    doc["seq"] -= 2  # to make a cut-short chain pass, someone lowers the checkpoint's seq
    out.write_text(json.dumps(doc))
    r = cli(cfg, "audit", "verify", "--checkpoint", str(out), key=KEY)
    assert r.returncode == 3 and "signature does not match" in r.stderr, r.stderr
