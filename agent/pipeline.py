"""The pipeline for one item, and a run over one source: the facade over stages, recorder and runner.

ingest (dedupe on source + external id) → skip check → context → redact → prompt →
draft (model or template) → restore → policy checks → risk assessment → route → deliver / escalate.

The work is split three ways (ARCHITECTURE.md, "The flow of one item"):

* stage functions with typed inputs and outputs, no storage: ``agent/stages/``;
* the recorder, the only code that reads or writes storage: :mod:`agent.recorder`;
* the item flow, which orders the stages for one item in phases: :mod:`agent.flow`; and the
  runner, which schedules items (``[limits] concurrency``: inline, or bounded thread pools with
  conversations in order): ``agent/runners/``.

:class:`Pipeline` builds them once per process (see jobs.bootstrap) and keeps the entry points
``main.py``, ``jobs/`` and the tests use: :meth:`Pipeline.run_source`, :meth:`Pipeline.process`,
:meth:`Pipeline.analyse` (``draft --dry-run``), :meth:`Pipeline.deliver_saved_draft` (reviews).

Transactions: the arrival (+ ``ingested``) commits first, then the claim of an attempt; the
computed draft, its findings, the decision and their audit events commit together; the delivery
and its audit event commit after the connector confirms. A crash between the connector's answer
and that commit leaves the item ``routed``; the next run re-delivers the *saved* draft with the
same idempotency key, and the connector's look-before-write finds the first copy: never two drafts.

Failures: transient errors (network, throttling) are retried with exponential backoff (tenacity)
up to ``limits.item_attempts``; anything else, or the last failure, quarantines the item with
its stage and error. A failing item never stops the run. An item that crashed the process
repeatedly is quarantined once its attempt count passes the limit, so nothing is retried forever.

Pauses: a source that refuses work for a while (:class:`SourceThrottledError`, e.g. Salesforce
``REQUEST_LIMIT_EXCEEDED``) is paused until the error's ``until``, kept in ``source_state`` so
every later run and the service honour it. The item that met the refusal stays pending
(``routed`` keeps its saved draft; an item whose case actions were refused starts over as
``new``), costs no attempt, and the rest of that poll is recorded as ``new`` without calling the
source. The first run after the pause resumes them all.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from agent.config import Settings
from agent.drafting import Drafter
from agent.errors import DraftguardError
from agent.flow import ItemFlow
from agent.grounding import Grounder, kb_retriever
from agent.models import InboundMessage, SkipReason
from agent.outbound_guard import OutboundGuard
from agent.pause import SourcePause
from agent.ports import BadItem, CursorStore, Notifier, Source
from agent.recorder import Recorder
from agent.redaction import Redactor
from agent.release.variants import VariantSet
from agent.risk import RiskStage, SkipCheck
from agent.runners import RunSummary, runner_for
from agent.stages import screen
from agent.stages.analyse import NER_ENTITIES, Analyser
from agent.stages.types import DRAFTING_OFF, DUPLICATE, EXTERNAL_ID_MAX, PAUSED, STILL_QUARANTINED, Analysis
from rules.policy import PolicyPack
from rules.routing import Router

__all__ = [
    "DRAFTING_OFF",
    "DUPLICATE",
    "EXTERNAL_ID_MAX",
    "NER_ENTITIES",
    "PAUSED",
    "STILL_QUARANTINED",
    "Analysis",
    "Pipeline",
    "RunSummary",
]


class Pipeline:
    """Processes items from sources through every stage. Build once per process (see jobs.bootstrap).

    ``settings.limits.concurrency`` chooses the runner (1: inline, the default; N: up to N items
    at the model at once, :mod:`agent.runners.threaded`)."""

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
        variants: VariantSet | None = None,
        grounder: Grounder | None = None,
    ):
        self.settings = settings
        self.sf = session_factory
        self._redactor_factory = redactor_factory
        self._redactor: Redactor | None = None
        self._redactor_lock = threading.Lock()
        self.drafter = drafter
        self.policy = policy
        self.router = router
        self.notifier = notifier
        self.cursors = cursors
        self._sleep = sleep
        self.outbound = OutboundGuard.from_settings(settings)  # checks every model request (agent/outbound_guard.py)
        self.risk = RiskStage.from_settings(settings, drafter)  # risk assessment before routing (agent/risk.py)
        self.recorder = Recorder(session_factory, settings, policy=policy, notifier=notifier)
        #: the variants of [release]: chosen per item in Analyser.prepare (agent/release/variants.py)
        self.variants = variants or VariantSet(settings, drafter=drafter, policy=policy)
        self.analyser = Analyser(
            settings, redactor=lambda: self.redactor, drafter=drafter, policy=policy, router=router, risk=self.risk, outbound=self.outbound,
            variants=self.variants,
            grounder=grounder or Grounder(settings.drafting, retrieve=kb_retriever(session_factory) if settings.knowledge.folders else None),
        )
        self.flow = ItemFlow(settings, self.recorder, self.analyser, router=router, risk=self.risk, retrying=self._retrying)
        self.runner = runner_for(settings.limits.concurrency, self.flow, self.recorder, cursors=cursors, drafter=drafter)

    # ------------------------------------------------------------------ helpers
    @property
    def redactor(self) -> Redactor:
        """The Presidio redactor, built on first use (once, whatever the threads). Raises
        RedactionError (fail closed)."""
        if self._redactor is None:
            with self._redactor_lock:
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

    # ------------------------------------------------------------------ runs
    def run_source(self, source: Source, on_item: Callable[[str], None] | None = None) -> RunSummary:
        """Poll ``source`` once and process every item it yields; resumes interrupted deliveries
        first (:meth:`agent.runners.base.Runner.run_source`). ``on_item`` is called with each
        outcome in the calling thread; it may raise to stop the run after the items in progress."""
        return self.runner.run_source(source, on_item)

    def source_pause(self, source_name: str) -> SourcePause | None:
        """The pause of ``source_name`` in force now, with its waiting items, else None (an ended
        pause is cleared here, audited ``source_resumed``)."""
        return self.recorder.source_pause(source_name)

    # ------------------------------------------------------------------ one item
    def process(self, source: Source, msg: InboundMessage) -> str:
        """Run one message through every stage in the calling thread; returns its final state
        (or ``"duplicate"``)."""
        entry = self.flow.arrive(source, msg)
        return entry if isinstance(entry, str) else self.flow.run(entry)

    def process_bad(self, bad: BadItem) -> str:
        """Quarantine an entry the source could not parse (kept, visible, never dropped)."""
        return self.flow.arrive_bad(bad)

    def skip_check(self, msg: InboundMessage, source: Source | None = None) -> tuple[SkipReason | None, SkipCheck | None]:
        """The skip rule for ``msg`` and its check against the local risk signals (agent/skip_guard.py)."""
        return screen.skip_check(msg, source, settings=self.settings, risk=self.risk)

    def validate(self, msg: InboundMessage) -> None:
        """Raise BadInputError for an empty or oversized body (the item is quarantined). A message
        with attachments and no text is not empty: it goes to a person (agent/attachments_only.py)."""
        screen.validate(msg, self.settings.limits)

    def analyse(self, msg: InboundMessage, source: Source | None = None) -> Analysis:
        """Context → redact → prompt → draft → restore → policy → route, without touching storage.

        Raises RedactionError when the analyzer cannot run (nothing goes to a model)."""
        return self.analyser.analyse(msg, source)

    def deliver_saved_draft(self, source: Source, msg: InboundMessage, item_id: int, *, actor: str = "draftguard", reroute: bool | None = None) -> str:
        """Deliver the latest saved draft of an item (after routing, on resume, or on approval);
        see :meth:`agent.flow.ItemFlow.deliver_saved_draft`. Returns the item's outcome."""
        return self.flow.deliver_saved_draft(source, msg, item_id, actor=actor, reroute=reroute)

