"""The outbound check's own rules (agent/outbound_guard.py): what it finds, what it must leave alone.
The whole path (pipeline, openai client, local server) is in tests/e2e/test_no_pii_to_model.py."""

from __future__ import annotations

import pytest

from agent.config import load_config
from agent.models import PlaceholderMap, RedactedContext
from agent.outbound_guard import OutboundBlocked, OutboundGuard, OutboundReport, outbound_decision
from agent.prompts import render_prompt
from tests.e2e.helpers import ROOT


def _found(guard: OutboundGuard, text: str, pm: PlaceholderMap | None = None) -> list[tuple[str, str]]:
    return [(h.entity, text[h.start : h.end]) for h in guard.scan(text, pm)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call 020 7946 0958 or +44 (0)20 7946 0958", [("PHONE_NUMBER", "020 7946 0958"), ("PHONE_NUMBER", "+44 (0)20 7946 0958")]),
        ("card 4111 1111 1111 1112 (fails Luhn)", [("CREDIT_CARD", "4111 1111 1111 1112")]),
        ("SSN 536-22-8741", [("US_SSN", "536-22-8741")]),
        ("customer no. 20240001", [("ID_NUMBER", "20240001")]),
        ("IBAN DE89370400440532013000 please", [("IBAN_CODE", "DE89370400440532013000")]),
        ("write to name@client.internal", [("EMAIL_ADDRESS", "name@client.internal")]),
        ("I was born on 14 March 1979.", [("DATE_OF_BIRTH", "14 March 1979")]),
        ("geboren am 04.11.1986", [("DATE_OF_BIRTH", "04.11.1986")]),
        ("Flat 3, 27 Abbey Road, London NW8 9AY", [("LOCATION", "27 Abbey Road"), ("LOCATION", "NW8 9AY")]),
        ("1432 Maple Avenue, Springfield, IL 62704", [("LOCATION", "1432 Maple Avenue"), ("LOCATION", "IL 62704")]),
        ("Hauptstraße 5\n10115 Berlin", [("LOCATION", "Hauptstraße 5"), ("LOCATION", "10115 Berlin")]),
        ("12 rue de la Paix, 75002 Paris", [("LOCATION", "12 rue de la Paix"), ("LOCATION", "75002 Paris")]),
        ("Via Garibaldi 21 and Calle Mayor 7", [("LOCATION", "Via Garibaldi 21"), ("LOCATION", "Calle Mayor 7")]),
        ("hersnapvej 18 and ul. Narewska 94", [("LOCATION", "hersnapvej 18"), ("LOCATION", "ul. Narewska 94")]),
        ("Ottawa K1A 0B1", [("LOCATION", "K1A 0B1")]),
        ("in ARENDAL 4844 and Sweden 67626", [("LOCATION", "ARENDAL 4844"), ("LOCATION", "Sweden 67626")]),
    ],
)
def test_strict_patterns_find_what_clients_write(text, expected):
    assert _found(OutboundGuard(), text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Dear <PERSON_1>, your card <CREDIT_CARD_12> and <LOCATION_3>",  # placeholders
        "Am 14.03.2024 um 10:05 schrieb Northwind; Zeitraum 01.03.-15.03.2024",  # dates, a date range
        "calendar 2004-2008, then 2009/10",  # year ranges
        "Betrag 1.234.567,89 EUR, $ 12 500 000, 1,250,000 shares",  # amounts
        "invoice 2291, order 123456, ISO 9001, MARCH 2024, 2019 Annual report",  # short numbers, years
        "write to support@northwind.example",  # our own domain
        "bring 3 copies, monitoring 24/7, a 10 minutes walk, Route 66",
    ],
)
def test_ordinary_text_placeholders_and_our_own_values_are_not_findings(text):
    assert _found(OutboundGuard(own_domains=["northwind.example"]), text) == []


