"""The reviewer loop: list, show, approve, reject and (re)assign escalated or held items.

Reviews are addressed by **item id** (the id ``status`` and ``quarantine`` use too): an
escalated item has one open review task; a held item has none until it is assigned.

* approve: delivers the saved draft through its source (``deliver(item_id, reviewer)``,
  in practice :meth:`agent.pipeline.Pipeline.deliver_saved_draft`, idempotent on the
  draft's key), then closes the task (``approved``). A failed delivery leaves the task
  open (the pipeline quarantines the item with the error). Edit and approve (the console):
  the reviewer's text becomes the item's newest draft (``provider`` ``reviewer``, the
  original kept) and is what gets delivered.
* reject: the item becomes ``rejected``, the task ``rejected`` with the reason (kept in
  ``review_tasks.reason``; the audit event holds only its sha256 and length).
* assign: moves an open task to another group (it is notified again, SLA restarts), or
  turns a held item into an escalation for that group.

Every action appends a ``reviewed`` audit event whose actor is the reviewer's name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from agent.config import Settings
from agent.errors import DraftguardError
from jobs.risk_view import record_of_row
from storage import audit
from storage.models import (
    AuditEvent,
    Decision,
    Draft,
    FindingRow,
    Item,
    ItemState,
    ReviewTask,
    RiskAssessmentRow,
)

REVIEWABLE = (ItemState.ESCALATED, ItemState.HELD)
MAX_ACTOR = 200
#: the longest edited draft a reviewer may approve (characters)
MAX_EDITED_CHARS = 50_000
#: ``drafts.provider`` of a reviewer's edited draft
EDITED_PROVIDER = "reviewer"


class ReviewError(DraftguardError):
    """A review action that cannot be done (unknown item, wrong state, unknown group)."""


@dataclass
class ReviewRow:
    """One line of ``review list``."""

    item_id: int
    state: str
    source: str
    group: str | None
    rule_id: str | None
    task_id: int | None
    task_status: str | None
    subject: str | None
    created_at: datetime
    notified: bool
    reminders: int
    reviewer: str | None = None


@dataclass
class ReviewDetail:
    """Everything ``review show`` prints for one item."""

    row: ReviewRow
    draft: dict | None
    draft_text: str | None
    findings: list[dict]
    decision: dict | None
    link: str | None
    notify_error: str | None
    reason: str | None
    history: list[dict] = field(default_factory=list)
    risk: dict | None = None  # the latest risk assessment (jobs/risk_view.py record), None before the risk stage


@dataclass
class ReviewResult:
    """What an action did: the item's new state and the task touched."""

    item_id: int
    action: str
    state: str
    task_id: int | None


def _utc(dt: datetime | None) -> datetime | None:
    return dt.replace(tzinfo=UTC) if dt is not None and dt.tzinfo is None else dt


