"""A Salesforce shadow draft is scored against the agent's outbound EmailMessage on the case (the
local Salesforce REST server of tests/salesforce): nothing while the case has only the client's
emails, an older reply or an unsent draft, then the similarity of the first reply sent after the
client's email; a case nobody answered stays waiting."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from agent.config import Settings, SourcesConfig
from agent.formatting import text_to_html
from agent.models import InboundMessage
from connectors.salesforce.shadow import CLOCK_SKEW, reply_query
from jobs.shadow_outcomes import score_shadow_drafts, shadow_quality
from storage.models import ShadowOutcome
from tests.salesforce.conftest import *  # noqa: F403 - the local Salesforce server and its fixtures

TEXT = "Hello Hank,\n\nyour invoice 4711 was paid on May 3 and the receipt is attached.\n\nKind regards,\nGlobex Support"


def test_salesforce_shadow_draft_is_scored_against_the_outbound_email(fake, seed, make_source, make_cfg, cursors, db, shadow_item):
    cfg = make_cfg(mode="shadow")
    src = make_source(cfg)
    answered = seed.case("Invoice question")
    seed.email(answered, "Hello, did you get my payment?")
    seed.email(answered, "Hello Hank,\n\nwe have not received it yet.\n\nGlobex Support", incoming=False)  # older reply
    seed.email(answered, "Hello, where is the receipt for invoice 4711?")
    silent = seed.case("Delivery question")
    seed.email(silent, "Hello, when will my order arrive?")
    msgs = {m.conversation_id: m for m in src.poll(cursors) if isinstance(m, InboundMessage)}
    item_id = shadow_item(db, msgs[answered["Id"]], TEXT)
    silent_id = shadow_item(db, msgs[silent["Id"]], TEXT)
    settings = Settings(sources=SourcesConfig(salesforce=[cfg]))
    assert score_shadow_drafts(settings, db, sources=[src]) == {src.name: {"replied": 0, "waiting": 2, "errors": 0}}

    # the client writes again and an agent saves an unsent draft: neither is the reply
    seed.email(answered, "Hello Hank,\n\nyour invoice 4711 was paid.", incoming=True)
    seed.email(answered, TEXT, incoming=False, status="5")
    assert score_shadow_drafts(settings, db, sources=[src]) == {src.name: {"replied": 0, "waiting": 2, "errors": 0}}

    # the agent's reply (HTML only: read through the HTML-to-text helper), then a later one
    reply = seed.email(answered, "", incoming=False, html=text_to_html(TEXT.replace("May 3", "May 4")))
    seed.email(answered, "Hello Hank,\n\nanything else?", incoming=False)
    assert score_shadow_drafts(settings, db, sources=[src]) == {src.name: {"replied": 1, "waiting": 1, "errors": 0}}
    with db() as s:
        rows = {r.item_id: r for r in s.execute(select(ShadowOutcome)).scalars()}
    assert rows[item_id].outcome == "replied" and rows[item_id].sent_ref == reply["Id"]
    assert 0.9 < rows[item_id].similarity < 1.0
    assert rows[silent_id].outcome == "waiting" and rows[silent_id].similarity is None
    quality = shadow_quality(db)[src.name]
    assert (quality["items"], quality["replied"], quality["waiting"]) == (2, 1, 1)
    # one query per pending item, the ids bound as quoted literals
    sent = [q for q in fake.queries if "FROM EmailMessage WHERE ParentId" in q]
    assert sent and f"ParentId = '{silent['Id']}'" in sent[-1]

    live = Settings(sources=SourcesConfig(salesforce=[make_cfg()]))  # the same source live: not scored here
    assert score_shadow_drafts(live, db, sources=[src]) == {}


def test_reply_query_binds_values_and_bounds_the_outbound_emails():
    q = reply_query("500' OR Id != '", "02s\\x", None)
    assert "ParentId = '500\\' OR Id != \\''" in q and "Id = '02s\\\\x'" in q
    assert "CreatedDate >=" not in q
    received = datetime(2026, 12, 6, 13, 0, tzinfo=timezone(timedelta(hours=1)))  # 12:00 UTC
    assert "CreatedDate >= 2026-12-05T12:00:00+00:00" in reply_query("500A", "02sB", received)  # a day before, in UTC
    assert CLOCK_SKEW == timedelta(days=1)
