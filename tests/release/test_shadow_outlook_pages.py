"""Outlook shadow scoring reads every page of the conversation's Sent Items (the local Graph fake
pages by ``$top``, 10 without it, and refuses ``$orderby`` with a conversation filter): the first
reply the person sent is found when it is not on the first page."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from agent.config import Settings, SourcesConfig
from agent.formatting import text_to_html
from agent.models import InboundMessage
from connectors.outlook import shadow as outlook_shadow
from connectors.outlook.messages import split_external_id
from jobs.shadow_outcomes import score_shadow_drafts
from storage.models import ShadowOutcome
from tests.outlook.conftest import *  # noqa: F403 - the local Graph and Entra servers and their fixtures
from tests.outlook.conftest import MAILBOX

TEXT = "Hello Jane,\n\nyour order 4711 ships today and arrives on Friday.\n\nKind regards,\nContoso Support"


def test_the_first_reply_on_a_later_page_of_sent_items_is_the_one_scored(graph, make_source, make_cfg, cursors, db, shadow_item):
    cfg = make_cfg(mode="shadow")
    src = make_source(cfg)
    graph.deliver(MAILBOX, subject="where is my order")
    msg = next(m for m in src.poll(cursors) if isinstance(m, InboundMessage))
    item_id = shadow_item(db, msg, TEXT)
    _mailbox, gid = split_external_id(msg.external_id)
    later = outlook_shadow.SENT_PAGE + 10  # more than one page of $top, and more than Graph's default page of 10
    graph.send_from_mailbox(MAILBOX, in_reply_to=gid, html=text_to_html("An older note, before the client wrote."), sent=msg.received_at - timedelta(days=1))
    for n in range(later):  # follow-ups days later, listed first
        graph.send_from_mailbox(MAILBOX, in_reply_to=gid, html=text_to_html(f"Follow-up {n}: did the parcel arrive? Tracking code T{n:04d}."),
                                sent=msg.received_at + timedelta(days=2, minutes=n))
    first = graph.send_from_mailbox(MAILBOX, in_reply_to=gid, html=text_to_html(TEXT.replace("Friday", "Monday")), sent=msg.received_at + timedelta(minutes=5))

    settings = Settings(sources=SourcesConfig(outlook=[cfg]))
    assert score_shadow_drafts(settings, db, sources=[src]) == {src.name: {"replied": 1, "waiting": 0, "errors": 0}}
    with db() as s:
        row = s.execute(select(ShadowOutcome).where(ShadowOutcome.item_id == item_id)).scalar_one()
    assert row.sent_ref == first["id"]  # the true first reply (the last listed, on page 2), not a follow-up of page 1
    assert 0.9 < row.similarity < 1.0
