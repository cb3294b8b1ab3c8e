"""Outcome tracking: Sent Items in the conversation tell sent / edited then sent / deleted / waiting,
with a similarity score written on the delivery and an audit event."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from agent.formatting import text_to_html
from agent.models import InboundMessage, ReplyDraft
from agent.reply import idempotency_key
from connectors.outlook.outcomes import acceptance_figures, similarity
from storage.audit import verify
from storage.models import AuditEvent, Delivery, Draft, Item
from tests.outlook.conftest import MAILBOX

TEXT = "Hello Jane,\n\nyour order 4711 ships today and arrives on Friday.\n\nKind regards,\nContoso Support"


def place(graph, src, cursors, db, subject: str) -> tuple[InboundMessage, str]:
    """Deliver a client message, poll it, place our draft and record it like the pipeline does."""
    graph.deliver(MAILBOX, subject=subject)
    msg = next(m for m in src.poll(cursors) if isinstance(m, InboundMessage) and m.subject == subject)
    key = idempotency_key(msg.source, msg.external_id)
    receipt = src.deliver(msg, ReplyDraft(idempotency_key=key, subject="Re", text=TEXT, html=text_to_html(TEXT), to=[msg.sender]))
    with db() as s:
        item = Item(source=msg.source, external_id=msg.external_id, thread_key=msg.conversation_id,
                    correlation_id=str(uuid.uuid4()), state="drafted")
        s.add(item)
        s.flush()
        d = Draft(item_id=item.id, provider="template", model="t", prompt_template_id="reply/v1", prompt_hash="0" * 64,
                  intent="information_request", confidence=0.9, body_text=TEXT, body_html=text_to_html(TEXT), body_sha256="0" * 64)
        s.add(d)
        s.flush()
        s.add(Delivery(item_id=item.id, draft_id=d.id, idempotency_key=key, target=receipt.target, target_ref=receipt.ref))
        s.commit()
    return msg, receipt.ref


def outcomes(db) -> dict[str, tuple[str | None, float | None]]:
    with db() as s:
        rows = s.execute(select(Item.external_id, Delivery.outcome, Delivery.outcome_similarity, Delivery.outcome_checked_at)
                         .join(Item, Item.id == Delivery.item_id)).all()
    assert all(r[3] is not None for r in rows)
    return {r[0]: (r[1], r[2]) for r in rows}


def test_each_fate_is_classified_with_a_similarity(graph, make_source, cursors, db):
    src = make_source()
    sent, sent_id = place(graph, src, cursors, db, "sent as is")
    edited, edited_id = place(graph, src, cursors, db, "edited")
    deleted, deleted_id = place(graph, src, cursors, db, "deleted")
    waiting, _ = place(graph, src, cursors, db, "waiting")
    graph.send_draft(MAILBOX, sent_id)
    graph.send_draft(MAILBOX, edited_id, new_html="<p>Hi Jane, we shipped 4711, it should arrive early next week. Best, Tom</p>")
    src.con.delete(f"{src.con.protocol.service_url}users/{MAILBOX}/messages/{deleted_id}")

    counts = src.track_outcomes(db)
    assert counts == {"sent": 1, "edited_sent": 1, "deleted": 1, "waiting": 1, "errors": 0}
    got = outcomes(db)
    assert got[sent.external_id][0] == "sent" and got[sent.external_id][1] >= 0.95
    assert got[edited.external_id][0] == "edited_sent" and got[edited.external_id][1] < 0.7
    assert got[deleted.external_id] == ("deleted", None)
    assert got[waiting.external_id] == ("waiting", None)
    with db() as s:
        events = s.execute(select(AuditEvent).where(AuditEvent.event == "outcome")).scalars().all()
        assert len(events) == 4 and all(set(e.data) == {"outcome", "similarity", "delivery_id"} for e in events)
        verify(s)

    # final outcomes are not checked again; a waiting draft is, and picks up its later fate
    graph.send_draft(MAILBOX, next(d["id"] for d in graph.drafts(MAILBOX)))
    n = len(graph.log)
    assert src.track_outcomes(db)["sent"] == 1
    assert len(graph.log) - n == 1  # one Sent Items query for the one open delivery
    fig = acceptance_figures(db)
    assert fig["sent"] == 2 and fig["edited_sent"] == 1 and fig["deleted"] == 1 and fig["waiting"] == 0
    assert fig["acceptance_rate"] == 0.75


def test_similarity_scale():
    assert similarity("Hello  Jane", "hello jane") == 1.0
    assert similarity("abc", None) is None
    assert 0 < similarity("your order ships today", "your order ships on monday") < 0.9
