"""Errors stored and logged never carry SQL parameters or message text (issue 9.4).

On PostgreSQL a NUL in a value makes its INSERT fail; SQLAlchemy's exception text then lists
every parameter of the statement (the draft body with the client's name). The quarantine entry,
``items.last_error`` and the logs must say what failed, not what was being written.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DataError, StatementError

from agent.config import Settings
from agent.drafting import Drafter
from agent.error_text import error_text, stack_text
from agent.pipeline import Pipeline
from agent.template_drafter import TemplateDrafter
from rules.policy import load_policy_pack
from rules.routing import Router
from storage.db import open_database
from storage.models import Draft, Item, QuarantineEntry
from storage.repository import SqlCursorStore, UnitOfWork
from tests.unit.fakes import FakeModel, FakeNotifier, FakeSource, message

CLIENT = "Ottoline Quennell-Brisbane"
BODY_MARK = "balance-of-account-7731"


@pytest.fixture
def db(db_url):
    engine, sf = open_database(db_url)
    yield sf
    engine.dispose()


def _failed_insert(sf) -> tuple[int, StatementError]:
    """A draft whose body holds a NUL, inserted through the ORM as the pipeline does: the real
    driver error (psycopg refuses NUL in text), with the body among the statement's parameters."""
    with UnitOfWork(sf) as uow:
        item, _ = uow.claim_item(message("nul-1", sender=(CLIENT, "oq@client.example")))
        uow.audit("ingested", item, {"source": "fake:box"})
        uow.commit()
        item_id = item.id
    with UnitOfWork(sf) as uow:
        uow.session.add(Draft(item_id=item_id, provider="template", body_text=f"Dear {CLIENT},\n{BODY_MARK}\x00", body_sha256="0" * 64))
        with pytest.raises(StatementError) as caught:
            uow.session.flush()
    return item_id, caught.value


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite stores a NUL
def test_quarantine_of_a_failed_insert_stores_no_parameters(db_url, db):
    item_id, exc = _failed_insert(db)
    assert isinstance(exc, DataError)
    assert CLIENT not in str(exc) and "hidden due to hide_parameters" in str(exc)  # the engine hides them too
    with UnitOfWork(db) as uow:
        uow.quarantine(uow.item(item_id), "record", exc, 1)
        uow.commit()
    with db() as s:
        entry = s.execute(select(QuarantineEntry)).scalar_one()
        item = s.get(Item, item_id)
    for stored in (entry.error, item.last_error):
        assert CLIENT not in stored and BODY_MARK not in stored and "parameters:" not in stored and "\x00" not in stored
        assert stored.startswith("DataError") and "NUL" in stored and "INSERT INTO drafts" in stored, stored
    assert entry.error_type == "DataError"


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite stores a NUL
def test_pipeline_record_failure_quarantines_and_logs_no_message_text(db_url, db, redactor, caplog, tmp_path):
    """The real pipeline on PostgreSQL: the model's answer carries a NUL, so saving the restored
    draft (with the client's name) fails; the item is quarantined, nothing personal is kept."""
    settings = Settings.model_validate({"organisation": {"name": "Northwind Advisory", "domains": ["northwind.example"]}, "limits": {"retry_initial_seconds": 0}, "base_dir": str(tmp_path)})
    pipeline = Pipeline(
        settings,
        db,
        redactor_factory=lambda: redactor,
        drafter=Drafter(FakeModel(f"Dear <PERSON_1>,\n\nYour {BODY_MARK} is ready.\x00\n\nKind regards"), TemplateDrafter(organisation="Northwind Advisory", signature="")),
        policy=load_policy_pack("rules/policy_pack.toml"),
        router=Router(settings.routing),
        notifier=FakeNotifier(),
        cursors=SqlCursorStore(db),
        sleep=lambda s: None,
    )
    msg = message("nul-2", sender=(CLIENT, "oq@client.example"), text=f"Dear team, I am {CLIENT}. Please send my {BODY_MARK} statement.")
    with caplog.at_level(logging.DEBUG):
        summary = pipeline.run_source(FakeSource([msg]))
    assert summary.counts["quarantined"] == 1
    with db() as s:
        entry = s.execute(select(QuarantineEntry)).scalar_one()
        item = s.execute(select(Item)).scalar_one()
    assert entry.stage == "record" and "NUL" in entry.error, entry.error
    logged = caplog.text + "".join(str(r.exc_info) for r in caplog.records if r.exc_info)
    for text in (entry.error, item.last_error, logged):
        assert CLIENT not in text and BODY_MARK not in text and "Quennell" not in text


def test_error_text_keeps_identifiers_and_drops_values():
    class Diag:
        message_primary = 'invalid input syntax for type integer: "Ottoline"'

    class Orig(Exception):
        sqlstate = "22P02"
        diag = Diag()

    exc = DataError("UPDATE items SET attempts=%(a)s WHERE items.id = %(id)s", {"a": "Ottoline"}, Orig("Ottoline\nDETAIL: Failing row contains (Ottoline)"))
    text = error_text(exc)
    assert text == 'Orig [SQLSTATE 22P02]: invalid input syntax for type integer: "…" (in UPDATE items); SQL parameters withheld'
    assert error_text(ValueError("first line\nsecond line\x00")) == "ValueError: first line"
    assert len(error_text("x" * 2000)) == 500
    try:
        raise exc
    except DataError as e:
        frames = stack_text(e)
    assert "test_error_text_keeps_identifiers_and_drops_values" in frames and "Ottoline" not in frames
