"""Retention: purge personal content after ``retention.draft_body_days``.

Purged (set to NULL): ``drafts.body_text``, ``drafts.body_html``,
``drafts.placeholder_map`` (``purged_at`` set), ``findings.excerpt`` of items older than
the cutoff, ``risk_assessments.evidence`` (excerpts and reviewer quotes; categories and scores
stay), and the personal fields (subject, sender) of the ``review_tasks.escalation``
card snapshot. Kept: every hash (``drafts.body_sha256``, the audit chain), ids, counts,
versions and decisions, so ``audit verify`` still passes and what happened stays provable.

Work goes in batches of :data:`BATCH` drafts, one transaction each, with one ``purged``
audit event per batch (counts and the draft id range). A draft is old when its
``created_at`` is before ``now - draft_body_days``; a finding when its item's is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import null, select, update
from sqlalchemy.orm import Session, sessionmaker

from agent.config import Settings
from storage import audit
from storage.models import Draft, FindingRow, Item, ReviewTask, RiskAssessmentRow

log = logging.getLogger(__name__)

BATCH = 500


@dataclass
class PurgeReport:
    """Counts of what one :func:`purge` run cleared; ``cutoff`` is the UTC time used."""

    cutoff: datetime
    drafts: int = 0
    findings: int = 0
    review_snapshots: int = 0
    risk_evidence: int = 0
    batches: int = 0


def purge(session_factory: sessionmaker[Session], settings: Settings, *, now: datetime | None = None) -> PurgeReport:
    """Purge content older than the retention period; returns the counts.

    Idempotent: purged rows have ``purged_at`` (drafts) or NULL excerpts (findings) and
    are not counted again."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=settings.retention.draft_body_days)
    report = PurgeReport(cutoff=cutoff)
    while True:
        with session_factory() as s:
            ids = s.execute(
                select(Draft.id).where(Draft.purged_at.is_(None), Draft.created_at < cutoff).order_by(Draft.id).limit(BATCH)
            ).scalars().all()
            if ids:
                s.execute(
                    update(Draft)
                    .where(Draft.id.in_(ids))
                    .values(body_text=None, body_html=None, placeholder_map=None, purged_at=now)
                    .execution_options(synchronize_session=False)
                )
            old_items = select(Item.id).where(Item.created_at < cutoff)
            f = s.execute(
                update(FindingRow)
                .where(FindingRow.excerpt.is_not(None), FindingRow.item_id.in_(old_items))
                .values(excerpt=None)
                .execution_options(synchronize_session=False)
            ).rowcount
            risk = s.execute(
                update(RiskAssessmentRow)
                .where(RiskAssessmentRow.evidence.is_not(None), RiskAssessmentRow.created_at < cutoff)
                .values(evidence=null())  # SQL NULL (a JSON column stores Python None as JSON null)
                .execution_options(synchronize_session=False)
            ).rowcount
            snaps = 0
            for task in s.execute(
                select(ReviewTask).where(ReviewTask.escalation.is_not(None), ReviewTask.created_at < cutoff)
            ).scalars():
                snap = dict(task.escalation or {})
                if snap.get("purged"):
                    continue
                task.escalation = {"purged": True, "link": snap.get("link")}
                snaps += 1
            if not ids and not f and not snaps and not risk:
                s.rollback()
                break
            data = {
                "drafts": len(ids),
                "findings": f,
                "review_snapshots": snaps,
                "risk_evidence": risk,
                "older_than_days": settings.retention.draft_body_days,
                "cutoff": cutoff.isoformat(timespec="seconds"),
            }
            if ids:
                data.update(first_draft_id=ids[0], last_draft_id=ids[-1])
            audit.append(s, "purged", correlation_id=None, data=data)
            s.commit()
        report.drafts += len(ids)
        report.findings += f
        report.review_snapshots += snaps
        report.risk_evidence += risk
        report.batches += 1
        if len(ids) < BATCH:
            break
    if report.batches:
        log.info(
            "retention purge", extra={"drafts": report.drafts, "findings": report.findings, "review_snapshots": report.review_snapshots}
        )
    return report
