"""Unit tests of the flow fixes of issue 11 (the end-to-end proof is tests/e2e/test_flow_governance.py):
the plausible-name check and name case, the reply subject of a message without one, the
disclosure step with the shipped policy pack, the attachments-only decision, the preview source."""

from __future__ import annotations

import pytest

from agent.attachments_only import RULE, route_to_person
from agent.config import Settings
from agent.disclosure import ADDED_RULE, add_required_disclosures, added_findings
from agent.errors import ConfigError
from agent.greeting import generic_greeting, name_case, plausible_person_name
from agent.header_guard import restore_for_draft
from agent.models import (
    Action,
    Address,
    AttachmentInfo,
    InboundMessage,
    PlaceholderMap,
    RoutingDecision,
    Severity,
)
from agent.preview import FILE_SOURCE, preview_source
from agent.reply import greeting_name, reply_subject
from rules.policy import DEFAULT_PACK_PATH, load_policy_pack

NOT_ADVICE = "This email does not constitute investment advice."
PAST_PERF = "Past performance is not a reliable indicator of future results."


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("xxx", False), ("XXX", False), ("Test", False), ("test user", False), ("Admin", False), ("noreply", False),
        ("HAHA LOLO", False), ("Haha Lolo", False), ("lol", False), ("Riak User", False), ("Acme Support", False),
        ("Platform Team", False), ("ASDF QWERTY", False),
        ("bob", True), ("JOHN SMITH", True), ("Jean DUPONT", True), ("chidi okafor", True), ("Lulu Smith", True),
        ("Zhang Wei", True), ("Ana López", True),
        # a department or a company's legal form names a firm's mailbox; particles do not count towards the four words
        ("Einkauf Sonnenberg AG", False), ("Sonnenberg GmbH", False), ("Ufficio Acquisti", False), ("Comptabilité Dupont SARL", False),
        ("Bakker Installatie BV", False), ("Rosa Lindqvist AB", False),
        ("Lucía Inés Gómez de la Vega", True), ("Jan Willem van der Meulen", True), ("Jan Willem Karel Frederik van der Meulen", False),
        ("de la", False),
    ],
)
def test_plausible_person_name_rejects_placeholders_jokes_and_system_names(name, ok):
    assert plausible_person_name(name) is ok


@pytest.mark.parametrize(
    ("name", "cased"),
    [
        ("bob", "Bob"), ("mary o'neill", "Mary O'Neill"), ("JOHN SMITH", "John Smith"), ("ronald mcdonald", "Ronald McDonald"),
        ("ludwig van beethoven", "Ludwig van Beethoven"), ("anne-marie dubois", "Anne-Marie Dubois"),
        ("Jean DUPONT", "Jean DUPONT"), ("McKenzie", "McKenzie"), ("maría garcía", "María García"),
    ],
)
def test_name_case(name, cased):
    assert name_case(name) == cased


def test_greeting_name_and_restore_use_name_case():
    assert greeting_name("bob") == "Bob" and greeting_name("smith, john") == "John Smith"
    assert greeting_name("xxx") == greeting_name("Riak User") == greeting_name("HAHA LOLO") == ""
    ph = PlaceholderMap(mapping={"<PERSON_1>": "bob", "<PERSON_2>": "HAHA LOLO"})
    assert restore_for_draft("Dear <PERSON_1>,\n\nHello.", ph, header="bob", language="en").text.startswith("Dear Bob,")
    out = restore_for_draft("Buongiorno <PERSON_2>,\n\nGrazie.", ph, header="HAHA LOLO", language="it")
    assert out.text.startswith(generic_greeting("it")) and "HAHA" not in out.text


@pytest.mark.parametrize(
    ("subject", "language", "expected"),
    [("", None, "Re: your message"), ("  ", "en", "Re: your message"), ("", "de", "Re: Ihre Nachricht"), ("Re:", "fr", "Re: votre message"),
     ("", "es", "Re: su mensaje"), ("", "it", "Re: il suo messaggio"), ("", "nl", "Re: uw bericht"), ("", "ga", "Re: your message"),
     ("Factuur", "nl", "Re: Factuur")],
)
def test_reply_subject_of_a_message_without_subject(subject, language, expected):
    assert reply_subject(subject, language) == expected


@pytest.fixture(scope="module")
def pack():
    return load_policy_pack(DEFAULT_PACK_PATH)


DRAFT = "Dear Ms Shah,\n\nThank you for your message.\n\nKind regards,\nNorthwind Client Services"


def test_the_disclosure_step_appends_the_packs_sentences_and_records_them(pack):
    step = add_required_disclosures(DRAFT, pack=pack, inbound_text="How have my portfolio returns looked over the past year?")
    assert step.added == ("disclosures.not_investment_advice", "disclosures.past_performance")
    assert step.text == f"{DRAFT}\n\n{NOT_ADVICE} {PAST_PERF}" and step.text[step.start :] == f"{NOT_ADVICE} {PAST_PERF}"
    findings = added_findings(step)
    assert [(f.rule_id, f.severity, f.excerpt) for f in findings] == [(ADDED_RULE, Severity.info, "")] * 2
    assert pack.missing_disclosures(draft_text=step.text, inbound_text="portfolio returns") == []
    # nothing to add: the draft is returned as it is
    assert add_required_disclosures(DRAFT, pack=pack, inbound_text="Where is my parcel?").text == DRAFT
    assert add_required_disclosures(f"{DRAFT}\n\n{NOT_ADVICE}", pack=pack, inbound_text="my pension").added == ()


def test_no_disclaimer_dresses_up_advice(pack):
    advice = "Dear Ms Shah,\n\nYou should buy Tesla shares now.\n\nKind regards,\nNorthwind"
    step = add_required_disclosures(advice, pack=pack, inbound_text="Which shares should I buy?")
    assert step.text == advice and step.added == () and "prohibited.personal_advice" in step.withheld
    assert added_findings(step) == []


def _msg(text: str, attachments: int) -> InboundMessage:
    att = [AttachmentInfo(filename=f"f{i}.pdf", content_type="application/pdf", size_bytes=10) for i in range(attachments)]
    return InboundMessage(source="maildir:local", external_id="x", sender=Address(email="a@client.example"), subject="s", text_body=text, attachments=att)


def test_attachments_only_always_reaches_a_person():
    draft = RoutingDecision(rule_id="default", action=Action.draft)
    out = route_to_person(_msg("", 2), draft, group="client-services")
    assert (out.rule_id, out.action, out.group) == (RULE, Action.escalate, "client-services")
    assert out.reasons[0] == "attachments only, no text (2 attachments)"
    security = RoutingDecision(rule_id="risk-security", action=Action.escalate, group="security")
    kept = route_to_person(_msg(" \n", 1), security, group="client-services")
    assert (kept.rule_id, kept.group) == ("risk-security", "security") and kept.reasons[-1].startswith("attachments only")
    assert route_to_person(_msg("Hello", 1), draft, group="client-services") is draft


def test_preview_source():
    settings = Settings.model_validate({"sources": {"maildir": [{"name": "local", "path": "/tmp/box", "drafts_path": "/tmp/d", "from_address": "support@northwind.example"}]}})
    assert preview_source(settings) == preview_source(settings, "local") == preview_source(settings, "maildir:local") == "maildir:local"
    with pytest.raises(ConfigError, match="not a configured source"):
        preview_source(settings, "m365")
    assert preview_source(Settings()) == FILE_SOURCE
