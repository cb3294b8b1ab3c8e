"""Names in the forms of the w12 tuning set: lower-case names on no list (Yoruba, Punjabi, Korean,
Akan …) where only a name stands, a Vietnamese surname that looks like a particle, and a
signature of initials without stops (agent/pii/name_patterns.py, agent/pii/name_growth.py,
agent/pii/words.misspelt_english_word). Every test goes through the real Redactor; the values
are invented."""

from __future__ import annotations

import pytest

from tests.redaction.test_recognisers import redact as _redact


def _persons(pm) -> list[str]:
    return [v for ph, v in pm.mapping.items() if ph.startswith("<PERSON")]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("hello this is babatunde olawale calling about my annuity please call back", "babatunde olawale"),
        ("i have a question about my isa. my customer number is on the form. i am gurpreet.", "gurpreet"),
        ("my wife min-seo had an accident on the bridge, nobody hurt", "min-seo"),
        ("for the form please contact chiamaka on 08035551234 after five", "chiamaka"),
        ("please add my wife as nominee - her name is lakshmi subramaniam, dob on file", "lakshmi subramaniam"),
        ("will call on friday if no reply. thanks\nanjali\n", "anjali"),
        ("call my son on 0803 555 0101 or me kehinde alade on 0805 555 0177. thanks", "kehinde alade"),
        ("my name is losa and husband tevita, our number is 027 555 0133", "tevita"),
    ],
)
def test_a_lower_case_name_on_no_list_where_only_a_name_stands(redactor, text, name):
    out, pm = _redact(redactor, text)
    assert name not in out and any(name in v for v in _persons(pm)), (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("hi, i am realy worried about the payment.", "realy"),
        ("this is unacceptible. i want my money back", "unacceptible"),
        ("i am abit confused by the letter.", "abit"),
        ("my husband recieved a letter about the pension", "recieved"),
        ("please call me on 0803 555 0142 tomorrow", "me"),
        ("i'm gonna call the branch tomorrow", "gonna"),
    ],
)
def test_typos_and_chat_words_in_those_places_are_no_names(redactor, text, word):
    out, pm = _redact(redactor, text)
    assert not any(word in v.split() for v in _persons(pm)), (out, pm.mapping)


def test_a_two_letter_surname_that_looks_like_a_particle_ends_the_name(redactor):
    out, pm = _redact(redactor, "She prefers that you call me instead: Kevin Lo, 0491 570 111.")
    assert "Kevin Lo" in _persons(pm) and "Lo," not in out, (out, pm.mapping)


def test_a_signature_of_initials_and_a_surname(redactor):
    out, pm = _redact(redactor, "The certificate is now correct.\n\nThanks,\nWK Tan\n(08) 9555 0177\n")
    assert "WK Tan" in _persons(pm), (out, pm.mapping)


@pytest.mark.parametrize("text", ["Thanks,\nHR Team\n", "Regards,\nIT Support\n"])
def test_a_department_signature_is_no_name(redactor, text):
    out, pm = _redact(redactor, text)
    assert not _persons(pm), (out, pm.mapping)