def test_every_value_of_the_placeholder_map_in_any_form():
    pm = PlaceholderMap(mapping={"<PERSON_1>": "Harriet Okonkwo-Blake", "<PHONE_NUMBER_1>": "020 7946 0958", "<PERSON_2>": "dmitri volkov"})
    text = "Dear <PERSON_1>: 02079460958 / 020-7946-0958; HARRIET wrote; Okonkwo-Blake; Volkov, Dmitri"
    found = _found(OutboundGuard(), text, pm)
    assert found == [
        ("PHONE_NUMBER", "02079460958"),
        ("PHONE_NUMBER", "020-7946-0958"),
        ("PERSON", "HARRIET"),
        ("PERSON", "Okonkwo-Blake"),
        ("PERSON", "Volkov, Dmitri"),
    ]


def test_refuse_names_types_never_values_and_mask_reuses_known_placeholders():
    pm = PlaceholderMap(mapping={"<PHONE_NUMBER_1>": "020 7946 0958"})
    messages = [{"role": "system", "content": "Rules."}, {"role": "user", "content": "call 02079460958 or 0161 496 0000, mail x@y.lan"}]
    report = OutboundReport()
    with pytest.raises(OutboundBlocked) as err:
        OutboundGuard("refuse").inspect(messages, pm, report)
    assert err.value.found == {"PHONE_NUMBER": 2, "EMAIL_ADDRESS": 1} and not err.value.transient
    assert "0161" not in str(err.value) and "x@y.lan" not in str(err.value) and "PHONE_NUMBER 2" in str(err.value)
    assert report.action == "refused"

    report = OutboundReport()
    out = OutboundGuard("mask").inspect(messages, pm, report)
    assert out[1]["content"] == "call <PHONE_NUMBER_1> or <PHONE_NUMBER_2>, mail <EMAIL_ADDRESS_1>"
    assert pm.mapping == {"<PHONE_NUMBER_1>": "020 7946 0958", "<PHONE_NUMBER_2>": "0161 496 0000", "<EMAIL_ADDRESS_1>": "x@y.lan"}
    assert pm.detectors["<EMAIL_ADDRESS_1>"] == "OutboundGuard"
    assert report.as_audit() == {"action": "masked", "found": {"EMAIL_ADDRESS": 1, "PHONE_NUMBER": 2}, "requests": 1}


def test_the_rendered_prompt_with_our_signature_and_template_words_is_clean(tmp_path):
    """The example config's organisation values and the template's own words are not findings,
    even when the redactor tagged a template word ("Subject") as a name."""
    settings = load_config(ROOT / "config.example.toml")
    org = settings.organisation.model_copy(update={"signature": "Northwind Client Services\n1 King Street, London EC2V 8AU\n+44 20 7000 0000"})
    settings = settings.model_copy(update={"organisation": org})
    ctx = RedactedContext(
        subject="Re: <PERSON_1>", sender_name="<PERSON_1>", latest_text="Hello,\n\nplease confirm.\n\n<PERSON_1>", language="en",
        placeholders=PlaceholderMap(mapping={"<PERSON_1>": "Subject"}),
    )  # fmt: skip
    prompt = render_prompt("reply/v1", ctx, organisation=org.name, signature=org.signature, link_domains=["northwind.example"])
    guard = OutboundGuard.from_settings(settings)
    assert "+44 20 7000 0000" in prompt.user and "Subject:" in prompt.user
    assert guard.scan(prompt.system, ctx.placeholders) == [] and guard.scan(prompt.user, ctx.placeholders) == []


def test_a_refused_item_goes_to_a_person_whatever_the_routing_rules_say():
    from agent.models import Action, RoutingDecision

    refused = OutboundReport(action="refused")
    refused.found.update({"LOCATION": 1})
    drafted = RoutingDecision(rule_id="draft-everything", action=Action.draft)
    d = outbound_decision(refused, drafted, "client-services")
    assert (d.rule_id, d.action, d.group) == ("outbound_pii_blocked", Action.escalate, "client-services")
    legal = RoutingDecision(rule_id="legal", action=Action.escalate, group="compliance", reasons=["rule legal: intent"])
    d = outbound_decision(refused, legal, "client-services")
    assert (d.rule_id, d.group, d.reasons[1:]) == ("outbound_pii_blocked", "compliance", ["rule legal: intent"])
    assert "LOCATION 1" in d.reasons[0]
    assert outbound_decision(OutboundReport(action="clean"), drafted, "client-services") is drafted


