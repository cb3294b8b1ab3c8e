"""Names in the forms a blind tuning set of client mail wrote them (agent/pii/recognisers.py,
agent/pii/names.py): a lower-case name with its particles or a listed surname on the last line,
French hyphenated initials ("J.-P."), the Dutch salutation "Geachte heer", an Italian surname the
English lexicon knows as a noun, an Italian name with "Lo" written in capitals. Every test goes
through the real Redactor; the values are invented."""

from __future__ import annotations

import pytest

from tests.redaction.test_recognisers import redact as _redact


def _persons(pm) -> list[str]:
    return [v for ph, v in pm.mapping.items() if ph.startswith("<PERSON")]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("bitte die abbuchung ab dezember.\n\nunsere adresse: ahornweg 3, 50996 köln\n\nmaarten van 't zand\nm.vantzand@posteo.de", "maarten van 't zand"),
        ("il numero cliente e 5510928374\n\nenzo de santis", "enzo de santis"),
        ("niet meer in schiedam vanaf oktober\n\nkees bakker\n06 2455 1908", "kees bakker"),
        ("IBAN pour l'indemnisation : voir ci-dessus\n\nBien à vous,\nJ.-L. Vanderborght", "J.-L. Vanderborght"),
        ("Geachte heer Visser,\n\nIn de bijlage de getekende offerte.", "Visser"),
        ("La casa è in ristrutturazione.\n\nCordiali saluti,\nGiuseppina Colombo", "Giuseppina Colombo"),
        ("Polizza AGR/2026/00417\n\nMarisa Cappelletti", "Marisa Cappelletti"),
        ("VI PREGO DI INVIARE IL RIMBORSO AL MIO INDIRIZZO:\nSALVATORE LO BIANCO\nVIA ROMA 12, 90100 PALERMO", "SALVATORE LO BIANCO"),
    ],
)
def test_name_forms_are_masked_whole(redactor, text, name):
    out, pm = _redact(redactor, text)
    assert name not in out and any(name in v for v in _persons(pm)), (out, pm.mapping)


@pytest.mark.parametrize(
    "text",
    [
        "grazie mille\n\ntutto bene",  # two ordinary words on the last line
        "Ho comprato una Pizza Margherita e un Cappuccino al bar.",  # no growth leftwards over "Pizza"
    ],
)
def test_ordinary_words_stay(redactor, text):
    out, pm = _redact(redactor, text)
    assert not any(" " in v for v in _persons(pm)), pm.mapping  # "Margherita" alone is a listed first name (a known false positive)
