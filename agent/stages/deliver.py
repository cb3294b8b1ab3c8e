"""The deliver stage (11a) and the escalate stage's case actions (11b), without storage.

:func:`route_saved_draft` routes a saved draft again under the current config before an
automatic delivery; :func:`deliver_reply` hands the reply to the source (idempotent on the
reply's key, retried on transient errors); :func:`apply_case_actions` runs an escalation's case
actions. The item flow (:mod:`agent.flow`) records what they did through :mod:`agent.recorder`.
"""

from __future__ import annotations

from tenacity import Retrying

from agent.config import Settings
from agent.context import build_context
from agent.models import Action, DeliveryReceipt, InboundMessage, ReplyDraft, RoutingDecision
from agent.ports import Source
from agent.risk import RiskStage, enforce, local_assessment, ranked_categories
from agent.stages.addressing import own_addresses
from agent.stages.types import DRAFTING_OFF, SavedDraft, StoredRisk
from rules.routing import Router, risk_facts, saved_draft_facts
from rules.skip import skip_reason


def route_saved_draft(
    msg: InboundMessage,
    source: Source,
    saved: SavedDraft,
    stored_risk: StoredRisk | None,
    *,
    settings: Settings,
    router: Router,
    risk: RiskStage,
) -> RoutingDecision | None:
    """Route a saved draft again under the current config, before it is delivered: the
    source's ``drafting`` switch, the skip rules, then the routing rules on the facts of the
    saved draft and its findings (the message re-read now). ``stored_risk`` is the item's latest
    risk assessment; None (analysed before the risk stage existed): the message is assessed now
    (lexicon, classifier, normaliser on the clear text; nothing stored or shown). Returns None
    when the answer is still "draft" (deliver), else the decision to apply instead."""
    if not settings.drafting_enabled(source.name):
        return RoutingDecision(rule_id=DRAFTING_OFF, action=Action.skip, reasons=[f"{source.name}: drafting = false"])
    ctx = build_context(msg, max_chars=settings.limits.max_prompt_chars)
    if stored_risk is None:
        a = local_assessment(msg, ctx.latest_text, max_chars=settings.limits.max_prompt_chars)
        stored_risk = StoredRisk(ranked_categories({c: h.score for c, h in a.categories.items()}), a.score, a.must_review)
    ranked, score, must_review = stored_risk.ranked, stored_risk.score, stored_risk.must_review
    reason = skip_reason(msg, settings.organisation, sorted(own_addresses(settings, source)))
    if reason is not None:  # a must-review item is never skipped (agent/risk.py: enforce)
        skip = RoutingDecision(rule_id=f"skip:{reason.rule}", action=Action.skip, reasons=[f"skip rule {reason.rule}"])
        return enforce(skip, ranked, must_review, groups=risk.groups, fallback_group=risk.fallback_group)
    facts = saved_draft_facts(
        msg,
        intent=saved.intent,
        confidence=saved.confidence,
        provider=saved.provider,
        fallback_used=saved.fallback_used,
        findings=list(saved.findings),
        language=saved.language or "und",
        inbound_language=ctx.language,
        risk=risk_facts([c for c, _ in ranked], score, must_review),
    )
    decision = enforce(router.decide(facts), ranked, must_review, groups=risk.groups, fallback_group=risk.fallback_group)
    return None if decision.action == Action.draft else decision


def deliver_reply(source: Source, msg: InboundMessage, reply: ReplyDraft, retrying: Retrying) -> DeliveryReceipt:
    """``source.deliver`` under ``retrying`` (transient errors retried with backoff). The
    connector looks for ``reply.idempotency_key`` before writing, so a retry never writes twice.
    Raises what the last try raised (DeliveryError, SourceThrottledError, …)."""
    receipt = None
    for attempt in retrying:
        with attempt:
            receipt = source.deliver(msg, reply)
    return receipt


def apply_case_actions(source: Source, msg: InboundMessage, actions: dict[str, str], retrying: Retrying) -> list[str]:
    """An escalation's case actions (Salesforce field updates, queue moves) under ``retrying``;
    returns what the source did. Raises what the last try raised."""
    done: list[str] = []
    for attempt in retrying:
        with attempt:
            done = source.apply_case_actions(msg, actions)
    return done
