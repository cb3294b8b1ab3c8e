"""The recorder: the one place the pipeline reads and writes storage.

Every stage's outcome is written here with its audit event, in one transaction of the unit of
work (:class:`storage.repository.UnitOfWork`); the stages (``agent/stages/``) compute, the flow
(:mod:`agent.flow`) orders them, the runners (``agent/runners/``) schedule items, and none of them
opens a session. Transactions (see ARCHITECTURE.md): the arrival (+ ``ingested``) commits first;
the claim of an attempt next; the computed draft, its findings, risk assessment, decision and
their audit events together; the delivery after the connector confirms.

Writers: on SQLite every transaction begins ``IMMEDIATE`` (storage/db.py), so one writer holds
the database at a time, whatever the threads. The recorder serialises its transactions through
one lock (:attr:`Recorder.lock`, SQLite only) so threads queue in order in the process instead
of polling SQLite's busy handler; no transaction here calls a source or a model, except the
reviewer notification (:func:`agent.escalation.notify_review_task`, which has always sent inside
its transaction so ``notified_at`` and the audit event commit with the send). PostgreSQL needs no
lock: the audit head row (``FOR UPDATE``) orders the appends, other rows are per item.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from agent.config import Settings
from agent.errors import BadInputError, SourceThrottledError
from agent.escalation import notify_review_task
from agent.grounding import grounding_audit
from agent.models import Action, DeliveryReceipt, InboundMessage, RoutingDecision, SkipReason
from agent.pause import SourcePause, active_pauses
from agent.ports import BadItem, Notifier
from agent.stages.types import DUPLICATE, STILL_QUARANTINED, Analysis, Arrival, Claim, SavedDraft, StoredRisk
from rules.policy import PolicyPack
from storage.models import (
    Decision,
    Delivery,
    Draft,
    FindingRow,
    Item,
    ItemState,
    ReviewTask,
    RiskAssessmentRow,
    utcnow,
)
from storage.release import record_variant_use
from storage.repository import UnitOfWork, aware

log = logging.getLogger("draftguard.pipeline")


def _finished(item: Item) -> str:
    return STILL_QUARANTINED if item.state == ItemState.QUARANTINED else DUPLICATE


class Recorder:
    """Writes the pipeline's outcomes through the unit of work; thread-safe (see module doc)."""

    def __init__(self, session_factory: sessionmaker[Session], settings: Settings, *, policy: PolicyPack, notifier: Notifier) -> None:
        self.sf = session_factory
        self.settings = settings
        self.policy = policy
        self.notifier = notifier
        bind = session_factory.kw.get("bind")
        sqlite = bind is None or bind.dialect.name == "sqlite"
        #: held around every transaction on SQLite (one writer); None on PostgreSQL
        self.lock: threading.RLock | None = threading.RLock() if sqlite else None

    @contextlib.contextmanager
    def _serial(self) -> Iterator[None]:
        if self.lock is None:
            yield
        else:
            with self.lock:
                yield

    @contextlib.contextmanager
    def _uow(self) -> Iterator[UnitOfWork]:
        with self._serial(), UnitOfWork(self.sf) as uow:
            yield uow

    @contextlib.contextmanager
    def _read(self) -> Iterator[Session]:
        with self._serial(), self.sf() as s:
            yield s

    # ------------------------------------------------------------------ pauses
    def source_pause(self, source_name: str) -> SourcePause | None:
        """The pause of ``source_name`` in force now, with its waiting items, else None.

        An ended pause is cleared here (audited ``source_resumed``), so the run that calls
        this after the end resumes the waiting items."""
        with self._uow() as uow:
            pauses = active_pauses(uow, source_name)
            if pauses:
                return pauses[0]
            if uow.lift_pause(source_name):
                uow.audit("source_resumed", None, {"source": source_name})
                uow.commit()
                log.info("%s: pause over, resuming", source_name)
        return None

    def pause_source(self, source_name: str, exc: SourceThrottledError, item_id: int | None = None, stage: str = "poll") -> None:
        """Keep the pause of ``exc`` (``until``, ``reason``) for ``source_name``, audited
        ``source_paused`` (on the item that met it, if any). A missing or naive ``until`` is
        read as UTC; a pause already in force that ends later is kept."""
        until = aware(exc.until if isinstance(exc.until, datetime) else datetime.now(UTC))
        reason = str(getattr(exc, "reason", "") or exc)
        for _ in range(2):  # a concurrent first insert of the row: try once more
            with self._uow() as uow:
                row = uow.pause_source(source_name, until, reason)
                item = uow.item(item_id) if item_id is not None else None
                uow.audit("source_paused", item, {"source": source_name, "stage": stage, "until": aware(row.paused_until).isoformat(), "reason": row.pause_reason})
                try:
                    uow.commit()
                    break
                except IntegrityError:
                    uow.session.rollback()
        log.warning("%s paused until %s (%s)", source_name, until.isoformat(), reason)

    def item_paused(self, item_id: int, stage: str) -> None:
        """An item whose source refused work at ``stage`` (the pause is recorded by
        :meth:`pause_source`): give back the attempt it used; ``routed`` keeps its saved draft;
        an item refused while escalating (case actions) starts over as ``new`` with its review
        closed (no reviewer was told yet), so the run after the pause escalates it once."""
        with self._uow() as uow:
            item = uow.item(item_id)
            item.attempts = max(0, item.attempts - 1)
            if item.state != ItemState.ROUTED:
                item.state = ItemState.NEW
                uow.session.execute(
                    update(ReviewTask)
                    .where(ReviewTask.item_id == item_id, ReviewTask.status == "open")
                    .values(status="cancelled", reason=f"source paused at stage {stage}; escalated again when the pause ends", resolved_at=utcnow())
                )
            uow.commit()

    def give_back_attempt(self, item_id: int) -> None:
        """Undo the attempt count of an item that met a pause while delivering (it stays ``routed``)."""
        with self._uow() as uow:
            item = uow.item(item_id)
            item.attempts = max(0, item.attempts - 1)
            uow.commit()

    # ------------------------------------------------------------------ arrival and claim
    def arrive(self, msg: InboundMessage, *, waiting: bool = False) -> Arrival:
        """Record a polled message (stage 1, ingest): its item (unique on source + external id),
        audited ``ingested`` when new (``waiting``: its source is paused, it is not processed
        now). ``outcome`` is set when the item is already finished. Raises what the database
        raises for the message's values (the caller quarantines the entry)."""
        with self._uow() as uow:
            item, is_new = uow.claim_item(msg)
            if not is_new and item.state in ItemState.TERMINAL:
                return Arrival(item.id, item.correlation_id, item.state, False, _finished(item))
            if is_new:
                data = {"source": msg.source, "size_bytes": msg.size_bytes, "attachments": len(msg.attachments), "thread_messages": len(msg.thread)}
                if waiting:
                    data["waiting"] = "source paused"
                uow.audit("ingested", item, data)
            arrival = Arrival(item.id, item.correlation_id, item.state, is_new)
            uow.commit()
        return arrival

    def arrive_bad(self, bad: BadItem) -> str:
        """Quarantine an entry the source could not parse (kept, visible, never dropped); returns
        ``quarantined``, or :data:`DUPLICATE` / :data:`STILL_QUARANTINED` for a finished item."""
        with self._uow() as uow:
            item, is_new = uow.claim_bad_item(bad.source, bad.external_id)
            if not is_new and item.state in ItemState.TERMINAL:
                return _finished(item)
            if is_new:
                uow.audit("ingested", item, {"source": bad.source, "parse_error": True})
            uow.quarantine(item, "parse", BadInputError(f"{bad.source}/{bad.external_id}", bad.error), 1)
            uow.commit()
        log.warning("quarantined %s/%s at stage parse: %s", bad.source, bad.external_id, bad.error)
        return ItemState.QUARANTINED

    def claim(self, item_id: int, max_attempts: int) -> Claim:
        """Claim the item for one attempt: finished meanwhile → ``done``; ``routed`` → ``deliver``
        (its saved draft; no attempt counted); else ``attempts`` + 1 and state ``processing``,
        or quarantined at stage ``ingest`` when earlier attempts died mid-item ``max_attempts``
        times (never retried forever)."""
        with self._uow() as uow:
            item = uow.item(item_id)
            if item.state in ItemState.TERMINAL:
                return Claim(item.id, item.correlation_id, item.attempts, "done", _finished(item))
            if item.state == ItemState.ROUTED:
                return Claim(item.id, item.correlation_id, item.attempts, "deliver")
            item.attempts += 1
            if item.attempts > max_attempts:
                uow.quarantine(item, "ingest", RuntimeError(f"gave up after {item.attempts - 1} interrupted attempts"), item.attempts - 1)
                uow.commit()
                return Claim(item.id, item.correlation_id, item.attempts - 1, "done", ItemState.QUARANTINED)
            item.state = ItemState.PROCESSING
            claim = Claim(item.id, item.correlation_id, item.attempts, "process")
            uow.commit()
        return claim

    def pending(self, source_name: str) -> list[tuple[int, str, str, str]]:
        """(item id, external id, state, correlation id) of the source's items an earlier run left open:
        ``routed`` (saved draft to deliver), ``new`` (released, or waiting out a pause),
        ``processing`` (a run died mid-item); oldest first."""
        open_states = (ItemState.ROUTED, ItemState.NEW, ItemState.PROCESSING)
        with self._read() as s:
            rows = s.execute(
                select(Item.id, Item.external_id, Item.state, Item.correlation_id)
                .where(Item.source == source_name, Item.state.in_(open_states))
                .order_by(Item.id)
            ).all()
        return [(i, e, st, c) for i, e, st, c in rows]

    def item_ref(self, item_id: int) -> tuple[str, str, str, str] | None:
        """(source name, external id, state, correlation id) of item ``item_id``, or None when
        there is no such item (a worker of the distributed mode is handed only the id)."""
        with self._read() as s:
            row = s.execute(select(Item.source, Item.external_id, Item.state, Item.correlation_id).where(Item.id == item_id)).first()
        return None if row is None else (row[0], row[1], row[2], row[3])

    # ------------------------------------------------------------------ outcomes
    def quarantined(self, item_id: int, stage: str, exc: BaseException | str, attempts: int | None = None) -> str:
        """Quarantine the item at ``stage`` with ``exc`` (its summary, never message text) after
        ``attempts`` tries (None: the item's own count); returns ``quarantined``."""
        with self._uow() as uow:
            item = uow.item(item_id)
            uow.quarantine(item, stage, exc, item.attempts if attempts is None else attempts)
            uow.commit()
        return ItemState.QUARANTINED

    def skipped(self, item_id: int, reason: SkipReason) -> str:
        """Record a skip by rule (stage 2), audited ``skipped``; returns ``skipped``."""
        with self._uow() as uow:
            item = uow.item(item_id)
            item.state = ItemState.SKIPPED
            item.skip_rule = reason.rule
            uow.audit("skipped", item, {"rule": reason.rule})
            uow.commit()
        return ItemState.SKIPPED

    def decided(self, item_id: int, decision: RoutingDecision, *, draft_id: int | None = None, **audit_extra) -> str:
        """Record a routing decision on its own (stage 3a, before drafting); returns the new state."""
        with self._uow() as uow:
            state = self._apply_decision(uow, uow.item(item_id), draft_id, decision, **audit_extra)
            uow.commit()
        return state

    def analysed(self, item_id: int, a: Analysis, *, skip_refused: list[dict] | None = None) -> str:
        """Record an :class:`Analysis` in one transaction (stages 5-10): ``redacted``, ``prompted``,
        the draft row and ``drafted``, findings and ``checked``, the risk assessment and
        ``risk_assessed``, the decision (``routed``, with ``skip_refused``: ids and scores of
        refused skips) and for an escalation the review task and ``escalated``. Returns the
        item's new state."""
        d = a.draft
        policy = a.variant.policy if a.variant is not None else self.policy  # the pack that checked this draft
        with self._uow() as uow:
            item = uow.item(item_id)
            uow.audit("redacted", item, {"entities": a.redacted.placeholders.entity_counts(), "language": a.context.language})
            uow.audit(
                "prompted",
                item,
                {
                    "template_id": a.prompt.template_id,
                    "template_sha256": a.prompt.template_hash,
                    "prompt_chars": len(a.prompt.user),
                    "outbound": a.outbound.as_audit(),  # types and counts only
                },
            )
            body_hash = hashlib.sha256(a.restored_text.encode()).hexdigest()
            row = Draft(
                item_id=item.id,
                provider=d.provider,
                model=d.model,
                prompt_template_id=d.prompt_template_id,
                prompt_hash=d.prompt_hash,
                prompt_tokens=d.prompt_tokens,
                completion_tokens=d.completion_tokens,
                latency_ms=d.latency_ms,
                fallback_used=d.fallback_used,
                fallback_reason=d.fallback_reason,
                intent=d.output.intent,
                confidence=d.output.confidence,
                language=a.draft_language,
                body_text=a.restored_text,
                body_html=a.reply.html,
                body_sha256=body_hash,
                placeholder_map=a.redacted.placeholders.mapping,
                grounding=a.grounding,
            )
            uow.session.add(row)
            uow.session.flush()
            uow.audit(
                "drafted",
                item,
                {
                    "draft_id": row.id,
                    "provider": d.provider,
                    "model": d.model,
                    "prompt_template_id": d.prompt_template_id,
                    "prompt_sha256": d.prompt_hash,
                    "prompt_tokens": d.prompt_tokens,
                    "completion_tokens": d.completion_tokens,
                    "latency_ms": d.latency_ms,
                    "fallback_used": d.fallback_used,
                    "intent": d.output.intent,
                    "body_sha256": body_hash,
                    "disclosures_added": list(a.disclosure.added) if a.disclosure else [],  # pack rule ids, no text
                    **grounding_audit(a.grounding),  # snippet ids cited / retrieved, token budget counts (issue 14); no text
                    **record_variant_use(uow.session, item, row, a, shadow=self.settings.shadow(item.source)),  # variant, shadow, registry hashes
                },
            )
            for f in a.findings:
                uow.session.add(
                    FindingRow(
                        item_id=item.id,
                        draft_id=row.id,
                        rule_id=f.rule_id,
                        severity=f.severity.name,
                        target=f.target,
                        span_start=f.start,
                        span_end=f.end,
                        excerpt=f.excerpt,
                        message=f.message,
                        pack_version=policy.version,
                    )
                )
            uow.audit(
                "checked",
                item,
                {"pack": policy.name, "pack_version": policy.version, "findings": [[f.rule_id, f.severity.name] for f in a.findings]},
            )
            if a.risk is not None:
                risk_row = RiskAssessmentRow(
                    item_id=item.id,
                    draft_id=row.id,
                    score=a.risk.assessment.score,
                    must_review=a.risk.must_review,
                    categories=a.risk.categories(),
                    evidence=a.risk.evidence(),
                    detail=a.risk.detail(),
                )
                uow.session.add(risk_row)
                uow.session.flush()
                uow.audit("risk_assessed", item, {"risk_assessment_id": risk_row.id, "draft_id": row.id, **a.risk.audit()})
            state = self._apply_decision(uow, item, row.id, a.decision, **({"skip_refused": skip_refused} if skip_refused else {}))
            uow.commit()
        return state

    def _apply_decision(self, uow: UnitOfWork, item: Item, draft_id: int | None, dec: RoutingDecision, **audit_extra) -> str:
        """Record ``dec`` for ``item`` in ``uow`` (decision row, ``routed`` event with
        ``audit_extra``, the state; for escalate the review task and ``escalated``); returns the
        new state. The caller commits.

        A shadow source's item (``mode = "shadow"``, docs/release.md) keeps its decision row, but a
        draft, hold or escalate decision is audited ``shadowed`` and the item ends ``shadow``: no
        review task, no reviewer notification, nothing placed, no acting event."""
        uow.session.add(Decision(item_id=item.id, draft_id=draft_id, action=dec.action.value, rule_id=dec.rule_id, group=dec.group, reasons=dec.reasons))
        if dec.action != Action.skip and self.settings.shadow(item.source):
            item.state = ItemState.SHADOW
            uow.audit("shadowed", item, {"rule_id": dec.rule_id, "action": dec.action.value, "group": dec.group, "draft_id": draft_id, **audit_extra})
            return item.state
        uow.audit("routed", item, {"rule_id": dec.rule_id, "action": dec.action.value, "group": dec.group, **audit_extra})
        if dec.action == Action.draft:
            item.state = ItemState.ROUTED
        elif dec.action == Action.hold:
            item.state = ItemState.HELD
        elif dec.action == Action.skip:
            item.state = ItemState.SKIPPED
            item.skip_rule = f"routing:{dec.rule_id}"[:100]
        else:
            item.state = ItemState.ESCALATED
            task = ReviewTask(item_id=item.id, draft_id=draft_id, group=dec.group or self.settings.routing.default_group, rule_id=dec.rule_id)
            uow.session.add(task)
            uow.session.flush()
            uow.audit("escalated", item, {"review_task_id": task.id, "group": task.group, "rule_id": dec.rule_id})
        return item.state

    # ------------------------------------------------------------------ delivery
    def shadowed(self, item_id: int, draft_id: int | None) -> str:
        """A saved draft of a source now in shadow mode is not delivered: the item ends ``shadow``
        (audited ``shadowed`` with ``before_delivery``); returns ``shadow``."""
        with self._uow() as uow:
            item = uow.item(item_id)
            item.state = ItemState.SHADOW
            uow.audit("shadowed", item, {"draft_id": draft_id, "before_delivery": True})
            uow.commit()
        return ItemState.SHADOW

    def saved_draft(self, item_id: int) -> SavedDraft | None:
        """The item's latest saved draft with its findings and whether a review is open; None
        when it has no draft."""
        with self._read() as s:
            draft = s.execute(select(Draft).where(Draft.item_id == item_id).order_by(Draft.id.desc()).limit(1)).scalar_one_or_none()
            if draft is None:
                return None
            findings = s.execute(select(FindingRow.rule_id, FindingRow.severity).where(FindingRow.draft_id == draft.id)).all()
            review_open = s.execute(select(ReviewTask.id).where(ReviewTask.item_id == item_id, ReviewTask.status == "open").limit(1)).first() is not None
            return SavedDraft(
                id=draft.id,
                body_text=draft.body_text,
                body_html=draft.body_html,
                language=draft.language,
                intent=draft.intent,
                confidence=draft.confidence,
                provider=draft.provider,
                fallback_used=draft.fallback_used,
                findings=tuple((r, sev) for r, sev in findings),
                review_open=review_open,
            )

    def saved_risk(self, item_id: int) -> StoredRisk | None:
        """The item's latest stored risk assessment, None when it has none (analysed before the
        risk stage existed)."""
        with self._read() as s:
            row = s.execute(
                select(RiskAssessmentRow).where(RiskAssessmentRow.item_id == item_id).order_by(RiskAssessmentRow.id.desc()).limit(1)
            ).scalar_one_or_none()
            if row is None:
                return None
            return StoredRisk([(c["id"], float(c["score"])) for c in row.categories], float(row.score), bool(row.must_review))

    def rerouted(self, item_id: int, draft_id: int, dec: RoutingDecision) -> tuple[str, str | None]:
        """Apply ``dec`` instead of delivering the saved draft (audited ``routed`` with
        ``rerouted_from`` = the rule of the decision it replaces, ``before_delivery``); returns
        (new state, that rule)."""
        with self._uow() as uow:
            item = uow.item(item_id)
            before = uow.session.execute(select(Decision.rule_id).where(Decision.item_id == item_id).order_by(Decision.id.desc()).limit(1)).scalar_one_or_none()
            state = self._apply_decision(uow, item, draft_id, dec, rerouted_from=before, before_delivery=True)
            uow.commit()
        return state, before

    def delivered(self, item_id: int, draft_id: int, key: str, receipt: DeliveryReceipt, *, actor: str) -> str:
        """Record the delivery the connector confirmed (row unique on ``key``, state ``drafted``,
        audited ``delivered`` by ``actor``). Another process that recorded the same key first
        (a reviewer's approve, a resuming run) wins: both landed on the same draft."""
        with self._uow() as uow:
            item = uow.item(item_id)
            if uow.delivery_by_key(key) is None:
                uow.session.add(
                    Delivery(item_id=item.id, draft_id=draft_id, idempotency_key=key, target=receipt.target, target_ref=receipt.ref, created=receipt.created)
                )
            item.state = ItemState.DRAFTED
            uow.audit("delivered", item, {"target": receipt.target, "idempotency_key": key, "created": receipt.created, "draft_id": draft_id}, actor=actor)
            try:
                uow.commit()
            except IntegrityError:
                # Another process (a reviewer's approve, a resuming run) recorded this delivery
                # first; the connector's look-before-write made both land on the same draft.
                uow.session.rollback()
                log.info("delivery %s was recorded by another process", key)
        return ItemState.DRAFTED

    # ------------------------------------------------------------------ escalation
    def case_actions(self, item_id: int, actions: dict[str, str], done: list[str]) -> None:
        """Audit the escalation's case actions (``case_actions``: names and count, no values)."""
        with self._uow() as uow:
            uow.audit("case_actions", uow.item(item_id), {"actions": sorted(actions), "done": len(done)})
            uow.commit()

    def notify(self, item_id: int, msg: InboundMessage) -> bool:
        """Send the reviewer notification of the item's open review task once
        (:func:`agent.escalation.notify_review_task`); a failure stays on the task for the
        notification job. True when a notification went out."""
        with self._serial():
            return notify_review_task(
                self.sf,
                self.notifier,
                item_id=item_id,
                subject=msg.subject,
                sender=msg.sender.email,
                link=msg.link,
                retry_after_seconds=self.settings.notify.retry_base_seconds,
            )
