"""Names, dates and references in records, JSON and CSV pastes, and in sentences (the shapes of the w14 tuning
set: agent/pii/cues.py FIELD_LABELS and NAME_IS, name_patterns "field label + name", number_recognisers
dob_recogniser and the labelled reference, the ISIN rule of iban_like_recogniser). Through the real Redactor;
the values are invented."""

from __future__ import annotations

import pytest

from tests.redaction.test_recognisers import redact as _redact


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Her name's Morag MacLeod, account 6600419283.", ["Morag", "MacLeod"]),
        ("Beneficiary change; name: Faith Adeyemi-Clarke; relation: daughter; share: 100%", ["Faith", "Adeyemi-Clarke"]),
        ('[{"surname":"Baker","given":"Thomas","role":"policyholder"},{"surname":"Baker","given":"Hope"}]', ["Baker", "Thomas", "Hope"]),
        ('{"nome":"Chiara","cognome":"Rinaldi","indirizzo":"Via Roma 3"}', ["Chiara", "Rinaldi"]),
    ],
)
def test_a_name_after_its_label_in_a_sentence_record_or_json_is_masked(redactor, text, names):
    out, pm = _redact(redactor, text)
    for n in names:
        assert n not in out, (out, pm.mapping)


@pytest.mark.parametrize("text", ["The name's not important, we can chat later.", "Status: Pending; contact: Support Team"])
def test_a_label_before_ordinary_words_names_nobody(redactor, text):
    out, pm = _redact(redactor, text)
    assert out == text, (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("Here is the row:\n\nsurname,first_name,dob,street\nHalvorsen,Ingrid,1979-06-02,511 Lakeview Dr\n", ["1979-06-02"]),
        (
            "The letter has my date of birth wrong:\n\nREF 55120-K | KOWALSKI | Marta | 14/09/1988 | 32 Hollybush Lane\n\nIt should be 14/08/1988.",
            ["14/09/1988", "14/08/1988"],
        ),
    ],
)
def test_a_date_in_a_record_or_a_correction_in_a_message_about_a_birth_date_is_masked(redactor, text, dates):
    out, pm = _redact(redactor, text)
    for d in dates:
        assert d not in out and d in pm.mapping.values(), (out, pm.mapping)


def test_a_corrected_date_without_a_birth_date_in_the_message_stays(redactor):
    out, _ = _redact(redactor, "The meeting should be 14/08/2026, thanks.")
    assert "14/08/2026" in out, out


def test_a_reference_with_a_check_letter_after_its_label_is_masked(redactor):
    out, _ = _redact(redactor, "Your ref 55120-K please")
    assert "55120" not in out, out


def test_an_isin_is_no_iban(redactor):
    _, pm = _redact(redactor, "The fund's ISIN is IE00B4L5Y983, please confirm.")
    assert not [k for k in pm.mapping if k.startswith("<IBAN_CODE")], pm.mapping