def test_a_name_is_checked_whole_and_by_its_name_parts_never_by_its_ordinary_words():
    """A detector took an ordinary word into a name ("Laura Adams Customer"), or a display name
    holds role words and particles ("Service Facturation", "Tim van Leeuwen"): those words alone
    are not personal (the redactor does not mask them alone either); the names and their name
    parts are, in any case."""
    text = "Our customer survey: Adams wrote; LAURA ADAMS CUSTOMER signed."
    found = PlaceholderMap(mapping={"<PERSON_1>": "Laura Adams Customer"}, detectors={"<PERSON_1>": "SpacyRecognizer"})
    assert _found(OutboundGuard(), text, found) == [("PERSON", "Adams"), ("PERSON", "LAURA ADAMS CUSTOMER")]
    known = PlaceholderMap(mapping={"<PERSON_1>": "Tim van Leeuwen", "<PERSON_2>": "Service Facturation"}, detectors={"<PERSON_1>": "Seed", "<PERSON_2>": "Seed"})
    text = "Het overzicht van de service de facturation komt. Tim schreef; leeuwen; SERVICE FACTURATION"
    assert _found(OutboundGuard(), text, known) == [("PERSON", "Tim"), ("PERSON", "leeuwen"), ("PERSON", "SERVICE FACTURATION")]


def test_a_detectors_one_word_ordinary_name_and_salutations_are_not_findings_real_names_are():
    pm = PlaceholderMap(
        mapping={"<PERSON_1>": "design", "<PERSON_2>": "Olivia", "<PERSON_3>": "Billing Team", "<PERSON_4>": "Olga Petrenko"},
        detectors={"<PERSON_1>": "NameListRecognizer", "<PERSON_2>": "NameListRecognizer", "<PERSON_3>": "Seed", "<PERSON_4>": "Seed"},
    )
    text = "Dear Team, thanks for the design review invite from billing. Regards, Olivia (Petrenko)"
    assert _found(OutboundGuard(), text, pm) == [("PERSON", "Olivia"), ("PERSON", "Petrenko")]


def test_a_found_names_word_that_redaction_left_as_a_word_is_no_finding():
    """Redaction masks "Ruby", "Rosa" or "Bill" where they name someone and leaves them where they
    are words ("a ruby ring", "rosa Mappe", "the bill"): a detector-found name's single words are
    matched only capitalised, and not at all when they are English or French words; the whole
    name, and every part of a name the item knew from its headers, in any case."""
    found = PlaceholderMap(
        mapping={"<PERSON_1>": "Ruby", "<PERSON_2>": "Rosa Hartmann", "<PERSON_3>": "Bill Okafor", "<PERSON_4>": "Iris Vance"},
        detectors={f"<PERSON_{i}>": "NameListRecognizer" for i in range(1, 5)},
    )
    text = "A ruby ring in the rosa Mappe; the bill and the iris. Then Ruby, Rosa and Bill wrote; ROSA HARTMANN; okafor"
    assert _found(OutboundGuard(), text, found) == [("PERSON", "Ruby"), ("PERSON", "Rosa"), ("PERSON", "Bill"), ("PERSON", "ROSA HARTMANN")]
    assert _found(OutboundGuard(), "Bill me later. Hope you are well", found) == []  # lexicon words at a sentence start
    known = PlaceholderMap(mapping={"<PERSON_1>": "Ruby Okafor"}, detectors={"<PERSON_1>": "Seed"})
    assert _found(OutboundGuard(), "a ruby ring for okafor", known) == [("PERSON", "ruby"), ("PERSON", "okafor")]


def test_a_short_one_word_value_matches_only_as_written():
    """A short place the NER found ("US" of "my US passport", a province "ON") is matched only as
    written: a new user's request was refused because the prompt said "us" elsewhere. A longer
    one ("Leeds") in any case."""
    pm = PlaceholderMap(
        mapping={"<LOCATION_1>": "US", "<LOCATION_2>": "ON", "<LOCATION_3>": "Leeds"},
        detectors={f"<LOCATION_{i}>": "SpacyRecognizer" for i in range(1, 4)},
    )
    text = "Tell us on the form about my US passport; Toronto ON; leeds"
    assert _found(OutboundGuard(), text, pm) == [("LOCATION", "US"), ("LOCATION", "ON"), ("LOCATION", "leeds")]
