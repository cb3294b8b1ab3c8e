"""End to end: config → jobs.bootstrap (build_sources) → the real pipeline (Presidio, template
drafter, policy pack, routing) → simple-salesforce → the fake org; then a second run and a
crash between the Salesforce write and our database commit."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, select

from agent.config import Settings
from agent.reply import idempotency_key
from connectors.salesforce.source import html_marker
from jobs.bootstrap import bootstrap
from storage.models import AuditEvent, Delivery, Item, ItemState

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow  # loads the spaCy model


@pytest.fixture
def settings(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("DRAFTGUARD_SF_CLIENT_ID", fake.app.client_id)
    monkeypatch.setenv("DRAFTGUARD_SF_CLIENT_SECRET", fake.app.client_secret)
    return Settings.model_validate(
        {
            "organisation": {"name": "Ours Ltd", "domains": ["ours.example"], "own_addresses": ["support@ours.example"], "signature": "Ours Support"},
            "sources": {
                "salesforce": [
                    {
                        "name": "acme",
                        "domain": fake.domain,
                        "queues": ["Support_EN"],
                        "case_fields_allow_list": ["CaseNumber", "Subject", "Priority"],
                        "from_address": "support@ours.example",
                    }
                ]
            },
            "routing": {
                "rules": [
                    {
                        "id": "legal",
                        "when": 'intent == "legal"',
                        "action": "escalate",
                        "group": "compliance",
                        "case_actions": {"Priority": "High", "owner_queue": "Escalations"},
                    }
                ]
            },
            "policy": {"pack": str(ROOT / "rules" / "policy_pack.toml")},
            "storage": {"url": f"sqlite:///{tmp_path / 'dg.db'}"},
            "limits": {"retry_initial_seconds": 0, "retry_max_seconds": 0},
            "base_dir": str(tmp_path),
        }
    )


def test_cases_to_drafts_and_case_actions_through_the_pipeline(fake, seed, settings):
    question = seed.case("Invoice copy")
    q_mail = seed.email(question, "Hello, could you send me a copy of the May invoice?")
    threat = seed.case("Broken widget")
    seed.email(threat, "This is the third time. My lawyer will start legal action if it is not fixed.")

    rt = bootstrap(settings)
    try:
        src = rt.source("salesforce:acme")
        summary = rt.pipeline.run_source(src)
        assert summary.counts[ItemState.DRAFTED] == 1 and summary.counts[ItemState.ESCALATED] == 1
        assert fake.api_calls() == 4  # 1 poll + 1 draft create + queue lookup + 1 case PATCH

        (draft,) = [r for r in fake.org.tables["EmailMessage"].values() if r["Status"] == "5"]
        key = idempotency_key("salesforce:acme", q_mail["Id"])
        assert draft["ParentId"] == question["Id"] and draft["ReplyToEmailMessageId"] == q_mail["Id"]
        assert draft["HtmlBody"].endswith(html_marker(key))
        assert draft["Subject"] == "Re: Invoice copy" and draft["ToAddress"] == "hank@globex.example"
        assert draft["TextBody"].startswith("Dear Hank Scorpio,") and "Invoice copy" not in draft["TextBody"]  # never restates the subject (9.1)

        case = fake.org.tables["Case"][threat["Id"]]
        assert case["Priority"] == "High" and case["OwnerId"] == seed.escalations["Id"]
        with rt.session_factory() as s:
            events = [e.event for e in s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()]
            (delivery,) = s.execute(select(Delivery)).scalars()
        assert "case_actions" in events and "delivered" in events
        assert (delivery.target, delivery.target_ref, delivery.created) == ("salesforce:acme:EmailMessage", draft["Id"], True)

        # Second run: nothing new; one query, no writes.
        calls = fake.api_calls()
        again = rt.pipeline.run_source(src)
        assert again.counts[ItemState.DRAFTED] == 0 and fake.api_calls() - calls == 1
    finally:
        rt.close()

    # Crash between the Salesforce write and our commit: the item is still "routed" and no
    # delivery row exists. A fresh process resumes it: fetch (1 query) finds our draft, no second one.
    with rt.session_factory() as s:
        item = s.execute(select(Item).where(Item.external_id == q_mail["Id"])).scalar_one()
        item.state = ItemState.ROUTED
        s.execute(delete(Delivery))
        s.commit()
    rt2 = bootstrap(settings)
    try:
        calls = fake.api_calls()
        resumed = rt2.pipeline.run_source(rt2.source("salesforce:acme"))
        assert resumed.counts[ItemState.DRAFTED] == 1
        assert len([r for r in fake.org.tables["EmailMessage"].values() if r["Status"] == "5"]) == 1
        assert fake.api_calls() - calls == 2  # fetch + the poll; no lookup, no create
        with rt2.session_factory() as s:
            (delivery,) = s.execute(select(Delivery)).scalars()
        assert delivery.created is False and delivery.target_ref == draft["Id"]
    finally:
        rt2.close()
