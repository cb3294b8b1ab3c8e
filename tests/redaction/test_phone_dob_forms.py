"""Phone numbers with an extension word or a Latin American phone word, and dates of birth in the
DD-Mon-YYYY form (written_samples_7 round). Through the real Redactor, on invented values."""

from __future__ import annotations

import re

import pytest

from tests.redaction.test_recognisers import redact


def _values(pm, entity: str) -> list[str]:
    return [v for k, v in pm.mapping.items() if k.startswith(f"<{entity}_")]


@pytest.mark.parametrize(
    "mail, number",
    [
        ("Bonjour,\nVous pouvez me joindre au 514 555-0187 poste 32 en après-midi.\nMerci", "514 555-0187 poste 32"),
        ("Hi,\nCall me on 020 7946 0958 ext. 214 after 3pm.\nThanks", "020 7946 0958 ext. 214"),
        ("Hola,\nmi celu es 11 4823-7765, llamame cuando puedas.", "11 4823-7765"),
    ],
)
def test_a_phone_number_is_masked_whole(redactor, mail, number):
    text, pm = redact(redactor, mail)
    assert number not in text, text
    assert number in _values(pm, "PHONE_NUMBER"), pm.mapping
    assert not re.search(r"\d", re.sub(r"<[A-Z_]+_\d+>|3pm", "", text)), text  # no digit of the extension is left


@pytest.mark.parametrize(
    "mail, kept",
    [
        ("Please ring 020 7946 0958 and ask for room 12 at reception.", "room 12"),
        ("hola, el celu tiene 128 GB y la pantalla rota", "128 GB"),
    ],
)
def test_what_follows_a_number_or_a_phone_word_stays(redactor, mail, kept):
    text, _ = redact(redactor, mail)
    assert kept in text, text


@pytest.mark.parametrize(
    "mail, date",
    [
        ("Please add my mother, DOB 14-Mar-1938, to the policy.", "14-Mar-1938"),
        ("My son was born 3/Nov/2009 in Leeds.", "3/Nov/2009"),
        ("Bitte meine Tochter aufnehmen, geb. 21-Okt-2015.", "21-Okt-2015"),
    ],
)
def test_a_date_of_birth_with_the_month_abbreviated_is_masked(redactor, mail, date):
    text, pm = redact(redactor, mail)
    assert date not in text, text
    assert date in _values(pm, "DATE_OF_BIRTH"), pm.mapping


def test_a_date_without_a_birth_word_is_no_date_of_birth(redactor):
    _, pm = redact(redactor, "The invoice dated 14-Mar-2024 is attached; payment is due 28-Mar-2024.")
    assert not _values(pm, "DATE_OF_BIRTH"), pm.mapping
