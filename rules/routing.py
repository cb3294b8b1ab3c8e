"""Declarative first-match routing over the item, the draft and the findings.

Each rule's ``when`` is a `rule-engine <https://zerosteiner.github.io/rule-engine/>`_
expression evaluated against the facts from :func:`routing_facts`, for example::

    max_severity >= 3
    "prompt_injection" in finding_ids
    intent in ["legal", "complaint"] and confidence < 0.8

Facts (all always present):

========================  =======  ===============================================
source                    str      configured source name (``"maildir:local"``)
source_kind               str      ``maildir`` / ``outlook`` / ``salesforce``
sender_domain             str      the client's mail domain
intent                    str      the draft's intent (see agent.models.INTENTS)
confidence                float    0..1
provider                  str      ``openai`` or ``template``
fallback_used             bool     the template drafter was used
finding_ids               list     rule ids of all findings (``"commitments.refund"``)
finding_families          list     the part of each rule id before the first dot (``"commitments"``)
max_severity              int      0 (info) .. 4 (critical); -1 when no finding
finding_count             int
language / inbound_language str    ISO 639-1 or ``und``
has_attachments           bool
thread_length             int      earlier messages in the conversation
========================  =======  ===============================================
"""

from __future__ import annotations

import rule_engine

from agent.config import RoutingConfig
from agent.errors import ConfigError
from agent.models import Action, DraftResult, Finding, InboundMessage, RoutingDecision

FACT_NAMES = (
    "source",
    "source_kind",
    "sender_domain",
    "intent",
    "confidence",
    "provider",
    "fallback_used",
    "finding_ids",
    "finding_families",
    "max_severity",
    "finding_count",
    "language",
    "inbound_language",
    "has_attachments",
    "thread_length",
)


def routing_facts(
    msg: InboundMessage, draft: DraftResult, findings: list[Finding], *, language: str, inbound_language: str
) -> dict:
    """The fact dict routing rules are evaluated on (see the module docstring)."""
    return {
        "source": msg.source,
        "source_kind": msg.source.split(":", 1)[0],
        "sender_domain": msg.sender.domain,
        "intent": draft.output.intent,
        "confidence": float(draft.output.confidence),
        "provider": draft.provider,
        "fallback_used": draft.fallback_used,
        "finding_ids": sorted({f.rule_id for f in findings}),
        "finding_families": sorted({f.rule_id.split(".", 1)[0] for f in findings}),
        "max_severity": max((int(f.severity) for f in findings), default=-1),
        "finding_count": len(findings),
        "language": language,
        "inbound_language": inbound_language,
        "has_attachments": bool(msg.attachments),
        "thread_length": len(msg.thread),
    }


class Router:
    """Compiled routing rules. Raises ConfigError (key ``routing.rules[i].when``) on a bad expression."""

    def __init__(self, cfg: RoutingConfig):
        self.cfg = cfg
        ctx = rule_engine.Context(type_resolver=rule_engine.type_resolver_from_dict(_FACT_TYPES))
        self._rules: list[tuple[object, rule_engine.Rule]] = []
        for i, r in enumerate(cfg.rules):
            try:
                self._rules.append((r, rule_engine.Rule(r.when, context=ctx)))
            except rule_engine.errors.EngineError as exc:
                raise ConfigError(f"invalid expression {r.when!r}: {exc.message}", key=f"routing.rules[{i}].when") from exc

    def decide(self, facts: dict) -> RoutingDecision:
        """The decision of the first rule whose expression is true, else the default action."""
        for cfg, rule in self._rules:
            if rule.matches(facts):
                return RoutingDecision(
                    rule_id=cfg.id,
                    action=Action(cfg.action),
                    group=cfg.group,
                    case_actions=dict(cfg.case_actions),
                    reasons=[f"rule {cfg.id}: {cfg.when}"],
                )
        action = Action(self.cfg.default_action)
        return RoutingDecision(
            rule_id="default",
            action=action,
            group=self.cfg.default_group if action == Action.escalate else None,
            reasons=["no routing rule matched"],
        )


_T = rule_engine.DataType
_FACT_TYPES = {
    "source": _T.STRING,
    "source_kind": _T.STRING,
    "sender_domain": _T.STRING,
    "intent": _T.STRING,
    "confidence": _T.FLOAT,
    "provider": _T.STRING,
    "fallback_used": _T.BOOLEAN,
    "finding_ids": _T.ARRAY(_T.STRING),
    "finding_families": _T.ARRAY(_T.STRING),
    "max_severity": _T.FLOAT,
    "finding_count": _T.FLOAT,
    "language": _T.STRING,
    "inbound_language": _T.STRING,
    "has_attachments": _T.BOOLEAN,
    "thread_length": _T.FLOAT,
}
