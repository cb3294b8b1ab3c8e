"""Risk facts through the real rule-engine parser, and the default rules config.example.toml ships
(issue 11): every risk category reaches its reviewer group; must-review without a category goes to
client-services; ordinary mail is drafted."""

from __future__ import annotations

import pytest

from agent.config import EXAMPLE_CONFIG, RoutingConfig, load_config
from agent.models import Action, DraftOutput, DraftResult, RoutingDecision
from agent.risk import ENFORCED_RULE, enforce
from rules.risk.taxonomy import CATEGORIES, GROUPS, group_of
from rules.routing import PRE_DRAFT_FACTS, Router, risk_facts, routing_facts
from tests.unit.fakes import message


def facts(categories=(), score=0.0, must_review=False, intent="information_request", confidence=0.9):
    draft = DraftResult(
        output=DraftOutput(reply="x", intent=intent, confidence=confidence, reasons=[]),
        provider="openai",
        model="m",
        prompt_template_id="reply/v1",
        prompt_hash="h",
    )
    return routing_facts(message(), draft, [], language="en", inbound_language="en", risk=risk_facts(categories, score, must_review))


@pytest.fixture(scope="module")
def example():
    settings = load_config(EXAMPLE_CONFIG)
    return settings, Router(settings.routing)


@pytest.mark.parametrize(
    "expr, cats, score, expected",
    [
        ('"fraud_report" in risk_categories', ["fraud_report"], 0.9, True),
        ('"fraud_report" in risk_categories', ["complaint"], 0.9, False),
        ("risk_score >= 0.7", ["complaint"], 0.71, True),
        ("risk_score >= 0.7", ["complaint"], 0.69, False),
        ('risk_categories.to_set & {"bereavement", "vulnerability"}', ["vulnerability", "complaint"], 0.5, True),
        ('risk_categories.to_set & {"bereavement", "vulnerability"}', ["complaint"], 0.5, False),
        ("risk_must_review", [], 0.0, False),
    ],
)
def test_risk_facts_in_rule_engine_expressions(expr, cats, score, expected):
    router = Router(RoutingConfig.model_validate({"rules": [{"id": "r", "when": expr, "action": "hold"}]}))
    assert (router.decide(facts(cats, score, bool(cats))).rule_id == "r") is expected


def test_risk_facts_are_not_known_before_drafting():
    assert not {"risk_categories", "risk_score", "risk_must_review"} & PRE_DRAFT_FACTS
    router = Router(RoutingConfig.model_validate({"rules": [{"id": "r", "when": "risk_must_review", "action": "skip"}]}))
    assert not router.may_decide_before_draft


def test_risk_score_outside_0_1_is_refused():
    with pytest.raises(ValueError, match="risk_score"):
        risk_facts(["complaint"], 1.5, True)


def test_example_config_declares_every_taxonomy_group(example):
    settings, _ = example
    assert set(GROUPS) <= {g.name for g in settings.reviewer_groups}
    assert settings.risk.fallback_group == "client-services"


@pytest.mark.parametrize("category", [c.id for c in CATEGORIES])
def test_example_config_sends_each_category_to_its_group(example, category):
    _, router = example
    d = router.decide(facts([category], 0.9, True))
    assert (d.action, d.group) == (Action.escalate, group_of(category)), d


def test_example_config_must_review_without_category_goes_to_client_services(example):
    _, router = example
    d = router.decide(facts([], 0.0, True))
    assert (d.rule_id, d.action, d.group) == ("risk-must-review", Action.escalate, "client-services")


def test_example_config_drafts_ordinary_mail_whatever_the_intent(example):
    _, router = example
    # the drafter's investment_advice intent no longer escalates by itself (general questions are drafted)
    assert router.decide(facts(intent="investment_advice")).action == Action.draft
    assert router.decide(facts(intent="complaint")).action == Action.draft


def test_example_config_with_no_reply_intent_on_a_risky_item_is_escalated(example):
    _, router = example
    # the risk rules come first; and enforce() stands behind any rule order
    d = router.decide(facts(["bereavement"], 0.8, True, intent="no_reply_needed"))
    assert (d.action, d.group) == (Action.escalate, "vulnerable-customers")


@pytest.mark.parametrize("action", [Action.draft, Action.skip])
def test_enforce_turns_placing_or_skipping_a_must_review_item_into_an_escalation(action):
    dec = RoutingDecision(rule_id="no-reply-needed", action=action)
    out = enforce(dec, [("fraud_report", 0.8), ("complaint", 0.9)], True, groups=set(GROUPS), fallback_group="client-services")
    assert (out.rule_id, out.action, out.group) == (ENFORCED_RULE, Action.escalate, "security")
    assert "no-reply-needed" in out.reasons[0]


def test_enforce_uses_the_fallback_group_when_the_category_group_is_not_declared():
    dec = RoutingDecision(rule_id="default", action=Action.draft)
    out = enforce(dec, [("bereavement", 0.8)], True, groups={"reviewers"}, fallback_group="reviewers")
    assert out.group == "reviewers"
    out = enforce(dec, [], True, groups={"reviewers", "client-services"}, fallback_group="client-services")
    assert (out.action, out.group) == (Action.escalate, "client-services")


@pytest.mark.parametrize("action", [Action.escalate, Action.hold])
def test_enforce_keeps_escalations_and_holds_and_ordinary_items(action):
    dec = RoutingDecision(rule_id="x", action=action, group="compliance" if action == Action.escalate else None)
    assert enforce(dec, [("complaint", 0.9)], True, groups=set(), fallback_group="client-services") is dec
    ordinary = RoutingDecision(rule_id="default", action=Action.draft)
    assert enforce(ordinary, [], False, groups=set(), fallback_group="client-services") is ordinary
