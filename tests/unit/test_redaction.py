"""Placeholder stability, restoration, allow-list and offline behaviour of the Presidio redactor."""

from __future__ import annotations

import socket

import pytest

from agent.models import ItemContext, PlaceholderMap
from agent.redaction import restore


def ctx(text: str, subject: str = "Question", name: str = "Maria Gonzalez", email: str = "maria.gonzalez@client.example") -> ItemContext:
    return ItemContext(subject=subject, sender_name=name, sender_email=email, latest_text=text)


def test_same_value_gets_the_same_placeholder_everywhere(redactor):
    r = redactor.pseudonymise(
        ctx(
            "Hello, I am Maria Gonzalez. Please call Maria Gonzalez back on +1 415 867 5309. "
            "My card 4111 1111 1111 1111 was charged twice; card 4111 1111 1111 1111 again.",
            subject="Card charged twice for Maria Gonzalez",
        )
    )
    assert "Maria" not in r.latest_text and "Maria" not in r.subject
    assert "4111" not in r.latest_text and "867 5309" not in r.latest_text
    m = r.placeholders.mapping
    person = next(ph for ph, v in m.items() if v == "Maria Gonzalez")
    card = next(ph for ph, v in m.items() if v.startswith("4111"))
    assert r.latest_text.count(person) == 2 and person in r.subject
    assert r.latest_text.count(card) == 2
    assert sum(1 for v in m.values() if v.startswith("4111")) == 1  # one placeholder per value


def test_restore_puts_values_back_and_reports_unknown_placeholders():
    pm = PlaceholderMap(mapping={"<PERSON_1>": "Maria Gonzalez", "<EMAIL_ADDRESS_1>": "maria@client.example"})
    text, unknown = restore("Dear <PERSON_1>, we wrote to <EMAIL_ADDRESS_1> and <PERSON_7>.", pm)
    assert text == "Dear Maria Gonzalez, we wrote to maria@client.example and <PERSON_7>."
    assert unknown == ["<PERSON_7>"]


def test_round_trip_of_redacted_text_is_lossless(redactor):
    original = "Hi, Maria Gonzalez here, account 99887766, IBAN DE89370400440532013000, maria.gonzalez@client.example."
    r = redactor.pseudonymise(ctx(original))
    restored, unknown = restore(r.latest_text, r.placeholders)
    assert restored == original and unknown == []


def test_organisation_names_and_domains_are_allow_listed(redactor):
    r = redactor.pseudonymise(ctx("Thanks Northwind Advisory, I wrote to help@northwind.example and see northwind.example/faq."))
    assert "Northwind Advisory" in r.latest_text
    assert "help@northwind.example" in r.latest_text


def test_sender_name_is_replaced_even_where_ner_misses_it(redactor):
    r = redactor.pseudonymise(ctx("regards, gonzalez", name="Maria Gonzalez"))
    assert "gonzalez" not in r.latest_text.lower()


def test_redactor_makes_no_network_calls(redactor, monkeypatch):
    def refuse(*a, **kw):
        raise AssertionError(f"network call attempted: {a}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    spans = redactor.analyze("Visit https://shop.example.co.uk/x or mail bob@example.org, from 10.0.0.1")
    assert {s.entity for s in spans} >= {"URL", "EMAIL_ADDRESS"}


def test_missing_spacy_model_fails_closed_without_downloading(monkeypatch):
    def refuse(*a, **kw):
        raise AssertionError(f"download attempted: {a}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    from agent.config import OrganisationConfig, RedactionConfig
    from agent.errors import RedactionError
    from agent.redaction import Redactor

    with pytest.raises(RedactionError, match="no_such_model"):
        Redactor(RedactionConfig(spacy_model="no_such_model"), OrganisationConfig())


def test_placeholders_are_numbered_in_reading_order(redactor):
    r = redactor.pseudonymise(ctx("First card 4111 1111 1111 1111, second card 5500 0000 0000 0004.", name="", email="x@client.example"))
    first, second = r.latest_text.index("<CREDIT_CARD_1>"), r.latest_text.index("<CREDIT_CARD_2>")
    assert first < second
    assert r.placeholders.mapping["<CREDIT_CARD_1>"].startswith("4111")
