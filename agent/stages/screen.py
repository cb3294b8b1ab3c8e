"""The stages before drafting: skip check (2), validate (3), route before drafting (3a).

Each is a function of the message and the config; none touches storage or a network (the
local risk signals of :mod:`agent.skip_guard` run in memory). What they decide is recorded by
:mod:`agent.recorder`.
"""

from __future__ import annotations

from agent import skip_guard
from agent.config import LimitsConfig, Settings
from agent.context import build_context
from agent.errors import BadInputError
from agent.models import Action, InboundMessage, RoutingDecision, SkipReason
from agent.ports import Source
from agent.risk import RiskStage, SkipCheck
from agent.stages.addressing import own_addresses
from agent.stages.types import DRAFTING_OFF
from rules.routing import Router, pre_draft_facts


def skip_check(msg: InboundMessage, source: Source | None, *, settings: Settings, risk: RiskStage) -> tuple[SkipReason | None, SkipCheck | None]:
    """The skip rule for ``msg`` (:func:`rules.skip.skip_reason`) and its check against the local
    risk signals (:mod:`agent.skip_guard`); ``(None, None)`` when no rule fires. Without a
    ``source`` only ``organisation.own_addresses`` count as our own mail."""
    return skip_guard.skip_check(msg, sorted(own_addresses(settings, source)), risk=risk, settings=settings)


def drafting_off(settings: Settings, source_name: str) -> SkipReason | None:
    """The skip of a source whose config says ``drafting = false`` (before any model call), else None."""
    if settings.drafting_enabled(source_name):
        return None
    return SkipReason(rule=DRAFTING_OFF, detail=f"{source_name}: drafting = false")


def validate(msg: InboundMessage, limits: LimitsConfig) -> None:
    """Raise BadInputError for an empty or oversized body (the item is quarantined). A message
    with attachments and no text is not empty: it goes to a person (agent/attachments_only.py)."""
    where = f"{msg.source}/{msg.external_id}"
    if not msg.text_body.strip() and not msg.attachments:
        raise BadInputError(where, "empty body: no text to answer")
    if len(msg.text_body.encode("utf-8", "replace")) > limits.max_body_bytes:
        raise BadInputError(where, f"body larger than limits.max_body_bytes={limits.max_body_bytes}")


def route_before_draft(msg: InboundMessage, *, router: Router, settings: Settings) -> RoutingDecision | None:
    """The routing decision when the current rules can make it from pre-draft facts alone
    (see :meth:`rules.routing.Router.decide_before_draft`), else None."""
    if not router.may_decide_before_draft:
        return None
    language = build_context(msg, max_chars=settings.limits.max_prompt_chars).language
    return router.decide_before_draft(pre_draft_facts(msg, inbound_language=language))


def skip_before_draft(msg: InboundMessage, *, router: Router, risk: RiskStage, settings: Settings) -> tuple[RoutingDecision | None, SkipCheck | None]:
    """A routing rule's ``skip`` decided before drafting, with its local risk check: ``(decision,
    check)`` when a pre-draft rule says skip (``check.allowed`` False: refused, the item is
    analysed), ``(None, None)`` otherwise (no early decision, or one that is not a skip: the
    item is analysed and routed after drafting as before)."""
    early = route_before_draft(msg, router=router, settings=settings)
    if early is None or early.action != Action.skip:
        return None, None
    return early, skip_guard.check_skip(msg, early.rule_id, risk=risk, settings=settings)
