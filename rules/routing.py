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
sender                    str      the client's mail address, lower case (``"ann@client.example"``)
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
risk_categories           list     risk category ids the risk stage raised (``"fraud_report"``; see
                                   :mod:`rules.risk.taxonomy`), sorted
risk_score                float    0..1, the highest category score (0.0 for ordinary mail)
risk_must_review          bool     the risk stage says a person must see the item (a category, a
                                   failed model review, signals that disagree, a truncated scan)
========================  =======  ===============================================

Examples with the risk facts: ``"fraud_report" in risk_categories``, ``risk_score >= 0.7``,
``risk_categories.to_set & {"bereavement", "vulnerability"}`` (any of them), ``risk_must_review``.
Whatever the rules say, the pipeline never places or skips a must-review item
(:func:`agent.risk.enforce`).

The facts in :data:`PRE_DRAFT_FACTS` are known before anything is drafted. When the first
rule that matches uses only those, and every rule before it does too (or no rule matches
and all of them do), the decision cannot depend on the draft:
:meth:`Router.decide_before_draft` returns it, and the pipeline skips such an item without
calling the model (a skip-all rule, ``when = "true"``, never sends anything to a model).
"""

from __future__ import annotations

from dataclasses import dataclass

import rule_engine

from agent.config import RoutingConfig
from agent.errors import ConfigError
from agent.models import Action, DraftResult, Finding, InboundMessage, RoutingDecision, Severity

FACT_NAMES = (
    "source",
    "source_kind",
    "sender",
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
    "risk_categories",
    "risk_score",
    "risk_must_review",
)


#: Facts known before drafting: the message and its detected language only.
PRE_DRAFT_FACTS = frozenset({"source", "source_kind", "sender", "sender_domain", "inbound_language", "has_attachments", "thread_length"})


def pre_draft_facts(msg: InboundMessage, *, inbound_language: str) -> dict:
    """The facts of :data:`PRE_DRAFT_FACTS` for ``msg`` (``inbound_language``: ISO 639-1 or ``und``)."""
    return {
        "source": msg.source,
        "source_kind": msg.source.split(":", 1)[0],
        "sender": msg.sender.email.strip().lower(),
        "sender_domain": msg.sender.domain,
        "inbound_language": inbound_language,
        "has_attachments": bool(msg.attachments),
        "thread_length": len(msg.thread),
    }


def risk_facts(categories, score: float, must_review: bool) -> dict:
    """The three risk facts from an assessment's category ids, score (0..1) and must-review flag.
    Raises ValueError for a score outside 0..1 (a stored value that is not a score)."""
    score = float(score)
    if not 0.0 <= score <= 1.0:
        raise ValueError(f"risk_score must be within 0..1, not {score}")
    return {"risk_categories": sorted({str(c) for c in categories}), "risk_score": score, "risk_must_review": bool(must_review)}


def saved_draft_facts(
    msg: InboundMessage,
    *,
    intent: str,
    confidence: float,
    provider: str,
    fallback_used: bool,
    findings: list[tuple[str, str]],
    language: str,
    inbound_language: str,
    risk: dict,
) -> dict:
    """All facts from stored values: a saved draft's intent, confidence, provider and fallback
    flag, its findings as ``(rule_id, severity name)`` (``"high"``; unknown names count as
    critical, so they never lower a severity), its language, and ``risk`` (:func:`risk_facts`
    of the item's risk assessment). Used to route a saved draft again under the current rules
    before it is delivered."""
    sev = [int(Severity.__members__.get(name.lower(), Severity.critical)) for _, name in findings]
    return {
        **pre_draft_facts(msg, inbound_language=inbound_language),
        "intent": intent,
        "confidence": float(confidence),
        "provider": provider,
        "fallback_used": bool(fallback_used),
        "finding_ids": sorted({r for r, _ in findings}),
        "finding_families": sorted({r.split(".", 1)[0] for r, _ in findings}),
        "max_severity": max(sev, default=-1),
        "finding_count": len(findings),
        "language": language,
        **{k: risk[k] for k in ("risk_categories", "risk_score", "risk_must_review")},
    }


def routing_facts(
    msg: InboundMessage, draft: DraftResult, findings: list[Finding], *, language: str, inbound_language: str, risk: dict
) -> dict:
    """The fact dict routing rules are evaluated on (see the module docstring); ``risk`` is
    :func:`risk_facts` of the item's risk assessment (``agent/risk.py``)."""
    return saved_draft_facts(
        msg,
        intent=draft.output.intent,
        confidence=draft.output.confidence,
        provider=draft.provider,
        fallback_used=draft.fallback_used,
        findings=[(f.rule_id, f.severity.name) for f in findings],
        language=language,
        inbound_language=inbound_language,
        risk=risk,
    )


@dataclass(frozen=True)
class RuleResult:
    """One rule evaluated on one item's facts (see :meth:`Router.explain`)."""

    rule_id: str
    when: str
    action: str
    matched: bool | None  # None: the expression could not be evaluated on these facts
    decides: bool  # the first rule that matched: its action is the decision
    error: str | None = None


class Router:
    """Compiled routing rules. Raises ConfigError (key ``routing.rules[i].when``) on a bad expression."""

    def __init__(self, cfg: RoutingConfig):
        self.cfg = cfg
        resolve = rule_engine.type_resolver_from_dict(_FACT_TYPES)
        self._rules: list[tuple[object, rule_engine.Rule, frozenset[str]]] = []
        for i, r in enumerate(cfg.rules):
            used: set[str] = set()

            def track(name: str, used=used):
                used.add(name)
                return resolve(name)

            try:
                # a context per rule: rule-engine asks the type resolver for each symbol it parses,
                # which tells which facts the rule reads
                rule = rule_engine.Rule(r.when, context=rule_engine.Context(type_resolver=track))
            except rule_engine.errors.EngineError as exc:
                raise ConfigError(f"invalid expression {r.when!r}: {exc.message}", key=f"routing.rules[{i}] ({r.id}).when") from exc
            self._rules.append((r, rule, frozenset(used)))

    @property
    def may_decide_before_draft(self) -> bool:
        """True when :meth:`decide_before_draft` can answer at all (the first rule, if any, reads
        only pre-draft facts); lets the pipeline skip computing those facts otherwise."""
        return not self._rules or self._rules[0][2] <= PRE_DRAFT_FACTS

    @staticmethod
    def _decision(cfg) -> RoutingDecision:
        return RoutingDecision(
            rule_id=cfg.id,
            action=Action(cfg.action),
            group=cfg.group,
            case_actions=dict(cfg.case_actions),
            reasons=[f"rule {cfg.id}: {cfg.when}"],
        )

    def decide(self, facts: dict) -> RoutingDecision:
        """The decision of the first rule whose expression is true, else the default action."""
        for cfg, rule, _used in self._rules:
            if rule.matches(facts):
                return self._decision(cfg)
        return self._default()

    def explain(self, facts: dict) -> list[RuleResult]:
        """Every rule's result on ``facts``, in order (all evaluated, for ``draft --dry-run``);
        ``decides`` marks the first match, the one :meth:`decide` uses. An expression that
        cannot be evaluated on these facts has ``matched`` None and the engine's message."""
        out: list[RuleResult] = []
        decided = False
        for cfg, rule, _used in self._rules:
            try:
                matched, error = bool(rule.matches(facts)), None
            except rule_engine.errors.EngineError as exc:
                matched, error = None, exc.message
            out.append(RuleResult(cfg.id, cfg.when, cfg.action, matched, bool(matched) and not decided, error))
            decided = decided or bool(matched)
        return out

    def decide_before_draft(self, facts: dict) -> RoutingDecision | None:
        """The decision when it cannot depend on the draft, else None.

        ``facts`` holds :data:`PRE_DRAFT_FACTS`. Rules are walked in order: a rule that reads
        any other fact ends the walk (None: the draft is needed); the first pre-draft rule that
        matches decides; when every rule is pre-draft and none matches, the default action
        decides. :meth:`decide` on the full facts later gives the same answer."""
        for cfg, rule, used in self._rules:
            if not used <= PRE_DRAFT_FACTS:
                return None
            if rule.matches(facts):
                return self._decision(cfg)
        return self._default()

    def _default(self) -> RoutingDecision:
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
    "sender": _T.STRING,
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
    "risk_categories": _T.ARRAY(_T.STRING),
    "risk_score": _T.FLOAT,
    "risk_must_review": _T.BOOLEAN,
}
