"""False positives seen on the example mailbox, kept fixed."""

from __future__ import annotations

from rules.policy import load_policy_pack

PACK = load_policy_pack("rules/policy_pack.toml")


def _check(draft: str, inbound: str, draft_pii=(), inbound_values=frozenset()):
    return PACK.check(
        draft_text=draft,
        inbound_text=inbound,
        draft_language="en",
        inbound_language="en",
        inbound_pii_values=set(inbound_values),
        draft_pii=list(draft_pii),
        allowed_link_domains={"northwind.example"},
        org_values={"Northwind Advisory"},
    )


def test_etc_is_not_an_investment_topic_but_etfs_are():
    assert not [f for f in _check("Thanks, we will send the forms, letters etc. shortly.", "Please send the forms etc.") if f.rule_id.startswith("disclosures")]
    assert [f for f in _check("We will look into it.", "Should I move my savings into ETFs?") if f.rule_id.startswith("disclosures")]


def test_greeting_inside_a_person_span_is_not_a_leak():
    draft = "Dear Bob Simple,\n\nThank you."
    found = _check(draft, "Hello from Bob", draft_pii=[("PERSON", 0, 15, "Dear Bob Simple")], inbound_values={"Bob Simple"})
    assert not [f for f in found if f.rule_id.startswith("pii_leak")]
    other = _check("Dear Carol Jones,", "Hello", draft_pii=[("PERSON", 0, 16, "Dear Carol Jones")], inbound_values={"Bob Simple"})
    assert [f for f in other if f.rule_id.startswith("pii_leak")]
