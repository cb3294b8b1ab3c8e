"""Towns written alone beside a numbered address, found by GeoNames' gazetteer (agent/pii/town_gazetteer.py,
address_towns.py); a form's region field (ISO 3166-2, address_prose.region_field); a house
number or postcode written alone (address_prose); the town and postcode fields of a record line
(record_fields.py). Through the real Redactor; the sentences are invented, the towns real."""

from __future__ import annotations

import pytest

from agent.pii.town_gazetteer import is_town, town_names
from tests.redaction.test_recognisers import redact as _redact


def test_the_gazetteer_holds_small_towns_and_is_read_from_the_installed_package():
    assert len(town_names()) > 150_000
    assert is_town("Eferding") and is_town("HAINBURG  AN DER DONAU") and is_town("kökar")
    assert not is_town("Northwind Advisory")


@pytest.mark.parametrize(
    ("text", "town"),
    [
        ("Is the bike still available? I'm in Meppen and could collect it from Hans-Hinrich-Gorlitz-Ring 48 tomorrow.", "Meppen"),
        ("I was born on 10/3/1961 in EFERDING, Austria, and I have lived on Oberleitnerweg 31 since I was eleven.", "EFERDING"),
        ("Can someone recommend a good dentist in VIITASAARI? Ideally walking distance from Kukkaniitynpolku 0.", "VIITASAARI"),
        ("hey its me again, im at gotlanninpolku 38 kökar now, can the driver come here instead", "kökar"),
        ("hey its me again, im at célinestraat 80 teuven now, can the driver come here instead", "teuven"),
    ],
)
def test_a_town_beside_a_numbered_address_is_masked(redactor, text, town):
    out, pm = _redact(redactor, text)
    assert town not in out and town in pm.mapping.values(), (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # a town on its own, with no address in the message: the labelling rule keeps it readable
        ("Is your branch in Meppen open on Saturday?", "Meppen"),
        # towns that are words of English or languages
        ("I moved into 14 Elm Street last month and I write in English, sorry.", "English"),
        ("Please send it to 14 Elm Street, I will be in Reading all week.", "Reading"),
        # lower-case Spanish: "recibo de luz" is an electricity bill, though Luz is a town
        ("hola mi recibo de luz llego muy alto, la casa esta en calle fresno 28, cdmx gracias", "luz"),
    ],
)
def test_a_town_alone_or_a_word_that_is_also_a_town_stays(redactor, text, kept):
    out, _ = _redact(redactor, text)
    assert kept in out, out


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("Address line 1: 587 Amber Forest\nCity: Lake Brad\nState: Illinois\nZIP: 33669", "Illinois"),
        ("Address line 1: 7 Brown Outlook\nCity: PORT TYLER\nState: Northern Territory\nZIP: 2602", "Northern Territory"),
    ],
)
def test_a_region_field_naming_a_subdivision_is_masked(redactor, text, region):
    out, pm = _redact(redactor, text)
    assert region not in out and region in pm.mapping.values(), (out, pm.mapping)


def test_a_status_field_is_no_region(redactor):
    out, _ = _redact(redactor, "Ticket 4411\nState: Open\nPriority: High")
    assert "State: Open" in out


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Our neighbour Maria at number 01753 has offered to water the plants while we are away.", "01753"),
        ("She lives at no. 14 and has a key.", "14"),
        ("Hi, can you check if you deliver to 61490? I'm in Davischester.", "61490"),
        ("Do you ship to 9366? Thanks", "9366"),
    ],
)
def test_a_house_number_or_postcode_alone_is_masked(redactor, text, value):
    out, pm = _redact(redactor, text)
    assert value not in out and any(value in v for v in pm.mapping.values()), (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("She came in at number 3 in the race.", "at number 3 in"),
        ("Do you deliver to 2026? I mean the year, for the archive.", "deliver to 2026?"),  # a year is no postcode
        ("Please ship to 5 people on the team.", "ship to 5 people"),
    ],
)
def test_numbers_that_are_no_address_stay(redactor, text, kept):
    out, _ = _redact(redactor, text)
    assert kept in out, out


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("Employee record | Leite, Naiara | Aid worker | Marialaan 0 | Weelde | 8920 | (0902)-388479", ["Weelde", "8920"]),
        ("record 118; Carlier; Stéphanie; dob 5/25/1941; 91, avenue de Perrot; PichonBourg; France", ["PichonBourg"]),
    ],
)
def test_the_town_and_postcode_fields_after_a_street_in_a_record_are_masked(redactor, text, values):
    out, pm = _redact(redactor, text)
    for v in values:
        assert v not in out, (out, pm.mapping)


def test_a_job_title_after_a_street_in_a_record_stays(redactor):
    out, _ = _redact(redactor, "id | name | street | role | since\n7 | Ann Roe | 12 High Street | Manager | 2019")
    assert "Manager" in out and "2019" in out


@pytest.mark.parametrize(
    ("text", "surname"),
    [
        ("Employee record | Leite, Naiara | Aid worker | Marialaan 0 | Weelde | 8920 | (0902)-388479", "Leite"),
        ("record 118; Modigliani; Nino; dob 7/4/1986; Rotonda Nicolò, 779 Piano 9; Rosa'; Italy", "Modigliani"),
    ],
)
def test_a_surname_beside_a_first_name_in_a_record_is_masked(redactor, text, surname):
    out, pm = _redact(redactor, text)
    assert surname not in out and surname in pm.mapping.values(), (out, pm.mapping)


