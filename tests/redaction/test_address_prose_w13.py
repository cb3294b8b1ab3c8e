"""Addresses written in sentences and records (the w13 tuning set's shapes): a continental street +
number after a place preposition, a national street type after any place preposition or at a
record field's start, Nordic and Finnish street words, India Post's road words, towns named after
a person, a form's country field, address lines a sentence goes on after, a common surname that is
also a word after a first name (agent/pii/address_prose.py, address_patterns.py, address_joining.py,
name_growth.py). Through the real Redactor; the values are invented."""

from __future__ import annotations

import pytest

from tests.redaction.test_recognisers import redact as _redact


def _values(pm, kind: str) -> list[str]:
    return [v for ph, v in pm.mapping.items() if ph.startswith(f"<{kind}")]


@pytest.mark.parametrize(
    ("text", "street"),
    [
        ("Is the bike still available? I could collect it from Bissens Allé 138 tomorrow.", "Bissens Allé 138"),
        ("Police are appealing for witnesses after a cyclist was struck near Petrova 5c on Wednesday.", "Petrova 5c"),
        ("The baker opened her first shop on Stationsstigen 93 in 2023.", "Stationsstigen 93"),
        ("A cyclist was struck near 687 Shelton Ford on Thursday evening.", "687 Shelton Ford"),
        ("record 118; Franklin; Barbara; 9 Craig Ports; PORT KATIE; United Kingdom", "9 Craig Ports"),
        ("Your parking permit for H.No. 671 Prakash Marg has been refused.", "H.No. 671 Prakash Marg"),
        ("lost dog near 8057 capricorn street! please call me", "8057 capricorn street"),
        ("Leave parcels with the neighbour at 8257 8617 Foster Mountain if no answer.", "8257 8617 Foster Mountain"),
    ],
)
def test_a_street_in_a_sentence_or_record_is_masked_whole(redactor, text, street):
    out, pm = _redact(redactor, text)
    assert street not in out and any(street in v for v in pm.mapping.values()), (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("My flight BA 2490 was cancelled, please refund the fare.", "BA 2490"),
        ("I upgraded to Windows 10 and the banking app stopped working.", "Windows 10"),
        ("I got a message from Sarah 2 days ago about the transfer.", "2 days"),
        ("The fee was increased by 25 basis points in March.", "25 basis points"),
        ("We discussed this at 3 key points in the meeting.", "3 key points"),
        ("The loan of Rs. 3 lakh was repaid on time.", "Rs. 3"),
    ],
)
def test_numbers_after_a_preposition_that_are_no_street_stay(redactor, text, word):
    out, pm = _redact(redactor, text)
    assert word in out, (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "town"),
    [
        ("Hello! I'm in O'DONNELLTOWN and could collect it on Friday.", "O'DONNELLTOWN"),
        ("the cottage was spotless and guerrerohaven itself is charming", "guerrerohaven"),
        ("Shipping to West Kathrynport, please.", "West Kathrynport"),
        ("Form 7B\nStreet: 1 Richard Broadway\nTown: PORT KATIE\nPostcode: 7041\n", "PORT KATIE"),
    ],
)
def test_a_town_named_after_a_person_is_a_place(redactor, text, town):
    out, pm = _redact(redactor, text)
    assert town not in out and town in pm.mapping.values(), (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Our woodland walk starts at the car park.", "woodland"),
        ("Does the Kingsford Comprehensive policy cover hire cars?", "Comprehensive"),
        ("We sell to customers across North America and Europe.", "North America"),
    ],
)
def test_ordinary_words_and_regions_stay(redactor, text, word):
    out, pm = _redact(redactor, text)
    assert word in out, (out, pm.mapping)


def test_a_town_with_a_towns_ending_is_typed_a_place_and_a_surname_beside_a_name_stays_a_name(redactor):
    out, pm = _redact(redactor, "Shipping to West Kathrynport, please. Please ask John Carlton to call me.")
    assert "West Kathrynport" in _values(pm, "LOCATION") and "John Carlton" in _values(pm, "PERSON"), (out, pm.mapping)


def test_a_forms_country_field_is_part_of_its_address(redactor):
    text = 'Form 7B\nSurname: Schranz\nStreet: 1 Richard Broadway\nPostcode: 7041\nCountry: Australia\n{"city": "Juanberg", "country": "Canada"}'
    out, pm = _redact(redactor, text)
    assert "Australia" not in out and "Canada" not in out, (out, pm.mapping)


def test_a_country_in_a_sentence_stays(redactor):
    out, pm = _redact(redactor, "Which countries do you serve? I am moving abroad, maybe to Australia.")
    assert "Australia" in out, (out, pm.mapping)


def test_address_lines_a_sentence_goes_on_after_are_taken_whole(redactor):
    text = "Please note that I now live at 5820 2 Cummings Riverway\nALEXANDERMOUTH\n, North Yorkshire\n 11516. Thanks, Dearbhail"
    out, pm = _redact(redactor, text)
    assert "11516" not in out and "North Yorkshire" not in out and "Thanks" in out, (out, pm.mapping)
    text = "my new address is 47471 239 Morgan Junctions Suite 577\nDaviesburn, Kent 73495. Could you update my account please?"
    out, pm = _redact(redactor, text)
    assert "73495" not in out and "Daviesburn" not in out and "Could you update" in out, (out, pm.mapping)
    text = "Re: the noise complaint at 73925 Jugoslávská 411\nRangiwharepo\n, Waikato\n 04330 - our officer spoke with the tenant."
    out, pm = _redact(redactor, text)
    assert "04330" not in out and "Waikato" not in out and "our officer" in out, (out, pm.mapping)


@pytest.mark.parametrize("name", ["Thomas Smith", "Ruben Carter", "Eric Allen"])
def test_a_surname_that_is_also_a_word_goes_with_the_first_name(redactor, name):
    out, pm = _redact(redactor, f"Please transfer the deposit (account holder: {name}) by Friday.")
    assert name.split()[1] not in out and name in _values(pm, "PERSON"), (out, pm.mapping)


def test_the_word_alone_stays(redactor):
    out, pm = _redact(redactor, "The smith and the carter were both paid in cash, as the baker was.")
    assert "smith" in out and "carter" in out, (out, pm.mapping)


@pytest.mark.parametrize(("text", "name"), [("The tenant, Violet Lyon, moved out.", "Violet Lyon"), ("The licence was issued to Carolina Álamo.", "Carolina Álamo")])
def test_a_first_name_that_is_a_word_goes_with_the_surname_after_it(redactor, text, name):
    out, pm = _redact(redactor, text)
    assert name.split()[0] not in out and name in _values(pm, "PERSON"), (out, pm.mapping)


def test_a_word_at_a_sentence_start_before_a_surname_stays(redactor):
    out, pm = _redact(redactor, "Will Lyon call me back?")
    assert out.startswith("Will "), (out, pm.mapping)
