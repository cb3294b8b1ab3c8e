"""An Outlook shadow draft is scored against what the mailbox sent in the conversation (the local
Graph fake): nothing before the person answers, then the similarity of their reply."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from agent.config import Settings, SourcesConfig
from agent.formatting import text_to_html
from agent.models import InboundMessage
from connectors.outlook.messages import split_external_id
from jobs.shadow_outcomes import score_shadow_drafts, shadow_quality
from storage.models import ShadowOutcome
from tests.outlook.conftest import *  # noqa: F403 - the local Graph and Entra servers and their fixtures
from tests.outlook.conftest import MAILBOX

TEXT = "Hello Jane,\n\nyour order 4711 ships today and arrives on Friday.\n\nKind regards,\nContoso Support"


def test_outlook_shadow_draft_is_scored_against_sent_items(graph, make_source, make_cfg, cursors, db, shadow_item):
    cfg = make_cfg(mode="shadow")
    src = make_source(cfg)
    graph.deliver(MAILBOX, subject="where is my order")
    msg = next(m for m in src.poll(cursors) if isinstance(m, InboundMessage))
    item_id = shadow_item(db, msg, TEXT)
    settings = Settings(sources=SourcesConfig(outlook=[cfg]))
    assert score_shadow_drafts(settings, db, sources=[src]) == {src.name: {"replied": 0, "waiting": 1, "errors": 0}}

    _mailbox, gid = split_external_id(msg.external_id)
    graph.send_from_mailbox(MAILBOX, in_reply_to=gid, html=text_to_html(TEXT.replace("Friday", "Monday")), sent=msg.received_at + timedelta(minutes=5))
    assert score_shadow_drafts(settings, db, sources=[src]) == {src.name: {"replied": 1, "waiting": 0, "errors": 0}}
    with db() as s:
        sim = s.execute(select(ShadowOutcome.similarity).where(ShadowOutcome.item_id == item_id)).scalar_one()
    assert 0.9 < sim < 1.0
    assert shadow_quality(db)[src.name]["replied"] == 1
    live = Settings(sources=SourcesConfig(outlook=[make_cfg()]))  # the same source live: not scored here
    assert score_shadow_drafts(live, db, sources=[src]) == {}
