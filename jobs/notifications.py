"""The reviewer-notification outbox: first notifications, SLA reminders, daily digests.

State lives on ``review_tasks`` (so nothing is lost across restarts):

* First notification. The pipeline tries once inline when it escalates
  (:func:`agent.escalation.notify_review_task`). :func:`dispatch_pending` sends every open
  task with ``notified_at IS NULL`` that the pipeline did not get out: tasks whose inline
  try failed (``notify_attempts > 0``) and tasks older than :data:`INLINE_GRACE` (the
  process died before trying). A task is *claimed* by a conditional UPDATE that sets
  ``notify_next_at`` to now + :data:`CLAIM_LEASE` (so two dispatchers never send it
  together); after the notifier confirms, ``notified_at``, ``notification_ref`` and the
  ``notified`` audit event commit in one transaction. A failure increments
  ``notify_attempts``, keeps the error in ``notify_error`` and sets ``notify_next_at``
  to now + ``min(retry_base_seconds * 2**(attempts-1), retry_max_seconds)``: retried on
  later runs, never dropped. Delivery is at-least-once: a crash between the webhook's
  202 and our commit re-sends after the lease (the Workflows webhook has no idempotency
  key, so exactly-once is not possible).
* SLA reminders. An open, notified task whose last notification (``reminded_at`` or
  ``notified_at``) is older than its group's ``sla_minutes`` is re-notified: once per
  SLA period. Claimed by a conditional UPDATE of ``reminded_at``; a failed send is put
  back and retried on the next run.
* Daily digest. :func:`daily_digest` sends each group's open escalations once per UTC
  day, at or after the group's ``digest_hour_utc``; the last day sent is kept in
  ``kv_store`` (namespace ``notify``, key ``digest:<group>``), written with its audit event.

Cards are built from the task's ``escalation`` snapshot (subject, sender, link: written
here on the first send) plus the draft, findings and decision rows. When the snapshot
is missing, ``fetch(source, external_id)`` re-reads the original from its source.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from agent.config import ReviewerGroupConfig, Settings
from agent.error_text import error_text
from agent.errors import DraftguardError
from agent.escalation import draft_citations, draft_preview, risk_of
from agent.models import InboundMessage
from agent.ports import Digest, Escalation, Notifier
from jobs.metrics import NOTIFICATIONS
from jobs.observability import bind_item
from storage import audit
from storage.models import Draft, FindingRow, Item, KeyValue, ReviewTask

log = logging.getLogger(__name__)

INLINE_GRACE = timedelta(minutes=10)  # leave fresh tasks to the pipeline's inline try
CLAIM_LEASE = timedelta(minutes=10)  # > a notifier's worst case (4 tries x (10 s timeout + 30 s wait))
SNAPSHOT_FIELDS = ("subject", "sender", "link")
KV_NAMESPACE = "notify"

Fetch = Callable[[str, str], InboundMessage]


@dataclass
class DispatchReport:
    """What one :func:`dispatch_pending` run did (counts of review tasks)."""

    sent: int = 0
    failed: int = 0
    reminders: int = 0
    reminder_failures: int = 0
    errors: list[str] = field(default_factory=list)


def _utc(dt: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes (stored as UTC): make them aware."""
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt


def transport_name(notifier: Notifier) -> str:
    """Label for metrics/audit: the notifier's ``transport`` attribute or its class name."""
    return str(getattr(notifier, "transport", None) or type(notifier).__name__)


def retry_delay(attempts: int, settings: Settings) -> timedelta:
    """Backoff before the next try after ``attempts`` failures: base * 2**(n-1), capped."""
    n = max(1, attempts)
    cfg = settings.notify
    return timedelta(seconds=min(cfg.retry_base_seconds * (2 ** min(n - 1, 30)), cfg.retry_max_seconds))


def group_config(settings: Settings, group: str) -> ReviewerGroupConfig:
    """The reviewer group's config, or the defaults (SLA 240 min) for a group not listed."""
    for g in settings.reviewer_groups:
        if g.name == group:
            return g
    return ReviewerGroupConfig(name=group, digest_hour_utc=settings.schedule.digest_hour_utc)


def escalation_snapshot(escalation: Escalation) -> dict:
    """What the outbox keeps to rebuild a card: subject, sender, link (no draft text)."""
    d = asdict(escalation)
    return {k: d[k] for k in SNAPSHOT_FIELDS}


