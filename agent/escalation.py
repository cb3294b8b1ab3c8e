"""Reviewer notification for an escalated item: build the :class:`Escalation` and send it once.

The pipeline calls :func:`notify_review_task` right after an escalation commits; the
outbox job (``jobs/notifications.py``) sends whatever is still un-notified later.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from agent.config import PREVIEW_MAX_CHARS
from agent.error_text import error_text
from agent.models import is_citation_id
from agent.ports import Escalation, Notifier
from storage.models import Draft, FindingRow, ReviewTask, RiskAssessmentRow, utcnow
from storage.repository import UnitOfWork

log = logging.getLogger("draftguard.escalation")



def draft_citations(draft) -> dict:
    """``citations`` (title, link), ``unknown_citations`` (well-formed ids only:
    :func:`agent.models.is_citation_id`) and ``citations_dropped`` (count) of a draft row's
    grounding record for an :class:`Escalation` (issue 14); empty without a draft or a record."""
    g = (getattr(draft, "grounding", None) or {}) if draft is not None else {}
    raw_unknown = [str(u) for u in g.get("unknown_citations") or []]
    unknown = tuple(u for u in raw_unknown if is_citation_id(u))
    return {
        "citations": tuple((str(c.get("title") or c.get("id")), c.get("url")) for c in g.get("citations") or []),
        "unknown_citations": unknown,
        "citations_dropped": int((g.get("citations_dropped") or {}).get("count") or 0) + len(raw_unknown) - len(unknown),
    }

def risk_of(session: Session, item_id: int) -> tuple[tuple[tuple[str, float], ...], bool]:
    """The item's latest risk assessment for a card: ((category, score), ...) most pressing first,
    and whether it is must-review; ``((), False)`` when it has none. Ids and numbers only."""
    row = session.execute(
        select(RiskAssessmentRow.categories, RiskAssessmentRow.must_review)
        .where(RiskAssessmentRow.item_id == item_id)
        .order_by(RiskAssessmentRow.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return (), False
    return tuple((str(c["id"]), float(c["score"])) for c in row.categories or []), bool(row.must_review)


def draft_preview(draft: Draft | None) -> str:
    """The draft text an :class:`Escalation` carries: the first :data:`agent.config.PREVIEW_MAX_CHARS`
    characters of the body ("" without a draft or after retention purged it). The notifier cuts
    it further to ``notify.preview_chars`` and shows it only when ``include_draft_preview`` is set.
    The one place both the inline notification and the outbox build a preview."""
    return (draft.body_text or "")[:PREVIEW_MAX_CHARS] if draft is not None else ""


def notify_review_task(
    session_factory: sessionmaker[Session],
    notifier: Notifier,
    *,
    item_id: int,
    subject: str,
    sender: str,
    link: str | None,
    retry_after_seconds: float | None = None,
) -> bool:
    """Send the notification for the open, un-notified review task of ``item_id``.

    Sent at most once: ``notified_at`` is set in the same transaction as the audit
    event. A failure is kept on the task (``notify_error``, ``notify_attempts``) for
    the notification job to retry. Returns True when a notification went out."""
    with UnitOfWork(session_factory) as uow:
        task = uow.session.execute(
            select(ReviewTask)
            .where(ReviewTask.item_id == item_id, ReviewTask.status == "open", ReviewTask.notified_at.is_(None))
            .order_by(ReviewTask.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if task is None:
            return False
        item = uow.item(item_id)
        draft = uow.session.get(Draft, task.draft_id) if task.draft_id else None
        findings = uow.session.execute(select(FindingRow.rule_id, FindingRow.severity).where(FindingRow.draft_id == task.draft_id)).all()
        risk, must_review = risk_of(uow.session, item.id)
        esc = Escalation(
            review_task_id=task.id,
            item_id=item.id,
            correlation_id=item.correlation_id,
            source=item.source,
            group=task.group,
            subject=subject,
            sender=sender,
            rule_id=task.rule_id,
            findings=tuple(dict.fromkeys((r, s) for r, s in findings)),  # one line per rule, not per span
            draft_preview=draft_preview(draft),
            model=draft.model if draft else "",
            prompt_template_id=draft.prompt_template_id if draft else "",
            link=link,
            risk=risk,
            risk_must_review=must_review,
            **draft_citations(draft),
        )
        # Snapshot for review lists, reminders and digests (personal fields purged by retention).
        task.escalation = {"subject": subject, "sender": sender, "link": link}
        try:
            ref = notifier.notify(esc)
        except Exception as exc:
            task.notify_attempts += 1
            task.notify_error = error_text(exc, 2000)
            if retry_after_seconds is not None:  # the outbox retries it after this delay, never drops it
                task.notify_next_at = utcnow() + timedelta(seconds=retry_after_seconds)
            uow.commit()
            log.warning("review notification failed; kept for retry", extra={"review_task_id": task.id})
            return False
        task.notify_attempts += 1
        task.notified_at = utcnow()
        task.notification_ref = str(ref)[:500]
        task.notify_error = None
        uow.audit("notified", item, {"review_task_id": task.id, "group": task.group, "transport": type(notifier).__name__})
        uow.commit()
        return True
