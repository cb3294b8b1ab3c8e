"""CRM context for mail (issue 14): a message from a known Salesforce contact gets the contact's
account and open cases, allow-listed fields only, through the same redaction; simple-salesforce
against the local Salesforce test server (tests/salesforce/sf_fake.py, HTTPS on 127.0.0.1)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tenacity import wait_none

sys.path.insert(0, str(Path(__file__).parents[1] / "salesforce"))

from sf_fake import FakeSalesforce  # noqa: E402
from sf_testkit import Seeder  # noqa: E402

from agent.config import SalesforceSourceConfig  # noqa: E402
from agent.drafting_config import DraftingConfig  # noqa: E402
from connectors.salesforce.auth import SalesforceClient  # noqa: E402
from connectors.salesforce.crm import SalesforceContactLookup  # noqa: E402
from tests.unit.fakes import message  # noqa: E402


@pytest.fixture
def org(ca, ca_trusted):
    with FakeSalesforce(ca) as fake:
        yield fake, Seeder(fake)


def _lookup(fake, **drafting) -> SalesforceContactLookup:
    cfg = SalesforceSourceConfig(name="acme", domain=fake.domain, case_fields_allow_list=["CaseNumber", "Subject", "Status", "Product__c"])
    env = {"DRAFTGUARD_SF_CLIENT_ID": fake.app.client_id, "DRAFTGUARD_SF_CLIENT_SECRET": fake.app.client_secret}
    client = SalesforceClient(cfg, source_name="salesforce:acme", wait=wait_none(), env=env)
    return SalesforceContactLookup(cfg, DraftingConfig(**drafting), client=client)


def test_known_contact_gets_account_and_open_cases_with_allow_listed_fields_only(org):
    fake, seed = org
    open_case = seed.case("Widget Pro invoice", status="New")
    seed.case("Old question", status="Closed")
    ctx = _lookup(fake).context_for("hank@globex.example")
    assert ctx["Account.Name"] == "Globex Corporation"
    number = fake.org.run(__import__("sf_fake").parse_soql(f"SELECT CaseNumber FROM Case WHERE Id = '{open_case['Id']}'"))[0]["CaseNumber"]
    assert ctx[f"Case {number}.Subject"] == "Widget Pro invoice" and ctx[f"Case {number}.Status"] == "New"
    assert not any("Old question" in v for v in ctx.values())  # closed cases are not context
    assert not any("VIP" in v for v in ctx.values())  # Internal_Notes__c is not allow-listed
    assert _lookup(fake).context_for("nobody@unknown.example") == {}
    assert _lookup(fake, crm_open_cases=0).context_for("hank@globex.example") == {"Account.Name": "Globex Corporation"}


def test_mail_from_a_known_contact_is_drafted_with_crm_context_through_redaction(org, make_pipeline):
    fake, seed = org
    seed.case("Widget Pro invoice", status="New")
    p = make_pipeline(crm=_lookup(fake))
    msg = message(sender=("Hank Scorpio", "hank@globex.example"), subject="Invoice", text="Hello, where is my invoice for the Widget Pro order? Thanks")
    a = p.analyse(msg)
    assert "Account.Name" in a.prompt.user and "Status: New" in a.prompt.user
    assert "hank@globex.example" not in a.prompt.user and "Hank" not in a.prompt.user  # redacted like all client data
    assert a.grounding["crm_fields"] and "Account.Name" in a.grounding["crm_fields"]
    other = p.analyse(message(sender=("Ann Lee", "ann@else.example"), text="Hello, where is my invoice for the order? Thanks"))
    assert "Case fields" not in other.prompt.user and other.grounding["crm_fields"] == []


def test_a_failed_lookup_drafts_without_crm_context_and_says_why(org, make_pipeline):
    fake, _ = org
    lookup = _lookup(fake)
    lookup.client._env = {}  # no secrets: the sign-in fails with ConfigError
    p = make_pipeline(crm=lookup)
    a = p.analyse(message(sender=("Hank Scorpio", "hank@globex.example"), text="Hello, where is my invoice for the order? Thanks"))
    assert "Case fields" not in a.prompt.user
    assert any("CRM lookup failed" in e for e in a.grounding["errors"])
