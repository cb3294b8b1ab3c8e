"""One source's database failure during shadow scoring does not stop the sources after it
(jobs/shadow_outcomes.py, jobs/outcomes.py): the failing source is counted under "errors" and
logged, the next one is scored. The failure is SQLite's own (a trigger that aborts the insert
of one source's outcome rows), the sent replies real Maildir files."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.message import EmailMessage
from types import SimpleNamespace

from sqlalchemy import select, text, update

from agent.config import MaildirSourceConfig, Settings, SourcesConfig
from agent.models import Address, InboundMessage
from jobs.outcomes import track_outcomes
from jobs.shadow_outcomes import score_shadow_drafts
from storage.db import open_database
from storage.models import Item, ShadowOutcome
from tests.release.conftest import record_shadow_item

TEXT = "Hello Jane,\n\nyour order 4711 ships today and arrives on Friday.\n\nKind regards,\nNorthwind Support"


def _setup(tmp_path):
    engine, sf = open_database(f"sqlite:///{tmp_path / 'dg.db'}")
    cfgs, items = [], {}
    for name in ("a", "b"):
        box, sent = tmp_path / name / "inbox", tmp_path / name / "sent"
        (sent / "cur").mkdir(parents=True)
        cfgs.append(MaildirSourceConfig(name=name, path=box, drafts_path=tmp_path / name / "drafts", from_address="support@northwind.example",
                                        sent_path=sent, mode="shadow"))
        mid = f"<q-{name}@client.example>"
        msg = InboundMessage(source=f"maildir:{name}", external_id=f"{name}-1", internet_message_id=mid, subject="order",
                             sender=Address(name="Jane", email="jane@client.example"), received_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
                             text_body="Where is my order?")
        items[name] = record_shadow_item(sf, msg, TEXT)
        with sf() as s:  # the recorder keeps the Message-ID the sent reply answers
            s.execute(update(Item).where(Item.id == items[name]).values(internet_message_id=mid))
            s.commit()
        reply = EmailMessage()
        reply["From"], reply["To"], reply["Subject"] = "support@northwind.example", "jane@client.example", "Re: order"
        reply["In-Reply-To"] = mid
        reply.set_content(TEXT.replace("Friday", "Monday"))
        (sent / "cur" / f"1.{name}:2,S").write_bytes(reply.as_bytes())
    with engine.begin() as c:  # the database refuses source a's outcome rows
        c.execute(text(
            "CREATE TRIGGER fail_a BEFORE INSERT ON shadow_outcomes "
            "WHEN (SELECT source FROM items WHERE id = NEW.item_id) = 'maildir:a' "
            "BEGIN SELECT RAISE(ABORT, 'outcome rows of source a refused'); END"
        ))
    return engine, sf, Settings(sources=SourcesConfig(maildir=cfgs)), items


def test_a_source_whose_database_writes_fail_does_not_stop_the_next(tmp_path, caplog):
    engine, sf, settings, items = _setup(tmp_path)
    try:
        with caplog.at_level(logging.WARNING):
            got = score_shadow_drafts(settings, sf, now=datetime.now(UTC))
        assert got == {"maildir:a": {"replied": 0, "waiting": 0, "errors": 1}, "maildir:b": {"replied": 1, "waiting": 0}}
        assert any("maildir:a" in r.getMessage() and "IntegrityError" in r.getMessage() for r in caplog.records)
        with sf() as s:
            rows = {r.item_id: r for r in s.execute(select(ShadowOutcome)).scalars()}
        assert items["a"] not in rows and rows[items["b"]].outcome == "replied" and 0.9 < rows[items["b"]].similarity < 1.0
    finally:
        engine.dispose()


def test_the_outcome_job_reports_each_shadow_source_on_its_own(tmp_path):
    engine, sf, settings, items = _setup(tmp_path)
    try:
        out = track_outcomes(SimpleNamespace(sources=[], settings=settings, session_factory=sf))
        assert out["shadow:maildir:a"] == {"replied": 0, "waiting": 0, "errors": 1}
        assert out["shadow:maildir:b"] == {"replied": 1, "waiting": 0}
        assert "shadow" not in out  # not one error for the whole comparison
    finally:
        engine.dispose()
