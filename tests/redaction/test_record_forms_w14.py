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


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Hi, the courier keeps going to the wrong house. We're at number 7, the blue door.", "number 7"),
        ("Eircode is A92 F2X8, the house is number 3 in the terrace.", "number 3"),
        ("To be clear: number 9 is our house.", "number 9"),
        ("Neue Hausnummer 14a, bitte ändern.", "Hausnummer 14a"),
    ],
)
def test_a_house_number_alone_in_a_sentence_about_a_home_is_masked(redactor, text, value):
    out, _ = _redact(redactor, text)
    assert value not in out, out


@pytest.mark.parametrize("text", ["my phone number 7 at home is broken", "Account number 12 is our house account", "choose option number 2 for home insurance"])
def test_another_number_near_a_home_word_stays(redactor, text):
    out, _ = _redact(redactor, text)
    assert out == text, out


def test_the_cells_under_name_address_and_birth_columns_of_a_csv_paste_are_masked(redactor):
    text = 'CSV from our old broker:\n"first","last","dob","city","state","zip"\n"Rose","Hunter","1961-02-03","Lititz","PA","17543"\n\nThanks'
    out, pm = _redact(redactor, text)
    for v in ("Rose", "Hunter", "1961-02-03", "Lititz", '"PA"', "17543"):
        assert v not in out, (out, pm.mapping)


def test_a_csv_paste_without_personal_columns_and_a_missing_value_stay(redactor):
    out, _ = _redact(redactor, "item,qty,price\nwidget,3,4.50")
    assert out == "item,qty,price\nwidget,3,4.50"
    out, _ = _redact(redactor, "role\tname\taddress\nWitness\tHarold Cheung\tnot given")
    assert "not given" in out and "Harold" not in out, out


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ('ERR 422 field=zip value=59937 city=Whitefish state=MT msg="zip/state mismatch"', ["Whitefish", "state=MT"]),
        ("Quote form\nAddress: 1105 Beach Ave\nCity: Cape May\nZIP: 08204", ["Cape May"]),
        ("Plaats: Wijk bij Duurstede\nProvincie: Utrecht", ["Wijk bij Duurstede", "Utrecht"]),
    ],
)
def test_a_town_or_state_field_is_masked(redactor, text, values):
    out, _ = _redact(redactor, text)
    for v in values:
        assert v not in out, out


def test_a_town_field_with_a_status_word_stays(redactor):
    out, _ = _redact(redactor, "Status: Open\nCity: Pending")
    assert "City: Pending" in out, out


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("KYC update\nState: Maharashtra\nPIN: 412806", ["412806"]),
        ("Mi código postal es el 29788 (Frigiliana), por si lo necesitan.", ["29788", "Frigiliana"]),
        ("Buongiorno, abitiamo al civico 15, interno 4: sul campanello", ["civico 15", "interno 4"]),
        ("Client record extract\nCountry of residence: Portugal\nRisk profile: Balanced", ["Portugal"]),
        ("Tenant: Oluwadamilare Bankole\nLandlord: Clifford Miles", ["Oluwadamilare", "Clifford"]),
        ("Agent (Bethany): Thank you. And the name on the account?\nCustomer: Rhodri Lewis-Evans", ["Rhodri"]),
    ],
)
def test_postcodes_house_numbers_countries_and_names_after_their_labels_are_masked(redactor, text, values):
    out, pm = _redact(redactor, text)
    for v in values:
        assert v not in out, (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "kept"),
    [("PIN: 1234 please never share", "1234"), ("Driver: Unknown", "Unknown"), ("What name should I use?\nCustomer: Thanks", "Thanks")],
)
def test_a_card_pin_an_unknown_party_and_a_thanks_stay(redactor, text, kept):
    out, _ = _redact(redactor, text)
    assert kept in out, out


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Please tell the surveyor to ring first on 01632 960 381.\n\nPenelope Askew", "Askew"),
        ("That's definitely my zip. Shayla Running Crane", "Running Crane"),
    ],
)
def test_the_writers_name_ending_the_message_is_masked_whole(redactor, text, name):
    out, pm = _redact(redactor, text)
    assert name not in out, (out, pm.mapping)


@pytest.mark.parametrize("text", ["Thanks for your help. Best Regards", "We met last week. Will Power Tools"])
def test_words_ending_a_message_that_start_with_no_name_stay(redactor, text):
    out, pm = _redact(redactor, text)
    assert out == text, (out, pm.mapping)
