"""Storage on SQLite and PostgreSQL: migrations, uniqueness, cursors, the audit chain and tampering."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage import audit
from storage.db import open_database
from storage.models import Item
from storage.repository import SqlCursorStore, SqlKeyValueStore, UnitOfWork
from tests.unit.fakes import message


@pytest.fixture
def db(db_url):
    engine, sf = open_database(db_url)
    yield engine, sf
    engine.dispose()


def _chain(sf, n=6):
    with UnitOfWork(sf) as uow:
        item, _ = uow.claim_item(message("m1"))
        for i in range(n):
            uow.audit("ingested" if i == 0 else "checked", item, {"i": i, "sha": "ab" * 32})
        uow.commit()


def test_migrations_are_idempotent_and_create_every_table(db_url):
    engine, _ = open_database(db_url)
    engine.dispose()
    engine, sf = open_database(db_url)  # second start: nothing to do, no error
    with engine.connect() as c:
        rev = c.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert rev is not None
    with sf() as s:
        for table in ("items", "cursors", "drafts", "findings", "decisions", "deliveries", "review_tasks", "quarantine", "audit_events", "audit_head"):
            s.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    engine.dispose()


def test_items_are_unique_on_source_and_external_id(db):
    _, sf = db
    with UnitOfWork(sf) as uow:
        a, new_a = uow.claim_item(message("m1"))
        b, new_b = uow.claim_item(message("m1"))
        uow.commit()
    assert new_a and not new_b and a.id == b.id
    with sf() as s:
        s.add(Item(source="fake:box", external_id="m1", correlation_id="x" * 36))
        with pytest.raises(IntegrityError):
            s.commit()


def test_cursor_and_kv_stores_round_trip(db):
    _, sf = db
    cur = SqlCursorStore(sf)
    assert cur.get("outlook:a", "delta") is None
    cur.set("outlook:a", "delta", "https://graph/delta?token=1")
    cur.set("outlook:a", "delta", "https://graph/delta?token=2")
    assert cur.get("outlook:a", "delta") == "https://graph/delta?token=2"
    kv = SqlKeyValueStore(sf, "msal")
    kv.put("cache", json.dumps({"a": 1}))
    assert json.loads(kv.get("cache")) == {"a": 1}
    kv.delete("cache")
    assert kv.get("cache") is None


def test_audit_chain_verifies(db):
    _, sf = db
    _chain(sf)
    with sf() as s:
        r = audit.verify(s)
    assert r.ok and r.checked == 6


def test_audit_refuses_bodies_and_unknown_events(db):
    _, sf = db
    with UnitOfWork(sf) as uow, pytest.raises(ValueError, match="refused"):
        uow.audit("drafted", None, {"body": "x" * 500})
    with UnitOfWork(sf) as uow, pytest.raises(ValueError, match="unknown audit event"):
        uow.audit("sent", None, {})


@pytest.mark.parametrize(
    "tamper, broken",
    [
        ("UPDATE audit_events SET data = '{\"i\": 99, \"sha\": \"x\"}' WHERE seq = 3", 3),
        ("UPDATE audit_events SET actor = 'mallory' WHERE seq = 5", 5),
        ("DELETE FROM audit_events WHERE seq = 2", 2),
        ("DELETE FROM audit_events WHERE seq = 6", 6),
        ("UPDATE audit_events SET seq = seq + 100 WHERE seq = 4", 4),
    ],
    ids=["edit-data", "edit-actor", "remove-middle", "remove-tail", "reorder"],
)
def test_audit_verify_names_first_broken_link(db, tamper, broken):
    _, sf = db
    _chain(sf)
    with sf() as s:
        s.execute(text(tamper))
        s.commit()
    with sf() as s:
        r = audit.verify(s)
    assert not r.ok and r.broken_seq == broken, r


def test_audit_swap_of_two_rows_is_detected(db):
    _, sf = db
    _chain(sf)
    with sf() as s:
        rows = {r.seq: r for r in s.execute(text("SELECT seq, data, hash, prev_hash FROM audit_events WHERE seq IN (2,3)"))}
        for a, b in ((2, 3), (3, 2)):
            s.execute(
                text("UPDATE audit_events SET data = :d, hash = :h, prev_hash = :p WHERE seq = :s"),
                {"d": rows[b].data if isinstance(rows[b].data, str) else json.dumps(rows[b].data), "h": rows[b].hash, "p": rows[b].prev_hash, "s": a},
            )
        s.commit()
    with sf() as s:
        r = audit.verify(s)
    assert not r.ok and r.broken_seq == 2


def test_audit_export_since(db):
    _, sf = db
    _chain(sf, 3)
    from datetime import UTC, datetime, timedelta

    with sf() as s:
        all_events = list(audit.export(s))
        none = list(audit.export(s, datetime.now(UTC) + timedelta(days=1)))
    assert [e["seq"] for e in all_events] == [1, 2, 3] and none == []
    assert all(set(e) >= {"hash", "prev_hash", "event", "correlation_id"} for e in all_events)


def test_audit_row_inserted_before_the_chain_is_detected(db):
    _, sf = db
    _chain(sf)
    with sf() as s:
        s.execute(
            text(
                "INSERT INTO audit_events (seq, ts, correlation_id, item_id, event, actor, data, prev_hash, hash) "
                "VALUES (0, '2026-01-01T00:00:00+00:00', NULL, 1, 'reviewed', 'ceo', '{}', :z, :z)"
            ),
            {"z": "0" * 64},
        )
        s.commit()
    with sf() as s:
        r = audit.verify(s)
    assert not r.ok and r.broken_seq == 0


def test_keyed_chain_cannot_be_recomputed_without_the_key(db, monkeypatch):
    _, sf = db
    monkeypatch.setenv("DRAFTGUARD_AUDIT_KEY", "secret-kept-outside-the-database")
    _chain(sf)
    with sf() as s:
        assert audit.verify(s).ok
    # Someone with database access edits a row and recomputes the chain without the key.
    monkeypatch.delenv("DRAFTGUARD_AUDIT_KEY")
    with sf() as s:
        rows = s.execute(text("SELECT seq, ts, correlation_id, item_id, event, actor FROM audit_events ORDER BY seq")).all()
        prev = audit.GENESIS
        for r in rows:
            stored = s.execute(text("SELECT data FROM audit_events WHERE seq=:q"), {"q": r.seq}).scalar()
            stored = json.loads(stored) if isinstance(stored, str) else stored  # SQLite text, PostgreSQL JSON
            data = {"i": 99, "sha": "forged"} if r.seq == 3 else stored
            h = audit.event_hash(prev, r.seq, r.ts, r.correlation_id, r.item_id, r.event, r.actor, data)
            s.execute(text("UPDATE audit_events SET data=:d, prev_hash=:p, hash=:h WHERE seq=:q"), {"d": json.dumps(data), "p": prev, "h": h, "q": r.seq})
            prev = h
        s.execute(text("UPDATE audit_head SET hash=:h"), {"h": prev})
        s.commit()
    with sf() as s:  # the head still records a keyed chain: caught even without the key
        r = audit.verify(s)
    assert not r.ok and r.kind == "head" and "key check" in r.problem, r
    with sf() as s:
        s.execute(text("UPDATE audit_head SET key_check='none', seal=NULL"))
        s.commit()
    with sf() as s:
        assert audit.verify(s).ok  # without a key the fully recomputed chain looks fine ...
    monkeypatch.setenv("DRAFTGUARD_AUDIT_KEY", "secret-kept-outside-the-database")
    with sf() as s:
        r = audit.verify(s)
    assert not r.ok and r.broken_seq == 1  # ... with the key, the forgery shows at once


@pytest.mark.parametrize(
    "url, shown, hidden",
    [
        ("postgresql+psycopg:/admin:Hunter2Secret@db/dg", "not a valid", "Hunter2Secret"),
        ("postgresql+psycopg://u:Hunter2Secret@127.0.0.1:54x32/dg", "not a valid", "Hunter2Secret"),
        ("mysql://u:Hunter2Secret@127.0.0.1/x", "no driver", "Hunter2Secret"),
    ],
)
def test_storage_errors_name_the_problem_and_hide_the_password(url, shown, hidden):
    from agent.errors import StorageError

    with pytest.raises(StorageError) as e:
        open_database(url)
    assert shown in str(e.value) and hidden not in str(e.value)


def test_read_only_open_does_not_create_a_database(tmp_path):
    from agent.errors import StorageError

    with pytest.raises(StorageError, match="no database at"):
        open_database(f"sqlite:///{tmp_path / 'typo' / 'dg.db'}", create=False)
    assert not (tmp_path / "typo").exists()


def test_concurrent_audit_appends_on_sqlite_never_collide(tmp_path):
    """Two writers appending at once (the run and a reviewer, or two scheduler threads)."""
    import threading

    engine, sf = open_database(f"sqlite:///{tmp_path / 'dg.db'}")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(25):
                with UnitOfWork(sf) as uow:
                    uow.session.execute(text("SELECT count(*) FROM items")).scalar()  # a read first, as the pipeline does
                    uow.audit("checked", None, {"writer": n, "i": i})
                    uow.commit()
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with sf() as s:
        r = audit.verify(s)
    engine.dispose()
    assert errors == [] and r.ok and r.checked == 75