def build_escalation(
    session: Session, task: ReviewTask, *, now: datetime, fetch: Fetch | None = None, reminder: int = 0
) -> Escalation:
    """The :class:`Escalation` for ``task`` from the store (and ``fetch`` if the snapshot is missing).

    Stores the fetched snapshot on the task (the caller commits)."""
    item = session.get(Item, task.item_id)
    draft = session.get(Draft, task.draft_id) if task.draft_id else None
    q = select(FindingRow.rule_id, FindingRow.severity).order_by(FindingRow.id)
    q = q.where(FindingRow.draft_id == task.draft_id) if task.draft_id else q.where(FindingRow.item_id == task.item_id)
    findings = tuple((r, s) for r, s in session.execute(q))
    snap = dict(task.escalation or {})
    if not snap.get("subject") and fetch is not None:
        try:
            msg = fetch(item.source, item.external_id)
            snap = {"subject": msg.subject, "sender": msg.sender.email, "link": msg.link}
            task.escalation = snap
        except (DraftguardError, KeyError) as exc:
            log.warning("cannot re-read the original for the card: %s", type(exc).__name__, extra={"review_task_id": task.id})
    created = _utc(task.created_at) or now
    risk, must_review = risk_of(session, item.id)
    return Escalation(
        review_task_id=task.id,
        item_id=item.id,
        correlation_id=item.correlation_id,
        source=item.source,
        group=task.group,
        subject=snap.get("subject") or "(subject not available)",
        sender=snap.get("sender") or "",
        rule_id=task.rule_id,
        findings=findings,
        draft_preview=draft_preview(draft),
        model=draft.model if draft else "",
        prompt_template_id=draft.prompt_template_id if draft else "",
        link=snap.get("link"),
        reminder=reminder,
        open_minutes=max(0, int((now - created).total_seconds() // 60)),
        risk=risk,
        risk_must_review=must_review,
        **draft_citations(draft),
    )


def _audit_notified(session: Session, item: Item, data: dict) -> None:
    audit.append(session, "notified", correlation_id=item.correlation_id, item_id=item.id, data=data)


# --- first notifications ------------------------------------------------------------------
def _claim_first(session_factory: sessionmaker[Session], task_id: int, now: datetime) -> bool:
    with session_factory() as s:
        res = s.execute(
            update(ReviewTask)
            .where(
                ReviewTask.id == task_id,
                ReviewTask.status == "open",
                ReviewTask.notified_at.is_(None),
                or_(ReviewTask.notify_next_at.is_(None), ReviewTask.notify_next_at <= now),
            )
            .values(notify_next_at=now + CLAIM_LEASE)
            .execution_options(synchronize_session=False)
        )
        s.commit()
        return res.rowcount == 1


def _send_first(session_factory, notifier, settings, task_id: int, now: datetime, fetch: Fetch | None, report: DispatchReport) -> None:
    transport = transport_name(notifier)
    if not _claim_first(session_factory, task_id, now):
        return
    with session_factory() as s:
        task = s.get(ReviewTask, task_id)
        item = s.get(Item, task.item_id)
        with bind_item(item.correlation_id, item_id=item.id, review_task_id=task.id):
            esc = build_escalation(s, task, now=now, fetch=fetch)
            try:
                ref = notifier.notify(esc)
            except Exception as exc:
                task.notify_attempts = (task.notify_attempts or 0) + 1
                task.notify_error = error_text(exc, 2000)
                task.notify_next_at = now + retry_delay(task.notify_attempts, settings)
                s.commit()
                NOTIFICATIONS.labels(transport=transport, kind="escalation", result="error").inc()
                report.failed += 1
                report.errors.append(f"task {task_id}: {type(exc).__name__}")
                log.warning("notification failed, kept for retry (attempt %d)", task.notify_attempts, extra={"error_type": type(exc).__name__})
                return
            task.notify_attempts = (task.notify_attempts or 0) + 1
            task.notified_at = datetime.now(UTC)
            task.notification_ref = str(ref)[:500]
            task.notify_error = None
            task.notify_next_at = None
            if not task.escalation:
                task.escalation = escalation_snapshot(esc)
            _audit_notified(
                s, item, {"review_task_id": task.id, "group": task.group, "kind": "escalation", "transport": transport, "attempt": task.notify_attempts}
            )
            s.commit()
            NOTIFICATIONS.labels(transport=transport, kind="escalation", result="ok").inc()
            report.sent += 1
            log.info("reviewers notified", extra={"group": task.group, "attempt": task.notify_attempts})


# --- SLA reminders ------------------------------------------------------------------------------
def _send_reminder(session_factory, notifier, settings, task_id: int, now: datetime, fetch: Fetch | None, report: DispatchReport) -> None:
    transport = transport_name(notifier)
    with session_factory() as s:
        task = s.get(ReviewTask, task_id)
        sla = timedelta(minutes=group_config(settings, task.group).sla_minutes)
        prev_reminded, prev_count = task.reminded_at, task.reminder_count or 0
        threshold = now - sla
        # Claim: only if nobody reminded since we looked (compare-and-set on reminded_at).
        res = s.execute(
            update(ReviewTask)
            .where(
                ReviewTask.id == task_id,
                ReviewTask.status == "open",
                ReviewTask.notified_at.is_not(None),
                ReviewTask.notified_at <= threshold,
                ReviewTask.reminded_at.is_(None) if prev_reminded is None else ReviewTask.reminded_at == prev_reminded,
                ReviewTask.created_at <= threshold,
            )
            .values(reminded_at=now, reminder_count=prev_count + 1)
            .execution_options(synchronize_session=False)
        )
        s.commit()
        if res.rowcount != 1:
            return
    with session_factory() as s:
        task = s.get(ReviewTask, task_id)
        item = s.get(Item, task.item_id)
        with bind_item(item.correlation_id, item_id=item.id, review_task_id=task.id):
            esc = build_escalation(s, task, now=now, fetch=fetch, reminder=prev_count + 1)
            try:
                ref = notifier.notify(esc)
            except Exception as exc:
                task.reminded_at, task.reminder_count = prev_reminded, prev_count  # put the claim back: retried next run
                task.notify_error = "reminder: " + error_text(exc, 1990)
                s.commit()
                NOTIFICATIONS.labels(transport=transport, kind="reminder", result="error").inc()
                report.reminder_failures += 1
                report.errors.append(f"task {task_id} reminder: {type(exc).__name__}")
                log.warning("SLA reminder failed, retried next run", extra={"error_type": type(exc).__name__})
                return
            task.notify_error = None
            task.notification_ref = str(ref)[:500]
            _audit_notified(
                s,
                item,
                {"review_task_id": task.id, "group": task.group, "kind": "reminder", "reminder": prev_count + 1, "transport": transport, "open_minutes": esc.open_minutes},
            )
            s.commit()
            NOTIFICATIONS.labels(transport=transport, kind="reminder", result="ok").inc()
            report.reminders += 1
            log.info("SLA reminder sent", extra={"group": task.group, "reminder": prev_count + 1, "open_minutes": esc.open_minutes})


def _reminder_candidates(s: Session, settings: Settings, now: datetime) -> list[int]:
    rows = s.execute(
        select(ReviewTask.id, ReviewTask.group, ReviewTask.notified_at, ReviewTask.reminded_at, ReviewTask.created_at)
        .where(ReviewTask.status == "open", ReviewTask.notified_at.is_not(None))
        .order_by(ReviewTask.id)
    ).all()
    due = []
    for tid, group, notified_at, reminded_at, created_at in rows:
        sla = timedelta(minutes=group_config(settings, group).sla_minutes)
        last = _utc(reminded_at) or _utc(notified_at)
        if now - _utc(created_at) >= sla and now - last >= sla:
            due.append(tid)
    return due


def dispatch_pending(
    session_factory: sessionmaker[Session],
    notifier: Notifier,
    settings: Settings,
    *,
    now: datetime | None = None,
    fetch: Fetch | None = None,
    reminders: bool = True,
) -> DispatchReport:
    """Send due first notifications and SLA reminders; returns counts. Never raises for a send failure.

    ``now`` (UTC) is for tests; ``fetch(source, external_id)`` re-reads an original whose
    snapshot is missing (optional)."""
    now = now or datetime.now(UTC)
    report = DispatchReport()
    with session_factory() as s:
        first = (
            s.execute(
                select(ReviewTask.id)
                .where(
                    ReviewTask.status == "open",
                    ReviewTask.notified_at.is_(None),
                    or_(ReviewTask.notify_next_at.is_(None), ReviewTask.notify_next_at <= now),
                    or_(ReviewTask.notify_attempts > 0, ReviewTask.notify_next_at.is_not(None), ReviewTask.created_at <= now - INLINE_GRACE),
                )
                .order_by(ReviewTask.id)
            )
            .scalars()
            .all()
        )
        due_reminders = _reminder_candidates(s, settings, now) if reminders else []
    for task_id in first:
        _send_first(session_factory, notifier, settings, task_id, now, fetch, report)
    for task_id in due_reminders:
        _send_reminder(session_factory, notifier, settings, task_id, now, fetch, report)
    if first or due_reminders:
        log.info(
            "notification outbox run",
            extra={"sent": report.sent, "failed": report.failed, "reminders": report.reminders, "reminder_failures": report.reminder_failures},
        )
    return report


# --- daily digest -------------------------------------------------------------------------------------
@dataclass
class DigestReport:
    """Groups whose digest went out, was already sent today, or failed."""

    sent: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    not_yet: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def daily_digest(
    session_factory: sessionmaker[Session],
    notifier: Notifier,
    settings: Settings,
    *,
    now: datetime | None = None,
    fetch: Fetch | None = None,
    force: bool = False,
) -> DigestReport:
    """Send each group with open escalations its digest, once per UTC day after its digest hour.

    ``force`` sends regardless of hour and of an earlier send today (CLI use)."""
    now = now or datetime.now(UTC)
    day = now.date().isoformat()
    transport = transport_name(notifier)
    report = DigestReport()
    with session_factory() as s:
        groups = sorted(set(s.execute(select(ReviewTask.group).where(ReviewTask.status == "open")).scalars()))
    for group in groups:
        gcfg = group_config(settings, group)
        if not force and now.hour < gcfg.digest_hour_utc:
            report.not_yet.append(group)
            continue
        with session_factory() as s:
            key = f"digest:{group}"
            kv = s.get(KeyValue, (KV_NAMESPACE, key))
            if kv is not None and kv.value == day and not force:
                report.already_sent.append(group)
                continue
            tasks = s.execute(select(ReviewTask).where(ReviewTask.status == "open", ReviewTask.group == group).order_by(ReviewTask.created_at)).scalars().all()
            escalations = tuple(build_escalation(s, t, now=now, fetch=fetch) for t in tasks)
            try:
                ref = notifier.notify_digest(Digest(group=group, escalations=escalations, day=day))
            except Exception as exc:
                s.rollback()
                NOTIFICATIONS.labels(transport=transport, kind="digest", result="error").inc()
                report.failed.append(group)
                log.warning("daily digest failed for %s: %s", group, type(exc).__name__)
                continue
            if kv is None:
                s.add(KeyValue(namespace=KV_NAMESPACE, key=key, value=day))
            else:
                kv.value = day
            audit.append(
                s,
                "notified",
                correlation_id=None,
                data={
                    "kind": "digest",
                    "group": group,
                    "day": day,
                    "open": len(tasks),
                    "review_task_ids": [t.id for t in tasks[:100]],
                    "transport": transport,
                    "ref": str(ref)[:200],
                },
            )
            s.commit()
            NOTIFICATIONS.labels(transport=transport, kind="digest", result="ok").inc()
            report.sent.append(group)
            log.info("daily digest sent", extra={"group": group, "open": len(tasks)})
    return report


# --- wiring -------------------------------------------------------------------------------------------------
def notifier_from_config(settings: Settings) -> Notifier:
    """The notifier ``notify.transport`` asks for (console, Teams webhook, Teams Graph channel).

    Raises :class:`agent.errors.ConfigError` when a Teams secret variable is unset."""
    import requests

    from jobs.metrics import instrument_session

    transport = settings.notify.transport
    if transport == "teams_webhook":
        from connectors.teams.webhook import TeamsWebhookNotifier

        return TeamsWebhookNotifier.from_config(settings.notify, settings.reviewer_groups, session=instrument_session(requests.Session(), "teams"))
    if transport == "teams_graph":
        from connectors.teams.graph_channel import TeamsGraphChannelNotifier

        return TeamsGraphChannelNotifier.from_config(settings.notify, settings.reviewer_groups, session=instrument_session(requests.Session(), "teams"))
    from connectors.console_notifier import ConsoleNotifier
    from connectors.teams.card import CardOptions

    return ConsoleNotifier(CardOptions.from_config(settings.notify))
