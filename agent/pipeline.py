"""The pipeline for one item, and a run over one source.

ingest (dedupe on source + external id) → skip check → context → redact → prompt →
draft (model or template) → restore → policy checks → risk assessment → route → deliver / escalate.

Transactions: the claim (+ ``ingested``) commits first; the computed draft, its
findings, the decision and their audit events commit together; the delivery and
its audit event commit after the connector confirms. A crash between the
connector's answer and that commit leaves the item ``routed``; the next run
re-delivers the *saved* draft with the same idempotency key, and the connector's
look-before-write finds the first copy: never two drafts.

Failures: transient errors (network, throttling) are retried with exponential
backoff (tenacity) up to ``limits.item_attempts``; anything else, or the last
failure, quarantines the item with its stage and error. A failing item never
stops the run. An item that crashed the process repeatedly is quarantined once
its attempt count passes the limit, so nothing is retried forever.

Pauses: a source that refuses work for a while (:class:`SourceThrottledError`, e.g.
Salesforce ``REQUEST_LIMIT_EXCEEDED``) is paused until the error's ``until``, kept in
``source_state`` so every later run and the service honour it. The item that met the
refusal stays pending (``routed`` keeps its saved draft; an item whose case actions
were refused starts over as ``new``), costs no attempt, and the rest of that poll is
recorded as ``new`` without calling the source. The first run after the pause resumes
them all (:meth:`Pipeline._resume_pending`).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from agent import attachments_only as attachments
from agent import skip_guard
from agent.config import Settings
from agent.context import build_context
from agent.disclosure import DisclosureStep, add_required_disclosures, added_findings
from agent.drafting import Drafter
from agent.error_text import error_text, stack_text
from agent.errors import BadInputError, DraftguardError, SourceError, SourceThrottledError, StorageFullError
from agent.escalation import notify_review_task
from agent.formatting import text_to_html
from agent.header_guard import header_text, inbound_check_text, restore_for_draft
from agent.language import detect_language
from agent.model_answer import without_model_chatter
from agent.models import (
    Action,
    DraftResult,
    Finding,
    InboundMessage,
    ItemContext,
    Prompt,
    RedactedContext,
    ReplyDraft,
    RoutingDecision,
    SkipReason,
)
from agent.outbound_guard import OutboundGuard, OutboundReport, outbound_decision, outbound_findings
from agent.pause import SourcePause, active_pauses
from agent.ports import BadItem, CursorStore, Notifier, Source
from agent.prompts import render_prompt
from agent.redaction import Redactor
from agent.reply import greeting_name, idempotency_key, reply_recipients, reply_subject
from agent.risk import RiskResult, RiskStage, SkipCheck, enforce, local_assessment, ranked_categories
from rules.draft_safety import DraftCheckFacts
from rules.policy import PolicyPack
from rules.routing import Router, pre_draft_facts, risk_facts, routing_facts, saved_draft_facts
from rules.skip import skip_reason
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
from storage.repository import UnitOfWork, aware, fit

log = logging.getLogger("draftguard.pipeline")

NER_ENTITIES = frozenset({"PERSON", "LOCATION", "ORGANIZATION", "NRP", "DATE_TIME"})  # found by spaCy, not patterns
EXTERNAL_ID_MAX = 500  # items.external_id column width
DUPLICATE = "duplicate"  # outcome of a poll that saw an item already finished
STILL_QUARANTINED = "still_quarantined"  # outcome of a poll that saw an item waiting in quarantine
PAUSED = "paused"  # outcome: the item's source is paused; the item waits, pending, for the pause to end
DRAFTING_OFF = "drafting_off"  # skip rule id: the source's config says drafting = false


@dataclass
class RunSummary:
    """Counts per outcome for one run over one or more sources; ``seconds`` is wall time;
    ``pauses`` are the sources paused at the end of the run, by name; ``circuit_open_drafts``
    counts items the template drafter wrote because the model's circuit breaker was open."""

    counts: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    pauses: dict[str, SourcePause] = field(default_factory=dict)
    circuit_open_drafts: int = 0

    @property
    def seen(self) -> int:
        return sum(self.counts.values())

    def add(self, outcome: str) -> None:
        self.counts[outcome] += 1

    def merge(self, other: RunSummary) -> None:
        self.counts.update(other.counts)
        self.seconds += other.seconds
        self.pauses.update(other.pauses)
        self.circuit_open_drafts += other.circuit_open_drafts

    def model_line(self) -> str | None:
        """``"model unavailable: 37 items drafted by the template drafter (circuit open)"``, or
        None when the circuit breaker kept no item from the model in this run."""
        n = self.circuit_open_drafts
        if not n:
            return None
        return f"model unavailable: {n} item{'s' if n != 1 else ''} drafted by the template drafter (circuit open)"


