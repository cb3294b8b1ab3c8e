"""Typed inputs and outputs of the stages, and the outcome codes a run counts.

One item moves through these shapes (ARCHITECTURE.md, "The stages, in order"):

``InboundMessage`` ─ingest→ :class:`Arrival` ─claim→ :class:`Claim` ─skip/validate/route before
draft→ (an outcome, or on) ─analyse: prepare→ :class:`Prepared` ─draft→ :class:`Drafted`
─conclude→ :class:`Analysis` ─record→ a state ─deliver / escalate→ the final outcome.

:class:`SavedDraft` is what the deliver stage reads back of a recorded draft. None of these
touch storage: :mod:`agent.recorder` turns them into rows and audit events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from agent.disclosure import DisclosureStep
from agent.models import (
    DraftResult,
    Finding,
    InboundMessage,
    ItemContext,
    Prompt,
    RedactedContext,
    ReplyDraft,
    RoutingDecision,
)
from agent.outbound_guard import OutboundReport
from agent.release.variants import Variant
from agent.risk import RiskResult

DUPLICATE = "duplicate"  # outcome of a poll that saw an item already finished
STILL_QUARANTINED = "still_quarantined"  # outcome of a poll that saw an item waiting in quarantine
PAUSED = "paused"  # outcome: the item's source is paused; the item waits, pending, for the pause to end
DRAFTING_OFF = "drafting_off"  # skip rule id: the source's config says drafting = false
EXTERNAL_ID_MAX = 500  # items.external_id column width


@dataclass(frozen=True)
class Arrival:
    """The ingest stage's output: the item recorded for a polled message (``items`` row, audited
    ``ingested`` when new). ``outcome`` is :data:`DUPLICATE` / :data:`STILL_QUARANTINED` when the
    item is already finished (nothing left to run), else None: the item is to be claimed."""

    item_id: int
    correlation_id: str
    state: str
    is_new: bool
    outcome: str | None = None


@dataclass(frozen=True)
class Claim:
    """The claim of an item for one attempt (``attempts`` counted, state ``processing``).

    ``action``: ``process`` (run the stages), ``deliver`` (the item is ``routed``: deliver its
    saved draft) or ``done`` (``outcome`` says why: finished meanwhile, or quarantined because
    its attempts ran out)."""

    item_id: int
    correlation_id: str
    attempts: int
    action: Literal["process", "deliver", "done"]
    outcome: str | None = None


@dataclass
class Prepared:
    """Analyse, first part (CPU: context, redaction, prompt; no model call). ``avoid_model`` is
    why the model must not be asked (an inbound prompt injection, attachments only), else None."""

    msg: InboundMessage
    source_name: str | None
    context: ItemContext
    redacted: RedactedContext
    prompt: Prompt
    inbound_text: str
    link_domains: list[str]
    avoid_model: str | None
    variant: Variant | None = None  # chosen once, before drafting (agent/release/variants.py)
    budget: dict | None = None  # the prompt's token budget and what it cut (agent/token_budget.py: BudgetReport.as_record)
    grounding_errors: list[str] = field(default_factory=list)  # a failed knowledge retrieval or CRM lookup (the item went on without it)
    snippets: list = field(default_factory=list)  # the knowledge snippets as retrieved (unmasked; redacted.snippets are the model's, masked)


@dataclass
class Drafted:
    """Analyse, second part (model-bound: the draft and the risk assessment with its reviewer,
    inside the item's outbound scope). ``chatter``: kinds of model chatter stripped."""

    prepared: Prepared
    draft: DraftResult
    chatter: list[str]
    risk: RiskResult
    outbound: OutboundReport


@dataclass
class Analysis:
    """Everything the pipeline computed for one item before recording (used by dry runs too)."""

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
    risk: RiskResult | None = None  # the risk assessment (agent/risk.py); always set by the analyse stage
    disclosure: DisclosureStep | None = None  # the pack's disclosures the system appended (agent/disclosure.py)
    variant: Variant | None = None  # the variant that drafted (prompt, drafter, pack; agent/release/variants.py)
    grounding: dict | None = None  # snippets, citations, budget, style (agent/grounding.py: grounding_record); stored on the draft


@dataclass(frozen=True)
class SavedDraft:
    """The latest recorded draft of an item, as the deliver stage needs it. ``body_text`` None:
    purged by retention. ``findings``: (rule id, severity name) of its policy findings;
    ``review_open``: a review task of the item is open (a reviewer's approval is in progress)."""

    id: int
    body_text: str | None
    body_html: str | None
    language: str | None
    intent: str
    confidence: float
    provider: str
    fallback_used: bool
    findings: tuple[tuple[str, str], ...]
    review_open: bool


@dataclass(frozen=True)
class StoredRisk:
    """The item's latest stored risk assessment: ranked (category, score), score, must-review."""

    ranked: list[tuple[str, float]]
    score: float
    must_review: bool