def _transition(s: Session, item_id: int, to_state: str, verb: str) -> None:
    """Move an escalated/held item to ``to_state`` with one conditional UPDATE (compare-and-set),
    so two reviewers (or approve and reject) racing on one item cannot both win.

    Raises ReviewError when the item left the reviewable states in the meantime."""
    done = s.execute(
        update(Item).where(Item.id == item_id, Item.state.in_(REVIEWABLE)).values(state=to_state).execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise ReviewError(f"item {item_id} was changed by another reviewer or run; it can no longer be {verb}")


def _get_item(s, item_id: int, *, reviewable_for: str | None = None) -> Item:
    """The item, or ReviewError; with ``reviewable_for`` (a verb) it must be escalated or held."""
    item = s.get(Item, item_id)
    if item is None:
        raise ReviewError(f"no item with id {item_id}")
    if reviewable_for and item.state not in REVIEWABLE:
        raise ReviewError(f"item {item_id} is {item.state}: only escalated or held items can be {reviewable_for}")
    return item


def _latest_task(s: Session, item_id: int, *, open_only: bool = False) -> ReviewTask | None:
    q = select(ReviewTask).where(ReviewTask.item_id == item_id)
    if open_only:
        q = q.where(ReviewTask.status == "open")
    return s.execute(q.order_by(ReviewTask.id.desc()).limit(1)).scalar_one_or_none()


def _latest(s: Session, model, item_id: int):
    return s.execute(select(model).where(model.item_id == item_id).order_by(model.id.desc()).limit(1)).scalar_one_or_none()


def _row(item: Item, task: ReviewTask | None, decision: Decision | None) -> ReviewRow:
    snap = (task.escalation or {}) if task else {}
    return ReviewRow(
        item_id=item.id,
        state=item.state,
        source=item.source,
        group=task.group if task else (decision.group if decision else None),
        rule_id=task.rule_id if task else (decision.rule_id if decision else None),
        task_id=task.id if task else None,
        task_status=task.status if task else None,
        subject=snap.get("subject"),
        created_at=_utc(task.created_at if task else item.updated_at),
        notified=bool(task and task.notified_at),
        reminders=(task.reminder_count or 0) if task else 0,
        reviewer=task.reviewer if task else None,
    )


def list_reviews(session_factory: sessionmaker[Session], *, group: str | None = None, include_closed: bool = False) -> list[ReviewRow]:
    """Escalated and held items (oldest first); ``include_closed`` adds approved/rejected ones."""
    states = [*REVIEWABLE, ItemState.REJECTED, ItemState.DRAFTED] if include_closed else list(REVIEWABLE)
    rows: list[ReviewRow] = []
    with session_factory() as s:
        items = s.execute(select(Item).where(Item.state.in_(states)).order_by(Item.id)).scalars().all()
        for item in items:
            task = _latest_task(s, item.id)
            if item.state == ItemState.DRAFTED and task is None:
                continue  # drafted without review: not a review
            row = _row(item, task, _latest(s, Decision, item.id))
            if group and row.group != group:
                continue
            rows.append(row)
    rows.sort(key=lambda r: r.created_at or datetime.min.replace(tzinfo=UTC))
    return rows


def show_review(session_factory: sessionmaker[Session], item_id: int) -> ReviewDetail:
    """Details of one item's review: draft (text unless purged), findings, decision, history.

    Raises ReviewError when there is no such item."""
    with session_factory() as s:
        item = _get_item(s, item_id)
        task = _latest_task(s, item_id)
        decision = _latest(s, Decision, item_id)
        draft = _latest(s, Draft, item_id)
        findings = s.execute(select(FindingRow).where(FindingRow.item_id == item_id).order_by(FindingRow.id)).scalars().all()
        history = s.execute(select(AuditEvent).where(AuditEvent.item_id == item_id).order_by(AuditEvent.seq)).scalars().all()
        risk = _latest(s, RiskAssessmentRow, item_id)
        return ReviewDetail(
            row=_row(item, task, decision),
            draft=None
            if draft is None
            else {
                "id": draft.id,
                "provider": draft.provider,
                "model": draft.model,
                "prompt_template_id": draft.prompt_template_id,
                "intent": draft.intent,
                "confidence": draft.confidence,
                "language": draft.language,
                "purged": draft.purged_at is not None,
                "citations": (draft.grounding or {}).get("citations") or [],  # knowledge articles cited: id, title, url (issue 14)
                "grounding": draft.grounding,  # snippets retrieved, citations, unknown citations, token budget, style
            },
            draft_text=draft.body_text if draft else None,
            findings=[{"rule_id": f.rule_id, "severity": f.severity, "target": f.target, "message": f.message} for f in findings],
            decision=None if decision is None else {"rule_id": decision.rule_id, "action": decision.action, "group": decision.group, "reasons": decision.reasons or []},
            link=((task.escalation or {}).get("link") if task else None),
            notify_error=task.notify_error if task else None,
            reason=task.reason if task else None,
            history=[{"seq": e.seq, "ts": e.ts, "event": e.event, "actor": e.actor, "data": e.data} for e in history],
            risk=None if risk is None else record_of_row(risk),
        )


def _check_reviewer(reviewer: str) -> str:
    reviewer = (reviewer or "").strip()
    if not reviewer:
        raise ReviewError("a reviewer name is required (--reviewer or DRAFTGUARD_REVIEWER)")
    if len(reviewer) > MAX_ACTOR:
        raise ReviewError(f"reviewer name longer than {MAX_ACTOR} characters")
    return reviewer


def _reviewed(s: Session, item: Item, reviewer: str, data: dict) -> None:
    audit.append(s, "reviewed", correlation_id=item.correlation_id, item_id=item.id, actor=reviewer, data=data)


def runtime_deliver(rt) -> Callable[[int, str], str]:
    """The ``deliver(item_id, reviewer)`` of :func:`approve` over a bootstrapped runtime
    (``jobs.bootstrap.Runtime``): fetch the item's message from its source and deliver the
    saved draft with the reviewer as actor. Shared by ``main.py review approve`` and the console.

    Raises ReviewError when the item's source is no longer configured."""

    def deliver(item_id: int, who: str) -> str:
        with rt.session_factory() as s:
            item = s.get(Item, item_id)
            source_name, external_id = item.source, item.external_id
        try:
            source = rt.source(source_name)
        except KeyError as exc:
            raise ReviewError(exc.args[0]) from None
        msg = source.fetch(external_id)
        return rt.pipeline.deliver_saved_draft(source, msg, item_id, actor=who)

    return deliver


def _edited_body(text: str | None) -> str | None:
    """A reviewer's edited draft: line ends normalised, trailing spaces kept; None when not
    edited. Raises ReviewError when it is empty or longer than :data:`MAX_EDITED_CHARS`."""
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ReviewError("the edited draft is empty: write the reply, or reject the item with a reason")
    if len(text) > MAX_EDITED_CHARS:
        raise ReviewError(f"the edited draft is longer than {MAX_EDITED_CHARS} characters")
    return text


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _save_edit(s: Session, item_id: int, reviewer: str, edited: str) -> dict | None:
    """Store the reviewer's edited text as the item's newest draft (what delivery takes), with
    the original's provenance and ``provider`` ``reviewer``; append a ``reviewed`` event
    ``edit`` with both hashes. Returns the event's data, None when the text is unchanged."""
    original = _latest(s, Draft, item_id)
    if original is None:
        raise ReviewError(f"item {item_id} has no draft to edit")
    if original.body_text is not None and original.body_text.replace("\r\n", "\n") == edited:
        return None
    draft = Draft(
        item_id=item_id,
        provider=EDITED_PROVIDER,
        model=original.model,
        prompt_template_id=original.prompt_template_id,
        prompt_hash=original.prompt_hash,
        intent=original.intent,
        confidence=original.confidence,
        language=original.language,
        body_text=edited,
        body_html=None,  # delivery renders the text (agent/reply.py text_to_html): the reviewer wrote text
        body_sha256=_sha(edited),
        placeholder_map=None,
        grounding=original.grounding,  # the snippets and citations the reviewer's text started from
    )
    s.add(draft)
    s.flush()
    from rapidfuzz import fuzz

    data = {
        "action": "edit",
        "original_draft_id": original.id,
        "edited_draft_id": draft.id,
        "original_sha256": original.body_sha256,
        "edited_sha256": draft.body_sha256,
        "edited_chars": len(edited),
        "similarity": round(fuzz.ratio(original.body_text or "", edited) / 100, 4),
    }
    item = s.get(Item, item_id)
    _reviewed(s, item, reviewer, data)
    return data


def approve(
    session_factory: sessionmaker[Session],
    item_id: int,
    reviewer: str,
    *,
    deliver: Callable[[int, str], str],
    edited_text: str | None = None,
) -> ReviewResult:
    """Deliver the held/escalated draft of ``item_id`` and close its review as approved.

    ``deliver(item_id, reviewer)`` returns the item's state after delivery (``drafted``
    on success). With ``edited_text`` (edit and approve), the reviewer's text is saved as the
    item's newest draft in the same transaction that claims the item (so only the winning
    reviewer's text exists), audited as a ``reviewed`` ``edit`` event with the original's and
    the edited text's sha256, and is what gets delivered; the original draft row is kept.
    An item already ``drafted`` with its review still open (an earlier approve stopped before
    closing it) is only closed: an ``edited_text`` that differs from the delivered draft raises
    ReviewError (it could not be delivered) and changes nothing.
    Raises ReviewError for a wrong state, an empty edit, an edit of an already delivered item or a
    failed delivery."""
    reviewer = _check_reviewer(reviewer)
    edited = _edited_body(edited_text)
    edit: dict | None = None
    with session_factory() as s:
        item = _get_item(s, item_id)
        state = item.state
        task = _latest_task(s, item_id, open_only=True)
        if state == ItemState.DRAFTED and task is not None:
            # delivered by an earlier approve that stopped before closing the task: closing it is
            # all that is left, so an edited text that differs from what went out cannot be honoured
            delivered = _latest(s, Draft, item_id)
            sent = (delivered.body_text or "").replace("\r\n", "\n") if delivered is not None else None
            if edited is not None and edited != sent:
                raise ReviewError(
                    f"item {item_id} was already delivered with its saved draft (an earlier approval did not close the review): "
                    "your edited text was NOT delivered; approve without edits to close the review"
                )
        elif state not in REVIEWABLE:
            raise ReviewError(f"item {item_id} is {state}: only escalated or held items can be approved")
    if state != ItemState.DRAFTED:
        with session_factory() as s:  # claim it: a concurrent reject or approve now fails
            _transition(s, item_id, ItemState.ROUTED, "approved")
            if edited is not None:
                edit = _save_edit(s, item_id, reviewer, edited)
            s.commit()
        state = deliver(item_id, reviewer)
        if state != ItemState.DRAFTED:
            raise ReviewError(f"item {item_id}: delivery failed (item is now {state}; see `main.py status`); the review stays open")
    now = datetime.now(UTC)
    with session_factory() as s:
        item = s.get(Item, item_id)
        task = _latest_task(s, item_id, open_only=True)
        if task is not None:
            task.status, task.reviewer, task.resolved_at = "approved", reviewer, now
        data = {"action": "approve", "review_task_id": task.id if task else None, "state": item.state}
        if edit is not None:
            data.update(edited_draft_id=edit["edited_draft_id"], edited_sha256=edit["edited_sha256"])
        _reviewed(s, item, reviewer, data)
        s.commit()
        return ReviewResult(item_id, "approve", item.state, task.id if task else None)


def reject(session_factory: sessionmaker[Session], item_id: int, reviewer: str, reason: str) -> ReviewResult:
    """Reject the draft of an escalated/held item: item ``rejected``, reason kept on the task."""
    reviewer = _check_reviewer(reviewer)
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("a reason is required (--reason)")
    now = datetime.now(UTC)
    with session_factory() as s:
        item = _get_item(s, item_id, reviewable_for="rejected")
        task = _latest_task(s, item_id, open_only=True)
        if task is None:  # a held item: record the decision on a closed task
            decision = _latest(s, Decision, item_id)
            draft = _latest(s, Draft, item_id)
            task = ReviewTask(
                item_id=item_id,
                draft_id=draft.id if draft else None,
                group=(decision.group if decision and decision.group else "held"),
                rule_id=decision.rule_id if decision else "held",
                notified_at=now,
            )
            s.add(task)
        task.status, task.reviewer, task.reason, task.resolved_at = "rejected", reviewer, reason, now
        _transition(s, item_id, ItemState.REJECTED, "rejected")
        s.flush()
        s.refresh(item)
        _reviewed(
            s,
            item,
            reviewer,
            {"action": "reject", "review_task_id": task.id, "reason_sha256": hashlib.sha256(reason.encode()).hexdigest(), "reason_chars": len(reason)},
        )
        s.commit()
        return ReviewResult(item_id, "reject", item.state, task.id)


def assign(session_factory: sessionmaker[Session], settings: Settings, item_id: int, group: str, reviewer: str) -> ReviewResult:
    """Move an item's open review to ``group`` (notified again), or escalate a held item to it.

    ``group`` must be one of ``reviewer_groups`` when any are configured."""
    reviewer = _check_reviewer(reviewer)
    known = [g.name for g in settings.reviewer_groups]
    if known and group not in known:
        raise ReviewError(f"unknown reviewer group {group!r} (configured: {', '.join(known)})")
    now = datetime.now(UTC)
    with session_factory() as s:
        item = _get_item(s, item_id, reviewable_for="assigned")
        task = _latest_task(s, item_id, open_only=True)
        previous = task.group if task else None
        if task is None:
            decision = _latest(s, Decision, item_id)
            draft = _latest(s, Draft, item_id)
            task = ReviewTask(item_id=item_id, draft_id=draft.id if draft else None, group=group, rule_id=decision.rule_id if decision else "held")
            s.add(task)
            item.state = ItemState.ESCALATED
        # notify the new group at the next outbox run; the SLA restarts
        task.group = group
        task.notified_at = None
        task.notification_ref = None
        task.notify_attempts = 0
        task.notify_error = None
        task.notify_next_at = now
        task.reminded_at = None
        task.reminder_count = 0
        s.flush()
        _reviewed(s, item, reviewer, {"action": "assign", "review_task_id": task.id, "from_group": previous, "to_group": group})
        s.commit()
        return ReviewResult(item_id, "assign", item.state, task.id)
