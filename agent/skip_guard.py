"""Skips before drafting, checked against the local risk signals (issue 11).

The pipeline may end an item before anything is drafted: a skip rule fires
(:func:`rules.skip.skip_reason`: auto-reply, bounce, bulk and no-reply headers, all client-written
and so forgeable) or a routing rule on pre-draft facts says ``skip``
(:meth:`rules.routing.Router.decide_before_draft`). Either would end the item before the risk
stage, so a forged ``Auto-Submitted: auto-replied`` could silence a fraud report. Here every such
skip is checked by :meth:`agent.risk.RiskStage.check_skip` (lexicon, classifier, normaliser on the
clear text; no model call, nothing stored or sent): the skip stands for ordinary mail (a real
auto-reply still costs no model call), and is refused when they raise a risk category other than
prompt injection (:attr:`agent.risk.SkipCheck.allowed`); the item is then
analysed like any other and reaches a person through :func:`agent.risk.enforce`. A refusal is a
reason of the item's decision (:func:`with_refusals`) and is audited in its ``routed`` event
(``skip_refused``: rule, category ids and scores; no text).
"""

from __future__ import annotations

import logging

from agent.config import Settings
from agent.context import build_context
from agent.models import InboundMessage, RoutingDecision, SkipReason
from agent.risk import RiskStage, SkipCheck
from rules.skip import skip_reason

log = logging.getLogger("draftguard.pipeline")


def check_skip(msg: InboundMessage, rule: str, *, risk: RiskStage, settings: Settings) -> SkipCheck:
    """The local risk check of a skip by ``rule`` (``skip:auto_reply``, a routing rule id)."""
    latest = build_context(msg, max_chars=settings.limits.max_prompt_chars).latest_text
    return risk.check_skip(msg, latest, rule)


def skip_check(msg: InboundMessage, own_addresses: list[str], *, risk: RiskStage, settings: Settings) -> tuple[SkipReason | None, SkipCheck | None]:
    """The skip rule that fires for ``msg`` (``own_addresses``: where drafts are written from) and
    its :func:`check_skip`; ``(None, None)`` when no rule fires."""
    reason = skip_reason(msg, settings.organisation, own_addresses)
    return (reason, check_skip(msg, f"skip:{reason.rule}", risk=risk, settings=settings)) if reason else (None, None)


def with_refusals(decision: RoutingDecision, refused: list[SkipCheck]) -> RoutingDecision:
    """``decision`` with one reason per refused skip (``skip skip:auto_reply refused:
    fraud_report 0.93 (must review)``), so a reviewer sees that the mail claimed to need no answer."""
    if not refused:
        return decision
    for check in refused:
        log.info("%s: the item was analysed", check.line())
    return decision.model_copy(update={"reasons": [*decision.reasons, *(c.line() for c in refused)]})
