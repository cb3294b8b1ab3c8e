"""First-match routing over rule-engine expressions."""

from __future__ import annotations

import pytest

from agent.config import RoutingConfig
from agent.errors import ConfigError
from agent.models import Action, DraftOutput, DraftResult, Finding, Severity
from rules.routing import FACT_NAMES, Router, risk_facts, routing_facts
from tests.unit.fakes import message

RULES = RoutingConfig.model_validate(
    {
        "rules": [
            {"id": "injection", "when": '"prompt_injection" in finding_families', "action": "escalate", "group": "security"},
            {"id": "severe", "when": "max_severity >= 3", "action": "escalate", "group": "compliance", "case_actions": {"Priority": "High"}},
            {"id": "vip", "when": 'sender_domain == "bigclient.example" and confidence < 0.9', "action": "hold"},
            {"id": "thanks", "when": 'intent == "thanks"', "action": "skip"},
        ],
        "default_action": "draft",
    }
)


def facts(findings=(), intent="information_request", confidence=0.8, sender=("Ann", "ann@client.example")):
    draft = DraftResult(
        output=DraftOutput(reply="x", intent=intent, confidence=confidence, reasons=[]),
        provider="template",
        model="templates/v1",
        prompt_template_id="t",
        prompt_hash="h",
    )
    return routing_facts(message(sender=sender), draft, list(findings), language="en", inbound_language="en", risk=risk_facts([], 0.0, False))


def test_facts_have_every_documented_name():
    assert set(facts()) == set(FACT_NAMES)


def test_first_matching_rule_wins():
    inj = Finding(rule_id="prompt_injection.override_instructions", severity=Severity.high)
    d = Router(RULES).decide(facts([inj]))
    assert (d.rule_id, d.action, d.group) == ("injection", Action.escalate, "security")  # not "severe"


def test_severity_rule_carries_case_actions():
    d = Router(RULES).decide(facts([Finding(rule_id="commitments.refund", severity=Severity.high)]))
    assert d.rule_id == "severe" and d.case_actions == {"Priority": "High"}


def test_medium_finding_falls_through_to_default():
    d = Router(RULES).decide(facts([Finding(rule_id="commitments.price", severity=Severity.medium)]))
    assert (d.rule_id, d.action) == ("default", Action.draft)


@pytest.mark.parametrize("conf, rule", [(0.5, "vip"), (0.95, "default")])
def test_expressions_combine_facts(conf, rule):
    assert Router(RULES).decide(facts(confidence=conf, sender=("B", "b@bigclient.example"))).rule_id == rule


def test_skip_action():
    assert Router(RULES).decide(facts(intent="thanks")).action == Action.skip


@pytest.mark.parametrize("expr", ["max_severity >>= 3", "unknown_fact == 1", "finding_ids + 1"])
def test_bad_expression_is_a_config_error_naming_the_rule(expr):
    cfg = RoutingConfig.model_validate({"rules": [{"id": "a", "when": "true", "action": "draft"}, {"id": "b", "when": expr, "action": "hold"}]})
    with pytest.raises(ConfigError, match=r"routing\.rules\[1\] \(b\)\.when"):
        Router(cfg)
