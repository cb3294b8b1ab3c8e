"""An Outlook shadow draft is scored against what the mailbox sent in the conversation (the local
Graph fake): nothing before the person answers, then the similarity of their reply."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from agent.config import Settings, SourcesConfig
from agent.formatting import text_to_html
from agent.models import InboundMessage
from connectors.outlook.messages import split_external_id
from jobs.shadow_outcomes import score_shadow_drafts, shadow_quality
from storage.models import Draft, Item, ShadowOutcome
from tests.outlook.conftest import *  # noqa: F403 - the local Graph and Entra servers and their fixtures
from tests.outlook.conftest import MAILBOX

TEXT = "Hello Jane,\n\nyour order 4711 ships today and arrives on Friday.\n\nKind regards,\nContoso Support"


def test_outlook_shadow_draft_is_scored_against_sent_items(graph, make_source, make_cfg, cursors, db):
    cfg = make_cfg(mode="shadow")
    src = make_source(cfg)
    graph.deliver(MAILBOX, subject="where is my order")
    msg = next(m for m in src.poll(cursors) if isinstance(m, InboundMessage))
    with db() as s:  # what the pipeline records for a shadow item
        item = Item(source=msg.source, external_id=msg.external_id, thread_key=msg.conversation_id, correlation_id=str(uuid.uuid4()),
                    state="shadow", received_at=msg.received_at)
        s.add(item)
        s.flush()
        s.add(Draft(item_id=item.id, provider="template", model="t", prompt_template_id="reply/v1", prompt_hash="0" * 64,
                    intent="information_request", confidence=0.9, body_text=TEXT, body_html=text_to_html(TEXT), body_sha256="0" * 64))
        s.commit()
        item_id = item.id
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
