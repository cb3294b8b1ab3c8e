"""One item through the stages, in three phases a runner can put on different threads.

The flow orders the stage functions (``agent/stages/``) and hands each outcome to the recorder
(:mod:`agent.recorder`); it never opens a session itself. The same flow runs in every mode: the
runners (``agent/runners/``) only decide where and when each phase runs.

``arrive`` (the submitting side, the thread that polls): ingest — the item is recorded (``new``,
audited ``ingested``) before the source is asked for the next message, so a source that marks
what it handed out (the Maildir seen index) never loses an item, whatever the runner does next.
An :class:`ItemRun` then goes through:

1. :meth:`ItemFlow.begin` (CPU): claim (an attempt counted, ``processing``), skip check,
   ``drafting`` switch, validate, route before drafting, analyse part 1 (context, redaction,
   prompt). Ends the item when one of them decides (skipped, quarantined, …).
2. :meth:`ItemFlow.draft` (model-bound): the draft and the risk assessment with its reviewer.
3. :meth:`ItemFlow.finish` (CPU + storage + the source): analyse part 3 (restore, disclosures,
   policy, route), record, deliver or escalate (case actions, notification).

Failures: a :class:`SourceThrottledError` pauses the source and leaves the item pending; a
:class:`StorageFullError` or anything that is not an ``Exception`` (a crash) escapes to the
runner; anything else quarantines the item at the stage it was in. One item never stops the
others. Transient connector errors are retried inside the deliver and escalate stages
(tenacity, ``limits.item_attempts`` tries).

Tracing (agent/tracing.py): one trace per item, its root span ``item`` opened by the first phase
and ended by the last, a child span per stage; the item's correlation id, id and source are on
every span and every log line. Each run carries its own :mod:`contextvars` context, entered by
one phase at a time, so the trace and the log binding follow the item from thread to thread.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from tenacity import Retrying

from agent import skip_guard, tracing
from agent.config import Settings
from agent.error_text import error_text, stack_text
from agent.errors import BadInputError, DraftguardError, SourceError, SourceThrottledError, StorageFullError
from agent.formatting import text_to_html
from agent.models import InboundMessage, RoutingDecision
from agent.ports import BadItem, Source
from agent.recorder import Recorder
from agent.risk import RiskStage, SkipCheck
from agent.stages.addressing import reply_draft
from agent.stages.analyse import Analyser
from agent.stages.deliver import apply_case_actions, deliver_reply, route_saved_draft
from agent.stages.screen import drafting_off, skip_before_draft, skip_check, validate
from agent.stages.types import EXTERNAL_ID_MAX, PAUSED, Drafted, Prepared
from rules.routing import Router
from storage.models import ItemState
from storage.repository import fit

log = logging.getLogger("draftguard.pipeline")


@dataclass(eq=False)
class ItemRun:
    """One item on its way through the phases (made by :meth:`ItemFlow.arrive`).

    ``deliver_only``: a ``routed`` item resumed by a later run (its saved draft is delivered).
    ``parent``: the trace context a task carried (:func:`agent.tracing.extract`), when a worker
    of the distributed mode runs the item; None in process (each item starts its own trace).
    ``stage`` is the stage in progress (the quarantine names it); ``outcome`` is set when the
    item is finished for this run (its state, :data:`PAUSED`, :data:`DUPLICATE`, …)."""

    source: Source
    msg: InboundMessage
    item_id: int
    correlation_id: str
    deliver_only: bool = False
    attempts: int | None = None
    stage: str = "ingest"
    refused: list[SkipCheck] = field(default_factory=list)
    prepared: Prepared | None = None
    drafted: Drafted | None = None
    outcome: str | None = None
    context: contextvars.Context = field(default_factory=contextvars.copy_context, repr=False)
    parent: Any = field(default=None, repr=False)
    _root: Any = field(default=None, repr=False)
    _root_span: Any = field(default=None, repr=False)

    @property
    def done(self) -> bool:
        """True once the item has its outcome for this run."""
        return self.outcome is not None

    @property
    def conversation(self) -> str:
        """The ordering key: the source and the message's conversation (Graph ``conversationId``,
        Salesforce case id, else the root of ``References``, …: :attr:`InboundMessage.thread_key`)."""
        return f"{self.msg.source}\x00{self.msg.thread_key}"


class ItemFlow:
    """The stages of one item, in phases (see the module doc). Thread-safe: a run is only ever in
    one phase at a time; the shared parts (recorder, analyser, drafter) are thread-safe."""

    def __init__(
        self,
        settings: Settings,
        recorder: Recorder,
        analyser: Analyser,
        *,
        router: Router,
        risk: RiskStage,
        retrying: Callable[[], Retrying],
    ) -> None:
        self.settings = settings
        self.recorder = recorder
        self.analyser = analyser
        self.router = router
        self.risk = risk
        self._retrying = retrying

    # ------------------------------------------------------------------ submitting side
    def arrive(self, source: Source, msg: InboundMessage) -> ItemRun | str:
        """Ingest ``msg``: record its item and return the :class:`ItemRun` to schedule, or the
        outcome when there is nothing to run (a finished item: ``duplicate`` /
        ``still_quarantined``; an entry that cannot be recorded: quarantined at ``parse``)."""
        if len(msg.external_id) > EXTERNAL_ID_MAX:
            return self.arrive_bad(BadItem(msg.source, fit(msg.external_id, EXTERNAL_ID_MAX), f"external id longer than {EXTERNAL_ID_MAX} characters"))
        try:
            arrival = self.recorder.arrive(msg)
        except Exception as exc:
            if isinstance(exc, DraftguardError):
                raise
            log.error("could not record %s/%s: %s\n%s", msg.source, msg.external_id, error_text(exc), stack_text(exc))
            return self.arrive_bad(BadItem(msg.source, msg.external_id, f"could not be recorded: {error_text(exc)}"))
        if arrival.outcome is not None:
            return arrival.outcome
        return ItemRun(source, msg, arrival.item_id, arrival.correlation_id)

    def arrive_bad(self, bad: BadItem) -> str:
        """Quarantine an entry the source could not parse (kept, visible, never dropped)."""
        return self.recorder.arrive_bad(bad)

    def park(self, msg: InboundMessage) -> str:
        """Record a polled message as ``new`` without processing it (its source is paused);
        the first run after the pause re-reads and processes it. Returns :data:`PAUSED` (or the
        outcome of a finished item)."""
        if len(msg.external_id) > EXTERNAL_ID_MAX:
            return self.arrive_bad(BadItem(msg.source, fit(msg.external_id, EXTERNAL_ID_MAX), f"external id longer than {EXTERNAL_ID_MAX} characters"))
        arrival = self.recorder.arrive(msg, waiting=True)
        return arrival.outcome or PAUSED

    def resumed(self, source: Source, item_id: int, external_id: str, state: str, correlation_id: str) -> ItemRun | str:
        """An item an earlier run left open, read again with ``source.fetch``: a ``routed`` one
        gets its saved draft delivered, a ``new``/``processing`` one is processed again. Returns
        the run to schedule, or the outcome: :data:`PAUSED` when the source refuses the fetch,
        ``quarantined`` when the message is gone or no longer parses."""
        try:
            msg = source.fetch(external_id)
        except SourceThrottledError as exc:  # refused for a while: everything stays pending
            self.recorder.pause_source(source.name, exc, item_id, "resume")
            return PAUSED
        except StorageFullError:  # not the item's fault: the run ends (exit 4), the item stays pending
            raise
        except Exception as exc:  # gone, unreadable or a connector bug: quarantine, keep going
            stage = "parse" if isinstance(exc, BadInputError) else "resume"
            self.recorder.quarantined(item_id, stage, exc)
            log.warning("quarantined %s/%s at stage %s: %s", source.name, external_id, stage, error_text(exc))
            return ItemState.QUARANTINED
        if state == ItemState.ROUTED:
            return ItemRun(source, msg, item_id, correlation_id, deliver_only=True, stage="deliver")
        return self.arrive(source, msg)

    # ------------------------------------------------------------------ phases
    def begin(self, run: ItemRun) -> None:
        """Phase 1 (CPU): claim, skip check, validate, route before drafting, analyse part 1."""
        run.context.run(self._guarded, run, self._begin)

    def draft(self, run: ItemRun) -> None:
        """Phase 2 (model-bound): the draft and the risk assessment."""
        run.context.run(self._guarded, run, self._draft)

    def finish(self, run: ItemRun) -> None:
        """Phase 3: analyse part 3, record, deliver or escalate."""
        run.context.run(self._guarded, run, self._finish)

    def run(self, run: ItemRun) -> str:
        """Every phase in a row, in the calling thread; returns the outcome."""
        self.begin(run)
        if not run.done:
            self.draft(run)
        if not run.done:
            self.finish(run)
        return run.outcome

    def _guarded(self, run: ItemRun, step: Callable[[ItemRun], str | None]) -> None:
        try:
            if run._root is None:
                self._open(run)
            try:
                outcome = step(run)
            except SourceThrottledError as exc:  # the source refuses work for a while: wait, pending
                outcome = self._paused_item(run.source, run.item_id, exc, run.stage)
            except StorageFullError:  # not the item's fault: the run ends (exit 4); the item is retried next run
                raise
            except Exception as exc:  # one item never stops the run
                outcome = self._quarantine(run.item_id, run.stage, exc, run.attempts)
                log.warning("quarantined %s/%s at stage %s: %s", run.msg.source, run.msg.external_id, run.stage, error_text(exc))
        except BaseException as exc:
            self._close(run, None, exc)
            raise
        if outcome is not None:
            self._close(run, outcome)

    def _open(self, run: ItemRun) -> None:
        """The item's root span (or, with ``run.parent``, a ``worker`` span continuing the trace the
        scheduler started: the distributed mode) and log binding, in the run's own context."""
        if run.parent is not None:
            run._root = tracing.stage_span("worker", item_id=run.item_id, correlation_id=run.correlation_id, source=run.msg.source, parent=run.parent)
        else:
            run._root = tracing.item_span(item_id=run.item_id, correlation_id=run.correlation_id, source=run.msg.source)
        run._root_span = run._root.__enter__()
        # Every log line while this item is processed carries its correlation id.
        structlog.contextvars.bind_contextvars(correlation_id=run.correlation_id, item_id=run.item_id, source=run.msg.source)

    def _close(self, run: ItemRun, outcome: str | None, exc: BaseException | None = None) -> None:
        if outcome is not None:
            run.outcome = outcome
        if run._root is not None:
            root, run._root = run._root, None
            if outcome is not None:
                run._root_span.set(outcome=outcome)
            root.__exit__(type(exc) if exc else None, exc, exc.__traceback__ if exc else None)
            structlog.contextvars.unbind_contextvars("correlation_id", "item_id", "source")

    def _begin(self, run: ItemRun) -> str | None:
        if run.deliver_only:
            run.stage = "deliver"
            return self.deliver_saved_draft(run.source, run.msg, run.item_id)
        with tracing.stage("ingest"):
            claim = self.recorder.claim(run.item_id, self.settings.limits.item_attempts)
        if claim.action == "done":
            return claim.outcome
        if claim.action == "deliver":
            run.stage = "deliver"
            return self.deliver_saved_draft(run.source, run.msg, run.item_id)
        run.attempts = claim.attempts
        msg, source = run.msg, run.source
        # A skip before drafting stands only when the local risk signals (no model call) do not
        # make the item must-review (agent/risk.py: RiskStage.check_skip); else it is analysed.
        run.stage = "skip"
        with tracing.stage("skip") as s:
            reason, check = skip_check(msg, source, settings=self.settings, risk=self.risk)
            skip = None
            if reason is not None:
                s.set(rule_id=f"skip:{reason.rule}")
                if check.allowed:
                    skip = reason
                else:
                    run.refused.append(check)  # in the item's `routed` event
            if skip is None:
                skip = drafting_off(self.settings, source.name)  # before any model call
        if skip is not None:
            with tracing.stage("record"):
                return self.recorder.skipped(run.item_id, skip)
        run.stage = "validate"
        with tracing.stage("validate"):
            validate(msg, self.settings.limits)
        run.stage = "route"
        with tracing.stage("route_before_draft") as s:
            early, check = skip_before_draft(msg, router=self.router, risk=self.risk, settings=self.settings)
            if early is not None:
                s.set(rule_id=early.rule_id, action=early.action.value)
        if early is not None:
            if check.allowed:
                with tracing.stage("record"):  # decided without the draft: no model call
                    return self.recorder.decided(run.item_id, early, before_draft=True)
            run.refused.append(check)
        run.stage = "analyse"
        run.prepared = self.analyser.prepare(msg, source)
        return None

    def _draft(self, run: ItemRun) -> None:
        run.stage = "analyse"
        run.drafted = self.analyser.draft(run.prepared)
        return None

    def _finish(self, run: ItemRun) -> str:
        run.stage = "analyse"
        analysis = self.analyser.conclude(run.drafted, run.source)
        analysis.decision = skip_guard.with_refusals(analysis.decision, run.refused)
        run.prepared = run.drafted = None  # the clear text is not kept longer than needed
        run.stage = "record"
        with tracing.stage("record"):
            state = self.recorder.analysed(run.item_id, analysis, skip_refused=[c.audit() for c in run.refused])
        if state == ItemState.ROUTED:
            run.stage = "deliver"
            outcome = self.deliver_saved_draft(run.source, run.msg, run.item_id, reroute=False)
            if outcome == PAUSED:  # the pause is recorded; give back this attempt
                self.recorder.give_back_attempt(run.item_id)
            return outcome
        if state == ItemState.ESCALATED:
            run.stage = "escalate"
            self._after_escalation(run.source, run.msg, run.item_id, analysis.decision)
        return state

    # ------------------------------------------------------------------ deliver
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
        with tracing.stage("deliver") as s:
            outcome = self._deliver(source, msg, item_id, actor=actor, reroute=reroute)
            s.set(outcome=outcome)
        return outcome

    def _deliver(self, source: Source, msg: InboundMessage, item_id: int, *, actor: str, reroute: bool | None) -> str:
        if self.recorder.source_pause(source.name) is not None:
            return PAUSED
        saved = self.recorder.saved_draft(item_id)
        if self.settings.shadow(source.name):  # shadow mode: nothing is ever placed (docs/release.md)
            return self.recorder.shadowed(item_id, saved.id if saved else None)
        if saved is None or saved.body_text is None:
            problem = "no saved draft" if saved is None else "draft body purged by retention"
            return self.recorder.quarantined(item_id, "deliver", SourceError(source.name, problem), 1)
        reply = reply_draft(self.settings, msg, source, saved.body_text, saved.body_html or text_to_html(saved.body_text), language=saved.language)
        if reroute is None:
            reroute = actor == "draftguard" and not saved.review_open
        if reroute:
            instead = route_saved_draft(msg, source, saved, self.recorder.saved_risk(item_id), settings=self.settings, router=self.router, risk=self.risk)
            if instead is not None:
                return self._reroute(source, msg, item_id, saved.id, instead)
        try:
            receipt = deliver_reply(source, msg, reply, self._retrying())
        except SourceThrottledError as exc:
            self.recorder.pause_source(source.name, exc, item_id, "deliver")
            return PAUSED
        except Exception as exc:
            return self._quarantine(item_id, "deliver", exc, self.settings.limits.item_attempts)
        return self.recorder.delivered(item_id, saved.id, reply.idempotency_key, receipt, actor=actor)

    def _reroute(self, source: Source, msg: InboundMessage, item_id: int, draft_id: int, dec: RoutingDecision) -> str:
        """Apply ``dec`` instead of delivering the saved draft; escalations get their case
        actions and reviewer notification."""
        state, before = self.recorder.rerouted(item_id, draft_id, dec)
        log.info("%s/%s routed again before delivery: %s by rule %s (was %s)", msg.source, msg.external_id, dec.action.value, dec.rule_id, before)
        if state == ItemState.ESCALATED:
            try:
                self._after_escalation(source, msg, item_id, dec)
            except SourceThrottledError as exc:
                return self._paused_item(source, item_id, exc, "escalate")
            except Exception as exc:
                return self._quarantine(item_id, "escalate", exc, self.settings.limits.item_attempts)
        return state

    # ------------------------------------------------------------------ escalate, pause, quarantine
    def _after_escalation(self, source: Source, msg: InboundMessage, item_id: int, decision: RoutingDecision) -> None:
        """Case actions (Salesforce) and the reviewer notification; failures stay on the task for retry."""
        if decision.case_actions:
            with tracing.stage("escalate", group=decision.group, rule_id=decision.rule_id):
                done = apply_case_actions(source, msg, decision.case_actions, self._retrying())
                self.recorder.case_actions(item_id, decision.case_actions, done)
        with tracing.stage("notify", group=decision.group):
            self.recorder.notify(item_id, msg)

    def _paused_item(self, source: Source, item_id: int, exc: SourceThrottledError, stage: str) -> str:
        """An item whose source refused work at ``stage``: pause the source, keep the item
        pending and give back the attempt it used (:meth:`Recorder.item_paused`)."""
        self.recorder.pause_source(source.name, exc, item_id, stage)
        self.recorder.item_paused(item_id, stage)
        return PAUSED

    def _quarantine(self, item_id: int, stage: str, exc: BaseException, attempts: int | None) -> str:
        """Quarantine the item at ``stage`` with ``exc`` (its summary, never message text) after
        ``attempts`` tries (None: the item's own count); an error that is not a
        :class:`DraftguardError` is a bug and is logged with its frames."""
        if not isinstance(exc, DraftguardError):
            log.error("unexpected error in stage %s: %s\n%s", stage, error_text(exc), stack_text(exc))
        with tracing.stage("quarantine"):
            return self.recorder.quarantined(item_id, stage, exc, attempts)
