"""Salesforce shadow scoring bounds the outbound emails by Salesforce's own time (the inbound
EmailMessage's ``CreatedDate``), not by the client's ``Date`` header: a client whose clock runs
days ahead still has the agent's reply found (the local Salesforce REST server of tests/salesforce)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from agent.config import Settings, SourcesConfig
from agent.models import InboundMessage
from connectors.salesforce.source import parse_sf_datetime
from jobs.shadow_outcomes import score_shadow_drafts
from storage.models import ShadowOutcome
from tests.salesforce.conftest import *  # noqa: F403 - the local Salesforce server and its fixtures
from tests.salesforce.sf_fake import parse_soql, sf_datetime

TEXT = "Hello Hank,\n\nyour invoice 4711 was paid on May 3 and the receipt is attached.\n\nKind regards,\nGlobex Support"


def test_a_client_clock_days_ahead_does_not_hide_the_reply(fake, seed, make_source, make_cfg, cursors, db, shadow_item):
    cfg = make_cfg(mode="shadow")
    src = make_source(cfg)
    case = seed.case("Invoice question")
    now = fake.org.tick()
    fast = now + timedelta(days=2, hours=3)  # the client's Date header: their clock two days fast
    inbound = seed.email(case, "Hello, where is the receipt for invoice 4711?", at=now, MessageDate=sf_datetime(fast))
    msg = next(m for m in src.poll(cursors) if isinstance(m, InboundMessage) and m.external_id == inbound["Id"])
    assert msg.received_at == parse_sf_datetime(sf_datetime(fast))  # the item carries the client's clock
    item_id = shadow_item(db, msg, TEXT)
    settings = Settings(sources=SourcesConfig(salesforce=[cfg]))
    assert score_shadow_drafts(settings, db, sources=[src]) == {src.name: {"replied": 0, "waiting": 1, "errors": 0}}

    older = seed.email(case, "Hello Hank,\n\nplease send the invoice number.", incoming=False, at=now - timedelta(minutes=5))  # before the client's email
    reply = seed.email(case, TEXT.replace("May 3", "May 4"), incoming=False, at=now + timedelta(hours=1))  # Salesforce time: an hour later
    assert score_shadow_drafts(settings, db, sources=[src]) == {src.name: {"replied": 1, "waiting": 0, "errors": 0}}
    with db() as s:
        row = s.execute(select(ShadowOutcome).where(ShadowOutcome.item_id == item_id)).scalar_one()
    assert row.sent_ref == reply["Id"] and row.sent_ref != older["Id"]
    assert 0.9 < row.similarity < 1.0
    # the bound is the inbound email's CreatedDate, read from Salesforce (no client time in the query)
    created = parse_sf_datetime(fake.org.run(parse_soql(f"SELECT CreatedDate FROM EmailMessage WHERE Id = '{inbound['Id']}'"))[0]["CreatedDate"])
    assert created < parse_sf_datetime(sf_datetime(fast)) - timedelta(days=2)
    bounded = [q for q in fake.queries if "FROM EmailMessage WHERE ParentId" in q]
    assert bounded and all(f"CreatedDate >= {created.isoformat()}" in q for q in bounded)