def test_the_country_ending_a_record_address_is_masked(redactor):
    out, _ = _redact(redactor, "record 118; Modigliani; Nino; dob 7/4/1986; Rotonda Nicolò, 779 Piano 9; Rosa'; Italy")
    assert "Italy" not in out, out


def test_a_department_before_a_first_name_in_a_record_stays(redactor):
    out, _ = _redact(redactor, "team | Sales, Mark | desk 4 | ext 221")
    assert "Sales" in out, out


@pytest.mark.parametrize(
    ("text", "name"),
    [("its vesna, new number is 052 068 664, save it", "vesna"), ("It's Marta - I called earlier about the bill.", "Marta")],
)
def test_a_message_that_opens_with_its_writer_masks_the_name(redactor, text, name):
    out, pm = _redact(redactor, text)
    assert name not in out and name in pm.mapping.values(), (out, pm.mapping)


@pytest.mark.parametrize("text", ["It's Monday, so the office is closed.", "It's urgent, please call.", "its me, new number is 052 068 664"])
def test_an_opening_its_before_a_word_names_nobody(redactor, text):
    out, pm = _redact(redactor, text)
    assert not [k for k in pm.mapping if k.startswith("<PERSON")], (out, pm.mapping)


def test_a_party_named_after_their_role_in_lower_case_is_masked(redactor):
    out, pm = _redact(redactor, "incident report: collision at the junction of 674 sally lights. driver hazel d howells, licence 0553078.")
    assert "hazel" not in out and "howells" not in out, (out, pm.mapping)


@pytest.mark.parametrize("text", ["the driver side door was dented", "the tenant will pay rent on friday"])
def test_a_role_word_before_ordinary_words_names_nobody(redactor, text):
    out, pm = _redact(redactor, text)
    assert out == text, (out, pm.mapping)


def test_the_suburb_in_brackets_after_an_address_is_masked(redactor):
    out, pm = _redact(redactor, "the flat at 5 sutton place rd 2 (tangitai) has two bedrooms and off-street parking.")
    assert "tangitai" not in out, (out, pm.mapping)


def test_words_in_brackets_after_an_address_stay(redactor):
    out, _ = _redact(redactor, "Send it to 12 High Street (ground floor) please.")
    assert "(ground floor)" in out, out


@pytest.mark.parametrize(
    ("text", "town"),
    [
        ("Neue Adresse: Violetta-Blum-Weg 8/6, 4861 Waidhofen an der Ybbs", "Waidhofen an der Ybbs"),
        ("Meine Adresse: Kaiserstraße 5, 60311 Frankfurt am Main", "Frankfurt am Main"),
    ],
)
def test_a_town_name_with_a_particle_is_masked_whole(redactor, text, town):
    out, pm = _redact(redactor, text)
    assert not any(w in out for w in town.split()[-2:]), (out, pm.mapping)


def test_a_sentence_after_a_town_is_not_taken_into_it(redactor):
    out, _ = _redact(redactor, "I live at 5 High St, Reading on Monday, so call me then.")
    assert "on Monday" in out, out


@pytest.mark.parametrize(
    ("text", "value"),
    [("ship it to 40 main st, pago pago, as 96799", "96799"), ("Ship to: 1 Marine Dr, Hagåtña, GU 96910", "96910")],
)
def test_a_us_territory_code_and_zip_end_an_address(redactor, text, value):
    out, _ = _redact(redactor, text)
    assert value not in out, out


def test_as_before_a_number_in_a_sentence_is_no_state(redactor):
    out, _ = _redact(redactor, "i paid the same as 10000 others did")
    assert out == "i paid the same as 10000 others did", out


@pytest.mark.parametrize(
    ("text", "town"),
    [
        ("Our summer place is 17 Ledgelawn Ave, Bar Harbor, ME 04609, but our home is just outside Bangor, at 2231 Ohio St.", "Bangor"),
        ("PLEASE NOTE NEW ADDRESS: 1450 MOUNTAIN RD, STOWE, VERMONT. ZIP IS 05672. THE OLD ONE IN BURLINGTON IS NO LONGER GOOD.", "BURLINGTON"),
    ],
)
def test_a_town_the_lexicon_knows_as_a_noun_is_masked_beside_an_address(redactor, text, town):
    out, pm = _redact(redactor, text)
    assert town not in out, (out, pm.mapping)


def test_a_zip_after_an_upper_case_is_is_masked(redactor):
    out, _ = _redact(redactor, "PLEASE NOTE NEW ADDRESS: 1450 MOUNTAIN RD, STOWE, VERMONT. ZIP IS 05672.")
    assert "05672" not in out, out


def test_a_lower_case_town_and_postcode_after_a_street_and_a_comma_join_it(redactor):
    out, pm = _redact(redactor, "kia ora, we bought a cottage at 9 Wiltshire St, arrowtown 9302 and want contents cover.")
    assert "arrowtown" not in out and "9302" not in out, (out, pm.mapping)
    assert len([k for k in pm.mapping if k.startswith("<LOCATION")]) == 1, pm.mapping
