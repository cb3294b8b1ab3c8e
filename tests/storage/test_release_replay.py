"""The variant set's history replayed (storage/release.py) and changed (jobs/variants.py), on SQLite
and PostgreSQL: a rollback lands where its audit event says, never on a stopped variant, and two
changes at once are serialised (the second reads what the first wrote)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

import jobs.variants as variants
from agent.config import Settings
from jobs.variants import ReleaseError, promote, read_state, record_gate, resume, rollback, stop
from storage import release as store
from storage.db import open_database
from storage.models import AuditEvent


def _settings(*names: str) -> Settings:
    """``a`` (the config's default) and template variants ``names`` without a share."""
    return Settings.model_validate(
        {"release": {"salt": "s", "default": "a", "variants": [{"name": "a"}, *({"name": n, "share": 0.0, "drafter": "template"} for n in names)]}}
    )


@pytest.fixture
def sf(db_url):
    engine, factory = open_database(db_url)
    yield factory
    engine.dispose()


def _promote(sf, settings: Settings, *names: str) -> None:
    for n in names:
        record_gate(sf, settings, n, passed=True, dataset="d", split="test", gate="regression", drafter="template", figures={}, actor="ops")
        promote(sf, settings, n, actor="ops")


def _rollbacks(sf) -> list[dict]:
    with sf() as s:
        return list(s.execute(select(AuditEvent.data).where(AuditEvent.event == "variant_rolled_back").order_by(AuditEvent.seq)).scalars())


def test_rollback_after_a_variant_left_the_config_lands_where_it_is_audited(sf):
    full, without_x = _settings("b", "x"), _settings("b")
    _promote(sf, full, "b", "x")
    assert read_state(sf, without_x).default == "b"  # x left the config: b is the default again
    st = rollback(sf, without_x, actor="ops")
    assert _rollbacks(sf) == [{"from": "b", "to": "a"}]
    assert st.default == "a" and read_state(sf, without_x).default == "a"  # what the audit says
    assert read_state(sf, full).default == "a"  # and x coming back does not undo the rollback


def test_a_rollback_recorded_before_a_variant_left_keeps_its_target(sf):
    full, without_x = _settings("b", "x"), _settings("b")
    _promote(sf, full, "b", "x")
    rollback(sf, full, actor="ops")  # x -> b
    assert read_state(sf, full).default == "b" and read_state(sf, without_x).default == "b"
    with sf() as s:  # an event of before the target was stored: the variant it rolled back is popped
        store.add_event(s, "promote", "x", previous_default="b", actor="ops")
        store.add_event(s, "rollback", "x", previous_default="x", actor="ops")
        s.commit()
    assert read_state(sf, full).default == "b" and read_state(sf, without_x).default == "b"


def test_rollback_onto_a_stopped_variant_is_refused_until_it_is_resumed(sf):
    settings = _settings("b")
    _promote(sf, settings, "b")
    stop(sf, settings, "a", actor="ops", reason="complaints")
    with pytest.raises(ReleaseError, match=r"cannot roll back to 'a': it is stopped.*variants resume a"):
        rollback(sf, settings, actor="ops")
    st = read_state(sf, settings)
    assert st.default == "b" and "a" in st.stopped and _rollbacks(sf) == []
    resume(sf, settings, "a", actor="ops")
    assert rollback(sf, settings, actor="ops").default == "a"
    assert _rollbacks(sf) == [{"from": "b", "to": "a"}]


def test_two_rollbacks_at_once_are_serialised(sf, monkeypatch):
    settings = _settings("b", "x")
    _promote(sf, settings, "b", "x")
    real = store.release_state

    def slow(*args, **kwargs):  # read, then linger before writing: the window a second change would use
        st = real(*args, **kwargs)
        time.sleep(0.6)
        return st

    monkeypatch.setattr(variants.store, "release_state", slow)
    errors: list[BaseException] = []

    def run():
        try:
            rollback(sf, settings, actor="ops")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    monkeypatch.setattr(variants.store, "release_state", real)
    # Each read what the other wrote: x -> b, then b -> a (not twice x -> b, leaving b the default).
    assert _rollbacks(sf) == [{"from": "x", "to": "b"}, {"from": "b", "to": "a"}]
    assert read_state(sf, settings).default == "a"