@dataclass
class Analysis:
    """Everything the pipeline computed for one item before routing (used by dry runs too)."""

    context: ItemContext
    redacted: RedactedContext
    prompt: Prompt
    draft: DraftResult
    restored_text: str
    unknown_placeholders: list[str]
    draft_language: str
    findings: list[Finding]
    facts: dict
    decision: RoutingDecision
    reply: ReplyDraft
    outbound: OutboundReport = field(default_factory=OutboundReport)  # the last check on the model request
    risk: RiskResult | None = None  # the risk assessment (agent/risk.py); always set by Pipeline.analyse
    disclosure: DisclosureStep | None = None  # the pack's disclosures the system appended (agent/disclosure.py)


class Pipeline:
    """Processes items from sources through every stage. Build once per process (see jobs.bootstrap)."""

    def __init__(
        self,
        settings: Settings,
        session_factory: sessionmaker[Session],
        *,
        redactor_factory: Callable[[], Redactor],
        drafter: Drafter,
        policy: PolicyPack,
        router: Router,
        notifier: Notifier,
        cursors: CursorStore,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.settings = settings
        self.sf = session_factory
        self._redactor_factory = redactor_factory
        self._redactor: Redactor | None = None
        self.drafter = drafter
        self.policy = policy
        self.router = router
        self.notifier = notifier
        self.cursors = cursors
        self._sleep = sleep
        self.outbound = OutboundGuard.from_settings(settings)  # checks every model request (agent/outbound_guard.py)
        self.risk = RiskStage.from_settings(settings, drafter)  # risk assessment before routing (agent/risk.py)

    # ------------------------------------------------------------------ helpers
    @property
    def redactor(self) -> Redactor:
        """The Presidio redactor, built on first use. Raises RedactionError (fail closed)."""
        if self._redactor is None:
            self._redactor = self._redactor_factory()
        return self._redactor

    def prepare(self) -> None:
        """Build the redactor now (about 2 s), so a missing model fails the run before any item.

        Raises RedactionError (fail closed: no analyzer, nothing is processed)."""
        _ = self.redactor

    def _retrying(self) -> Retrying:
        lim = self.settings.limits
        return Retrying(
            stop=stop_after_attempt(lim.item_attempts),
            wait=wait_exponential_jitter(initial=lim.retry_initial_seconds, max=lim.retry_max_seconds),
            retry=retry_if_exception(lambda e: isinstance(e, DraftguardError) and e.transient),
            sleep=self._sleep,
            reraise=True,
        )

    def _own_addresses(self, source: Source) -> set[str]:
        own = {a.lower() for a in self.settings.organisation.own_addresses}
        own |= {a.lower() for a in getattr(source, "own_addresses", ())}
        return own

    # ------------------------------------------------------------------ runs
    def run_source(self, source: Source, on_item: Callable[[str], None] | None = None) -> RunSummary:
        """Poll ``source`` once and process every item it yields; resumes interrupted deliveries first.

        While the source is paused nothing is sent to it and the summary carries the pause
        (``summary.pauses[source.name]``). A refusal met in this run (``SourceThrottledError``
        from the poll, a fetch, a delivery or case actions) pauses the source: the item stays
        pending and the rest of the poll is recorded as ``new`` (outcome :data:`PAUSED`).
        Another poll failure (source down) is raised as SourceError after the items already
        yielded were processed; item failures never escape."""
        summary = RunSummary()
        started = time.perf_counter()
        open_before = self.drafter.circuit_open_drafts
        try:
            if self.source_pause(source.name) is None:
                self._run(source, summary, on_item)
            pause = self.source_pause(source.name)
            if pause is not None:
                summary.pauses[source.name] = pause
        finally:
            summary.seconds = time.perf_counter() - started
            summary.circuit_open_drafts = self.drafter.circuit_open_drafts - open_before
        return summary

    def _run(self, source: Source, summary: RunSummary, on_item: Callable[[str], None] | None) -> None:
        def count(outcome: str) -> None:
            summary.add(outcome)
            if on_item:
                on_item(outcome)

        resumed: set[str] = set()
        for external_id, outcome in self._resume_pending(source):
            resumed.add(external_id)
            count(outcome)
            if outcome == PAUSED:
                return
        paused = False
        try:
            for entry in source.poll(self.cursors):
                if entry.external_id in resumed:  # already counted above
                    continue
                if isinstance(entry, BadItem):
                    outcome = self.process_bad(entry)
                elif paused:
                    outcome = self._park(entry)
                else:
                    outcome = self._process_guarded(source, entry)
                    paused = outcome == PAUSED
                count(outcome)
        except SourceThrottledError as exc:
            self._pause_source(source.name, exc)

    # ------------------------------------------------------------------ pauses
    def source_pause(self, source_name: str) -> SourcePause | None:
        """The pause of ``source_name`` in force now, with its waiting items, else None.

        An ended pause is cleared here (audited ``source_resumed``), so the run that calls
        this after the end resumes the waiting items."""
        with UnitOfWork(self.sf) as uow:
            pauses = active_pauses(uow, source_name)
            if pauses:
                return pauses[0]
            if uow.lift_pause(source_name):
                uow.audit("source_resumed", None, {"source": source_name})
                uow.commit()
                log.info("%s: pause over, resuming", source_name)
        return None

    def _pause_source(self, source_name: str, exc: SourceThrottledError, item_id: int | None = None, stage: str = "poll") -> None:
        """Keep the pause of ``exc`` (``until``, ``reason``) for ``source_name``, audited
        ``source_paused`` (on the item that met it, if any). A missing or naive ``until`` is
        read as UTC; a pause already in force that ends later is kept."""
        until = exc.until if isinstance(exc.until, datetime) else datetime.now(UTC)
        until = aware(until)
        reason = str(getattr(exc, "reason", "") or exc)
        for _ in range(2):  # a concurrent first insert of the row: try once more
            with UnitOfWork(self.sf) as uow:
                row = uow.pause_source(source_name, until, reason)
                item = uow.item(item_id) if item_id is not None else None
                uow.audit("source_paused", item, {"source": source_name, "stage": stage, "until": aware(row.paused_until).isoformat(), "reason": row.pause_reason})
                try:
                    uow.commit()
                    break
                except IntegrityError:
                    uow.session.rollback()
        log.warning("%s paused until %s (%s)", source_name, until.isoformat(), reason)

    def _park(self, msg: InboundMessage) -> str:
        """Record a polled message as ``new`` without processing it (its source is paused);
        the first run after the pause re-reads and processes it."""
        if len(msg.external_id) > EXTERNAL_ID_MAX:
            return self.process_bad(BadItem(msg.source, fit(msg.external_id, EXTERNAL_ID_MAX), f"external id longer than {EXTERNAL_ID_MAX} characters"))
        with UnitOfWork(self.sf) as uow:
            item, is_new = uow.claim_item(msg)
            if not is_new and item.state in ItemState.TERMINAL:
                return STILL_QUARANTINED if item.state == ItemState.QUARANTINED else DUPLICATE
            if is_new:
                uow.audit("ingested", item, {"source": msg.source, "size_bytes": msg.size_bytes, "attachments": len(msg.attachments), "thread_messages": len(msg.thread), "waiting": "source paused"})
            uow.commit()
        return PAUSED

    def _paused_item(self, source_name: str, item_id: int, exc: SourceThrottledError, stage: str) -> str:
        """An item whose source refused work at ``stage``: pause the source, keep the item
        pending and give back the attempt it used. ``routed`` keeps its saved draft; an item
        refused while escalating (case actions) starts over as ``new`` with its review closed
        (no reviewer was told yet), so the run after the pause escalates it once."""
        self._pause_source(source_name, exc, item_id, stage)
        with UnitOfWork(self.sf) as uow:
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
        return PAUSED

    def _resume_pending(self, source: Source) -> Iterable[tuple[str, str]]:
        """Finish what earlier runs left open, yielding ``(external id, outcome)``: items left
        ``routed`` get their saved draft delivered; items ``new`` (released from quarantine) or
        ``processing`` (a run died mid-item) are re-read and processed again. Sources with a
        cursor (delta link, watermark) would never yield them again on their own."""
        open_states = (ItemState.ROUTED, ItemState.NEW, ItemState.PROCESSING)
        with self.sf() as s:
            pending = s.execute(
                select(Item.id, Item.external_id, Item.state).where(Item.source == source.name, Item.state.in_(open_states)).order_by(Item.id)
            ).all()
        for item_id, external_id, state in pending:
            try:
                msg = source.fetch(external_id)
            except SourceThrottledError as exc:  # refused for a while: everything stays pending
                self._pause_source(source.name, exc, item_id, "resume")
                yield external_id, PAUSED
                return
            except StorageFullError:  # not the item's fault: the run ends (exit 4), the item stays pending
                raise
            except Exception as exc:  # gone, unreadable or a connector bug: quarantine, keep going
                stage = "parse" if isinstance(exc, BadInputError) else "resume"
                with UnitOfWork(self.sf) as uow:
                    item = uow.item(item_id)
                    uow.quarantine(item, stage, exc, item.attempts)
                    uow.commit()
                log.warning("quarantined %s/%s at stage %s: %s", source.name, external_id, stage, error_text(exc))
                yield external_id, ItemState.QUARANTINED
                continue
            outcome = self.deliver_saved_draft(source, msg, item_id) if state == ItemState.ROUTED else self._process_guarded(source, msg)
            yield external_id, outcome
            if outcome == PAUSED:
                return

    # ------------------------------------------------------------------ one item
    def _process_guarded(self, source: Source, msg: InboundMessage) -> str:
        """:meth:`process`, with a failure to even record the item (a database error on its
        values) turned into a quarantine entry instead of stopping the whole poll."""
        try:
            return self.process(source, msg)
        except Exception as exc:
            if isinstance(exc, DraftguardError):
                raise
            log.error("could not record %s/%s: %s\n%s", msg.source, msg.external_id, error_text(exc), stack_text(exc))
            return self.process_bad(BadItem(msg.source, msg.external_id, f"could not be recorded: {error_text(exc)}"))

    def process_bad(self, bad: BadItem) -> str:
        """Quarantine an entry the source could not parse (kept, visible, never dropped)."""
        with UnitOfWork(self.sf) as uow:
            item, is_new = uow.claim_bad_item(bad.source, bad.external_id)
            if not is_new and item.state in ItemState.TERMINAL:
                return STILL_QUARANTINED if item.state == ItemState.QUARANTINED else DUPLICATE
            if is_new:
                uow.audit("ingested", item, {"source": bad.source, "parse_error": True})
            uow.quarantine(item, "parse", BadInputError(f"{bad.source}/{bad.external_id}", bad.error), 1)
            uow.commit()
        log.warning("quarantined %s/%s at stage parse: %s", bad.source, bad.external_id, bad.error)
        return ItemState.QUARANTINED

    def process(self, source: Source, msg: InboundMessage) -> str:
        """Run one message through every stage; returns its final state (or ``"duplicate"``)."""
        if len(msg.external_id) > EXTERNAL_ID_MAX:
            return self.process_bad(BadItem(msg.source, fit(msg.external_id, EXTERNAL_ID_MAX), f"external id longer than {EXTERNAL_ID_MAX} characters"))
        with UnitOfWork(self.sf) as uow:
            item, is_new = uow.claim_item(msg)
            if not is_new and item.state in ItemState.TERMINAL:
                return STILL_QUARANTINED if item.state == ItemState.QUARANTINED else DUPLICATE
            if item.state == ItemState.ROUTED:
                item_id = item.id
                uow.commit()
                return self.deliver_saved_draft(source, msg, item_id)
            item.attempts += 1
            if is_new:
                uow.audit(
                    "ingested",
                    item,
                    {
                        "source": msg.source,
                        "size_bytes": msg.size_bytes,
                        "attachments": len(msg.attachments),
                        "thread_messages": len(msg.thread),
                    },
                )
            if item.attempts > self.settings.limits.item_attempts:
                uow.quarantine(item, "ingest", RuntimeError(f"gave up after {item.attempts - 1} interrupted attempts"), item.attempts - 1)
                uow.commit()
                return ItemState.QUARANTINED
            item.state = ItemState.PROCESSING
            item_id, attempts, correlation_id = item.id, item.attempts, item.correlation_id
            uow.commit()
        # Every log line while this item is processed carries its correlation id.
        with structlog.contextvars.bound_contextvars(correlation_id=correlation_id, item_id=item_id, source=msg.source):
            return self._run_stages(source, msg, item_id, attempts)

    def _run_stages(self, source: Source, msg: InboundMessage, item_id: int, attempts: int) -> str:
        stage = "skip"
        try:
            # A skip before drafting stands only when the local risk signals (no model call) do not
            # make the item must-review (agent/risk.py: RiskStage.check_skip); else it is analysed.
            refused = []  # skips refused because the item is must-review (in its `routed` event)
            reason, check = self.skip_check(msg, source)
            if reason is not None:
                if check.allowed:
                    return self._record_skip(item_id, reason)
                refused.append(check)
            if not self.settings.drafting_enabled(source.name):  # before any model call
                return self._record_skip(item_id, SkipReason(rule=DRAFTING_OFF, detail=f"{source.name}: drafting = false"))
            stage = "validate"
            self.validate(msg)
            stage = "route"
            early = self._route_before_draft(msg)
            if early is not None and early.action == Action.skip:
                check = skip_guard.check_skip(msg, early.rule_id, risk=self.risk, settings=self.settings)
                if check.allowed:
                    with UnitOfWork(self.sf) as uow:  # decided without the draft: no model call
                        state = self._apply_decision(uow, uow.item(item_id), None, early, before_draft=True)
                        uow.commit()
                    return state
                refused.append(check)
            stage = "analyse"
            analysis = self.analyse(msg, source)
            analysis.decision = skip_guard.with_refusals(analysis.decision, refused)
            stage = "record"
            state = self._record_analysis(item_id, msg, analysis, skip_refused=[c.audit() for c in refused])
            if state == ItemState.ROUTED:
                stage = "deliver"
                outcome = self.deliver_saved_draft(source, msg, item_id, reroute=False)
                if outcome == PAUSED:  # the pause is recorded; give back this attempt
                    with UnitOfWork(self.sf) as uow:
                        item = uow.item(item_id)
                        item.attempts = max(0, item.attempts - 1)
                        uow.commit()
                return outcome
            if state == ItemState.ESCALATED:
                stage = "escalate"
                self._after_escalation(source, msg, item_id, analysis.decision)
            return state
        except SourceThrottledError as exc:  # the source refuses work for a while: wait, pending
            return self._paused_item(source.name, item_id, exc, stage)
        except StorageFullError:  # not the item's fault: the run ends (exit 4); the item is retried next run
            raise
        except Exception as exc:  # one item never stops the run
            self._quarantine(item_id, stage, exc, attempts)
            log.warning("quarantined %s/%s at stage %s: %s", msg.source, msg.external_id, stage, error_text(exc))
            return ItemState.QUARANTINED

    def _quarantine(self, item_id: int, stage: str, exc: BaseException, attempts: int) -> str:
        """Quarantine the item at ``stage`` with ``exc`` (its summary, never message text) after
        ``attempts`` tries; an error that is not a :class:`DraftguardError` is a bug and is logged
        with its frames. Returns :data:`ItemState.QUARANTINED`."""
        if not isinstance(exc, DraftguardError):
            log.error("unexpected error in stage %s: %s\n%s", stage, error_text(exc), stack_text(exc))
        with UnitOfWork(self.sf) as uow:
            uow.quarantine(uow.item(item_id), stage, exc, attempts)
            uow.commit()
        return ItemState.QUARANTINED

    def skip_check(self, msg: InboundMessage, source: Source | None = None) -> tuple[SkipReason | None, SkipCheck | None]:
        """The skip rule for ``msg`` and its check against the local risk signals (agent/skip_guard.py)."""
        own = self._own_addresses(source) if source else {a.lower() for a in self.settings.organisation.own_addresses}
        return skip_guard.skip_check(msg, sorted(own), risk=self.risk, settings=self.settings)

    def validate(self, msg: InboundMessage) -> None:
        """Raise BadInputError for an empty or oversized body (the item is quarantined). A message
        with attachments and no text is not empty: it goes to a person (agent/attachments_only.py)."""
        where = f"{msg.source}/{msg.external_id}"
        if not msg.text_body.strip() and not msg.attachments:
            raise BadInputError(where, "empty body: no text to answer")
        if len(msg.text_body.encode("utf-8", "replace")) > self.settings.limits.max_body_bytes:
            raise BadInputError(where, f"body larger than limits.max_body_bytes={self.settings.limits.max_body_bytes}")

    def analyse(self, msg: InboundMessage, source: Source | None = None) -> Analysis:
        """Context → redact → prompt → draft → restore → policy → route, without touching storage.

        Raises RedactionError when the analyzer cannot run (nothing goes to a model)."""
        org = self.settings.organisation
        ctx = build_context(msg, max_chars=self.settings.limits.max_prompt_chars)
        known = self._header_pii(msg)
        redacted = self.redactor.pseudonymise(
            ctx, seed_texts=[msg.subject, msg.text_body, *(t.text for t in msg.thread), *msg.crm_fields.values()], known=known
        )
        link_domains = sorted({*org.domains, *org.link_allow_domains})
        prompt = render_prompt(
            self.settings.model.prompt_template,
            redacted,
            organisation=org.name,
            signature=org.signature,
            link_domains=link_domains,
        )
        inbound_text = inbound_check_text(msg, ctx.latest_text)  # display names and subject are client text too
        injection = self.policy.check_inbound(inbound_text)
        avoid = f"inbound prompt injection ({injection[0].rule_id}): model not called" if injection else None
        if avoid is None and attachments.attachments_only(msg):
            avoid = f"{attachments.REASON}: model not called"
        with self.outbound.scope(redacted.placeholders) as outbound:  # every model request of this item is checked
            draft = self.drafter.draft(prompt, redacted, avoid_model=avoid)
            draft, chatter = without_model_chatter(draft)  # "Here is a draft email:" and the like
            # The risk stage (its model reviewer reads the redacted message and this draft, with placeholders).
            risk = self.risk.run(msg, ctx, redacted, draft)
        header_safe = restore_for_draft(
            draft.output.reply, redacted.placeholders, header=header_text(msg), language=detect_language(draft.output.reply) or ctx.language
        )
        unknown = header_safe.unknown
        draft_language = detect_language(header_safe.text) or "und"  # of the draft as written
        disclosure = add_required_disclosures(header_safe.text, pack=self.policy, inbound_text=inbound_text)
        restored = disclosure.text
        draft_pii = [(p.entity, p.start, p.end, p.value) for p in self.redactor.analyze(restored)]
        if draft_language not in (self.settings.redaction.language, "und"):
            # The NER model knows one language; on other text it tags ordinary words as names.
            # Pattern-based entities (addresses, numbers) are still checked.
            draft_pii = [d for d in draft_pii if d[0] not in NER_ENTITIES]
        findings = self.policy.check(
            draft_text=restored,
            inbound_text=inbound_text,
            draft_language=None if draft_language == "und" else draft_language,
            inbound_language=None if ctx.language == "und" else ctx.language,
            inbound_pii_values=set(redacted.placeholders.mapping.values()) | {msg.sender.email, msg.sender.name},
            draft_pii=draft_pii,
            allowed_link_domains=set(link_domains),
            org_values={org.name, *org.allow_names, *org.own_addresses, org.signature},
            model_chatter=chatter,
            draft_facts=DraftCheckFacts.of(msg, self.settings),  # client contacts, firm allow-list, all client text
        ) + outbound_findings(outbound) + added_findings(disclosure)
        facts = routing_facts(msg, draft, findings, language=draft_language, inbound_language=ctx.language, risk=risk.facts())
        # A must-review item is never placed or skipped, whatever the rules (or the drafter's intent) say.
        decision = outbound_decision(outbound, self.risk.enforce(self.router.decide(facts), risk), self.settings.routing.default_group)
        decision = attachments.route_to_person(msg, decision, group=self.settings.routing.default_group)
        reply = self._reply_draft(msg, source, restored, text_to_html(restored), language=draft_language)
        return Analysis(ctx, redacted, prompt, draft, restored, unknown, draft_language, findings, facts, decision, reply, outbound, risk, disclosure)

    def _reply_draft(self, msg: InboundMessage, source: Source | None, text: str, html: str, *, language: str | None = None) -> ReplyDraft:
        """The addressed reply for ``msg``: Reply-To or sender, one "Re:" (a subject in the draft's
        ``language`` when the message has none), the item's idempotency key."""
        own = self._own_addresses(source) if source else set()
        to, cc = reply_recipients(msg, reply_all=bool(getattr(source, "reply_all", False)), own_addresses=own)
        return ReplyDraft(
            idempotency_key=idempotency_key(msg.source, msg.external_id),
            subject=reply_subject(msg.subject, language),
            text=text,
            html=html,
            to=to,
            cc=cc,
        )

    def _header_pii(self, msg: InboundMessage) -> list[tuple[str, str]]:
        """(entity, value) pairs for every client named in the headers (From, Reply-To, To, Cc,
        thread senders): the address, the display name as written and as greeted ("Okafor,
        Chidi" and "Chidi Okafor"), and each name part, so a bare "Chidi" is replaced too.
        People at our own domains are left out (their names are not client data)."""
        own_domains = {d.lower() for d in self.settings.organisation.domains}
        people = [msg.sender, *msg.reply_to, *msg.to, *msg.cc, *(t.sender for t in msg.thread if t.sender)]
        known: list[tuple[str, str]] = []
        for a in people:
            if a.domain in own_domains:
                continue
            known.append(("EMAIL_ADDRESS", a.email))
            if a.name and "@" not in a.name:
                known += [("PERSON", a.name), ("PERSON", greeting_name(a.name))]
                known += [("PERSON", part) for part in re.findall(r"[^\W\d_][\w'-]{2,}", a.name) if part[0].isupper()]
        return known

    # ------------------------------------------------------------------ recording
    def _record_skip(self, item_id: int, reason: SkipReason) -> str:
        with UnitOfWork(self.sf) as uow:
            item = uow.item(item_id)
            item.state = ItemState.SKIPPED
            item.skip_rule = reason.rule
            uow.audit("skipped", item, {"rule": reason.rule})
            uow.commit()
        return ItemState.SKIPPED

    def _record_analysis(self, item_id: int, msg: InboundMessage, a: Analysis, *, skip_refused: list[dict] | None = None) -> str:
        """Record ``a`` in one transaction; ``skip_refused`` (ids and scores of refused skips) goes
        into the ``routed`` event. Returns the item's new state."""
        d = a.draft
        with UnitOfWork(self.sf) as uow:
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
                        pack_version=self.policy.version,
                    )
                )
            uow.audit(
                "checked",
                item,
                {"pack": self.policy.name, "pack_version": self.policy.version, "findings": [[f.rule_id, f.severity.name] for f in a.findings]},
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
        new state. The caller commits."""
        uow.session.add(Decision(item_id=item.id, draft_id=draft_id, action=dec.action.value, rule_id=dec.rule_id, group=dec.group, reasons=dec.reasons))
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

    # ------------------------------------------------------------------ routing again before delivery
    def _route_before_draft(self, msg: InboundMessage) -> RoutingDecision | None:
        """The routing decision when the current rules can make it from pre-draft facts alone
        (see :meth:`rules.routing.Router.decide_before_draft`), else None."""
        if not self.router.may_decide_before_draft:
            return None
        language = build_context(msg, max_chars=self.settings.limits.max_prompt_chars).language
        return self.router.decide_before_draft(pre_draft_facts(msg, inbound_language=language))

    def _route_saved_draft(self, source: Source, msg: InboundMessage, item_id: int, draft: Draft) -> RoutingDecision | None:
        """Route a saved draft again under the current config, before it is delivered: the
        source's ``drafting`` switch, the skip rules, then the routing rules on the facts of the
        saved draft and its findings (the message re-read now). None when the answer is still
        "draft" (deliver), else the decision to apply instead."""
        if not self.settings.drafting_enabled(source.name):
            return RoutingDecision(rule_id=DRAFTING_OFF, action=Action.skip, reasons=[f"{source.name}: drafting = false"])
        ctx = build_context(msg, max_chars=self.settings.limits.max_prompt_chars)
        ranked, score, must_review = self._saved_risk(msg, item_id, ctx)
        reason = skip_reason(msg, self.settings.organisation, sorted(self._own_addresses(source)))
        if reason is not None:  # a must-review item is never skipped (agent/risk.py: enforce)
            skip = RoutingDecision(rule_id=f"skip:{reason.rule}", action=Action.skip, reasons=[f"skip rule {reason.rule}"])
            return enforce(skip, ranked, must_review, groups=self.risk.groups, fallback_group=self.risk.fallback_group)
        with self.sf() as s:
            findings = s.execute(select(FindingRow.rule_id, FindingRow.severity).where(FindingRow.draft_id == draft.id)).all()
        facts = saved_draft_facts(
            msg,
            intent=draft.intent,
            confidence=draft.confidence,
            provider=draft.provider,
            fallback_used=draft.fallback_used,
            findings=[(r, sev) for r, sev in findings],
            language=draft.language or "und",
            inbound_language=ctx.language,
            risk=risk_facts([c for c, _ in ranked], score, must_review),
        )
        decision = enforce(self.router.decide(facts), ranked, must_review, groups=self.risk.groups, fallback_group=self.risk.fallback_group)
        return None if decision.action == Action.draft else decision

    def _saved_risk(self, msg: InboundMessage, item_id: int, ctx) -> tuple[list[tuple[str, float]], float, bool]:
        """The item's latest stored risk assessment as (ranked categories, score, must-review).
        An item analysed before the risk stage existed has none: its message is assessed now
        (lexicon, classifier, normaliser on the clear text; nothing is stored or shown)."""
        with self.sf() as s:
            row = s.execute(
                select(RiskAssessmentRow).where(RiskAssessmentRow.item_id == item_id).order_by(RiskAssessmentRow.id.desc()).limit(1)
            ).scalar_one_or_none()
            if row is not None:
                return [(c["id"], float(c["score"])) for c in row.categories], float(row.score), bool(row.must_review)
        a = local_assessment(msg, ctx.latest_text, max_chars=self.settings.limits.max_prompt_chars)
        return ranked_categories({c: h.score for c, h in a.categories.items()}), a.score, a.must_review

    def _reroute(self, source: Source, msg: InboundMessage, item_id: int, draft_id: int, dec: RoutingDecision) -> str:
        """Apply ``dec`` instead of delivering the saved draft (audited ``routed`` with
        ``rerouted_from`` = the rule of the decision it replaces); escalations get their case
        actions and reviewer notification."""
        with UnitOfWork(self.sf) as uow:
            item = uow.item(item_id)
            before = uow.session.execute(select(Decision.rule_id).where(Decision.item_id == item_id).order_by(Decision.id.desc()).limit(1)).scalar_one_or_none()
            state = self._apply_decision(uow, item, draft_id, dec, rerouted_from=before, before_delivery=True)
            uow.commit()
        log.info("%s/%s routed again before delivery: %s by rule %s (was %s)", msg.source, msg.external_id, dec.action.value, dec.rule_id, before)
        if state == ItemState.ESCALATED:
            try:
                self._after_escalation(source, msg, item_id, dec)
            except SourceThrottledError as exc:
                return self._paused_item(source.name, item_id, exc, "escalate")
            except Exception as exc:
                return self._quarantine(item_id, "escalate", exc, self.settings.limits.item_attempts)
        return state

    def deliver_saved_draft(self, source: Source, msg: InboundMessage, item_id: int, *, actor: str = "draftguard", reroute: bool | None = None) -> str:
        """Deliver the latest saved draft of an item (after routing, on resume, or on approval).

        An automatic delivery (``actor`` draftguard, no reviewer's approval in progress, i.e. no
        open review task) first routes the saved draft again under the current config: when the
        source's ``drafting`` is now false, a skip rule or a routing rule now skips, holds or
        escalates, that is done instead (audited ``routed`` with ``rerouted_from``) and nothing
        is delivered. A reviewer's approval is a decision and is delivered as approved.
        ``reroute`` False skips that step (the pipeline routed the draft a moment ago); True
        forces it; None (default) decides as just said.

        Idempotent: the connector looks for the idempotency key before writing.
        Raises nothing for delivery faults: the item is quarantined with stage ``deliver``.
        While the source is paused, or when it refuses work now (``SourceThrottledError``),
        nothing is written, the item stays ``routed`` and :data:`PAUSED` is returned."""
        if self.source_pause(source.name) is not None:
            return PAUSED
        with self.sf() as s:
            draft = s.execute(select(Draft).where(Draft.item_id == item_id).order_by(Draft.id.desc()).limit(1)).scalar_one_or_none()
            if draft is None or draft.body_text is None:
                problem = "no saved draft" if draft is None else "draft body purged by retention"
                with UnitOfWork(self.sf) as uow:
                    uow.quarantine(uow.item(item_id), "deliver", SourceError(source.name, problem), 1)
                    uow.commit()
                return ItemState.QUARANTINED
            reply = self._reply_draft(msg, source, draft.body_text, draft.body_html or text_to_html(draft.body_text), language=draft.language)
            draft_id = draft.id
            approving = s.execute(select(ReviewTask.id).where(ReviewTask.item_id == item_id, ReviewTask.status == "open").limit(1)).first() is not None
        if reroute is None:
            reroute = actor == "draftguard" and not approving
        if reroute:
            instead = self._route_saved_draft(source, msg, item_id, draft)
            if instead is not None:
                return self._reroute(source, msg, item_id, draft_id, instead)
        try:
            receipt = None
            for attempt in self._retrying():
                with attempt:
                    receipt = source.deliver(msg, reply)
        except SourceThrottledError as exc:
            self._pause_source(source.name, exc, item_id, "deliver")
            return PAUSED
        except Exception as exc:
            return self._quarantine(item_id, "deliver", exc, self.settings.limits.item_attempts)
        with UnitOfWork(self.sf) as uow:
            item = uow.item(item_id)
            existing = uow.delivery_by_key(reply.idempotency_key)
            if existing is None:
                uow.session.add(
                    Delivery(
                        item_id=item.id,
                        draft_id=draft_id,
                        idempotency_key=reply.idempotency_key,
                        target=receipt.target,
                        target_ref=receipt.ref,
                        created=receipt.created,
                    )
                )
            item.state = ItemState.DRAFTED
            uow.audit(
                "delivered",
                item,
                {"target": receipt.target, "idempotency_key": reply.idempotency_key, "created": receipt.created, "draft_id": draft_id},
                actor=actor,
            )
            try:
                uow.commit()
            except IntegrityError:
                # Another process (a reviewer's approve, a resuming run) recorded this delivery
                # first; the connector's look-before-write made both land on the same draft.
                uow.session.rollback()
                log.info("delivery %s was recorded by another process", reply.idempotency_key)
        return ItemState.DRAFTED

    def _after_escalation(self, source: Source, msg: InboundMessage, item_id: int, decision: RoutingDecision) -> None:
        """Case actions (Salesforce) and the reviewer notification; failures stay on the task for retry."""
        if decision.case_actions:
            done: list[str] = []
            for attempt in self._retrying():
                with attempt:
                    done = source.apply_case_actions(msg, decision.case_actions)
            with UnitOfWork(self.sf) as uow:
                uow.audit("case_actions", uow.item(item_id), {"actions": sorted(decision.case_actions), "done": len(done)})
                uow.commit()
        notify_review_task(
            self.sf,
            self.notifier,
            item_id=item_id,
            subject=msg.subject,
            sender=msg.sender.email,
            link=msg.link,
            retry_after_seconds=self.settings.notify.retry_base_seconds,
        )
