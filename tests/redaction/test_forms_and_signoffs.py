"""Street fields, lower-case mail with capitalised street names, couples after a casual sign-off and a name
before a second sign-off (agent/pii/address_prose.street_field, address_places._lower_case_mail, name_patterns
"casual sign-off + couple" and "first name + capitalised words, end of the message"). Through the real
Redactor; the values are invented."""

from __future__ import annotations

import pytest

from tests.redaction.test_recognisers import redact as _redact


@pytest.mark.parametrize(
    ("text", "street"),
    [
        ("Wijzigingsformulier\nStraat + huisnummer: Markt 9\nPostcode: 3961 BC\nPlaats: Wijk bij Duurstede", "Markt 9"),
        ("Änderung\nStraße und Hausnummer: Am Markt 3\nOrt: Lübben", "Am Markt 3"),
        ("name=Jo; street=High Street 4; city=York", "High Street 4"),
    ],
)
def test_the_value_of_a_street_field_with_its_house_number_is_masked(redactor, text, street):
    out, pm = _redact(redactor, text)
    assert street not in out and street in pm.mapping.values(), (out, pm.mapping)


@pytest.mark.parametrize("text", ["Street: see above\nTown: York", "Street: 0161 496 0000 0000 12"])
def test_a_street_field_without_a_house_number_or_without_a_name_is_no_street(redactor, text):
    out, pm = _redact(redactor, text)
    assert not [v for v in pm.mapping.values() if v.startswith(("see", "0161"))], (out, pm.mapping)


def test_a_town_in_lower_case_mail_with_capitalised_street_names_is_masked(redactor):
    text = (
        "kia ora, we bought a cottage at 9 Wiltshire St, arrowtown 9302 and want cover from the 1st. "
        "we still own the flat in dunedin (45 Queen St) so please keep that policy going. cheers, tom"
    )
    out, pm = _redact(redactor, text)
    assert "dunedin" not in out, (out, pm.mapping)


def test_a_lower_case_word_after_in_stays_in_mail_that_capitalises_its_sentences(redactor):
    text = "We live at 9 Wiltshire St, Arrowtown 9302. We still own the flat in question. Please keep that policy going."
    out, _ = _redact(redactor, text)
    assert "in question" in out, out


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("We liked the visit. cheers, anna & tom parata", ["anna", "tom parata"]),
        ("It was fine. Cheers, Anna and Tom Baker", ["Anna", "Tom Baker"]),
    ],
)
def test_a_couple_after_a_casual_sign_off_is_masked(redactor, text, names):
    out, pm = _redact(redactor, text)
    for n in names:
        assert n not in out, (out, pm.mapping)


def test_a_name_that_ends_the_message_before_a_second_sign_off_is_masked(redactor):
    text = "Hello,\n\nPlease ring first on 01632 960 381.\n\nPenelope Askew\n\nKind regards\n"
    out, pm = _redact(redactor, text)
    assert "Askew" not in out and "Penelope" not in out, (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ('{"address": {"city": "Ikeja", "state": "Lagos", "country": "NG"}, "status": "PENDING"}', "NG"),
        ("Street address: 9980 Water St\nCity: Ephraim\nCounty: Door\nState: WI", "Door"),
        ('{"postcode":"M14 5RG","city":"manchester","state":"ACTIVE"}', "manchester"),
        ("Indirizzo: Vico Lungo Gelso 14 | CAP: 80134 | Comune: Napoli | Provincia: NA | Stato pratica: aperta", "NA"),
        ("Town/City: Mahabaleshwar\nDistrict: Satara\nState: Maharashtra", "Maharashtra"),
        ("Town/City: Mahabaleshwar\nDistrict: Satara\nState: Maharashtra", "Satara"),
        ("Dirección: Carrera 9 # 12-41; Municipio: Villa de Leyva; Departamento: Boyacá; Celular: 310 555 4821", "Boyacá"),
        ("Adres: Kerkstraat 5 ; Postcode: 2400 ; Gemeente: Mol ; Provincie: Antwerpen ; Rekening: op naam", "Antwerpen"),
    ],
)
def test_country_region_district_and_town_fields_of_forms_and_json_are_masked(redactor, text, place):
    out, pm = _redact(redactor, text)
    assert place in " ".join(pm.mapping.values()) and f" {place}" not in out and f'"{place}"' not in out, (out, pm.mapping)


@pytest.mark.parametrize(
    "text",
    ['{"status": "PENDING", "state": "ACTIVE", "country": "XX"}', "County: Please select\nDistrict: none\nState: Open", '{"city":"open"}'],
)
def test_a_field_that_holds_no_place_is_left_alone(redactor, text):
    out, pm = _redact(redactor, text)
    assert not [v for v in pm.mapping.values() if v in ("ACTIVE", "XX", "Please select", "none", "Open", "open")], (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Ons huisnummer is 23-II, de postcode klopt wel.", "23-II"),
        ("seit März wohnen wir in Neustadt an der Weinstraße (Ortsteil Haardt). Bitte ändern Sie die Anschrift.", "Haardt"),
    ],
)
def test_a_house_number_after_is_and_a_german_town_part_are_masked(redactor, text, value):
    out, pm = _redact(redactor, text)
    assert value not in out, (out, pm.mapping)


def test_the_word_ortsteil_alone_is_no_place(redactor):
    out, _ = _redact(redactor, "Der Ortsteil hat 300 Einwohner.")
    assert "Ortsteil" in out, out


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Rue : Grand-Rue 61\nNPA/Localité : 1660 Château-d'Œx\nCanton : Vaud", "Château-d'Œx"),
        ("PLZ/Ort: 8260 Stein am Rhein", "Stein am Rhein"),
        ("Mailing address update\nName (as in NRIC): TAN Mei Ling\nStreet: Bedok North Ave 2", "TAN Mei Ling"),
    ],
)
def test_a_postcode_and_town_field_and_a_name_label_with_a_qualifier_are_masked(redactor, text, value):
    out, pm = _redact(redactor, text)
    assert value not in out, (out, pm.mapping)


def test_a_town_with_a_ligature_is_in_the_gazetteer():
    from agent.pii.town_gazetteer import is_town

    assert is_town("Château-d'Œx") and is_town("CHÂTEAU-D'OEX") and not is_town("Château-d'Œxx")


@pytest.mark.parametrize(
    ("text", "floor"),
    [
        ("der Schaden in der Wohnung Hauptstraße 112a, 69117 Heidelberg, 1. OG wurde besichtigt.", "1. OG"),
        ("Send it to 4 Elm Road, Leeds LS6 2AB, 2nd floor please", "2nd floor"),
        ("Unsere Wohnung liegt im 2. OG rechts, der Schaden ist an der Küche.", "2. OG rechts"),
        ("Ich wohne seit März im 3. Stock links.", "3. Stock links"),
        ("j'habite au 4e étage, porte droite.", "4e étage, porte droite"),
    ],
)
def test_a_floor_after_an_address_or_alone_after_its_preposition_is_masked(redactor, text, floor):
    out, pm = _redact(redactor, text)
    assert floor not in out, (out, pm.mapping)


@pytest.mark.parametrize(
    "text", ["We are at 4 Elm Road, level 3 support is great", "El informe del 2.º trimestre está listo.", "Das Meeting ist im 2. Stock."]
)
def test_a_level_after_an_address_and_a_quarter_are_no_floor(redactor, text):
    out, pm = _redact(redactor, text)
    assert ("level 3" in out or "Elm" not in text) and ("2.º trimestre" in out or "trimestre" not in text), (out, pm.mapping)
    assert "2. Stock" in out or "Stock" not in text, (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Please update:\n- Li Xiaoming - my cousin in Shenzhen\n- the rest stays", "Li Xiaoming"),
        ("Irmgard Baumann, geb. Sauer, geb. 03.05.1961 in Kassel", "Sauer"),
        ("mevrouw H.J.M. Vermeulen-Bakker (roepnaam Riet). Zij heeft", "Riet"),
    ],
)
def test_a_name_before_its_relation_and_a_maiden_or_call_name_are_masked(redactor, text, name):
    out, pm = _redact(redactor, text)
    assert name not in out, (out, pm.mapping)


@pytest.mark.parametrize("text", ["Liebes Team, meine Frau und ich ziehen um.", "Sales Team - my cousin works there"])
def test_a_greeting_or_a_team_before_a_relation_is_no_name(redactor, text):
    out, pm = _redact(redactor, text)
    assert "Team" in out, (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("Tremblay Gagnon CPA inc.\n1250 boul. René-Lévesque O., bureau 2200\nMontréal (Québec) H3B 4W8", "bureau 2200"),
        ("Fincas Mompó S.L.\nGran Via del Marqués del Túria, 61, 46005 València", "Gran Via"),
        ("loc. Poggio Alto 3, 42030 Vezzano sul Crostolo (RE)", "Crostolo"),
        ("Our office at 10 Main St, suite 4 is open.", "suite 4"),
    ],
)
def test_an_office_number_a_catalan_gran_via_and_an_italian_town_with_sul_are_masked(redactor, text, part):
    out, pm = _redact(redactor, text)
    assert part not in out, (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Giulia Rossi, nata a Bologna il 14/09/1982\nCodice fiscale: RSSGLI82P54A944Y\nIBAN del conto", "RSSGLI82P54A944Y"),
        ("sono Lucia Bianchi (C.F. BNCLCU58B42L219S). Vi chiedo di sostituire", "BNCLCU58B42L219S"),
        ("Mi DNI es 12345678Z, gracias.", "12345678Z"),
        ("My pension number is PN 220175. I don't know how to change it.", "220175"),
    ],
)
def test_national_ids_of_the_served_countries_and_a_pension_number_are_masked_by_default(redactor, text, value):
    out, pm = _redact(redactor, text)
    assert value not in out, (out, pm.mapping)


def test_a_codice_fiscale_with_a_wrong_check_character_is_no_fiscal_code(redactor):
    out, pm = _redact(redactor, "Codice prodotto RSSGLI82P54A944Z in magazzino.")
    assert not [p for p in pm.mapping if p.startswith("<IT_FISCAL_CODE")], (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Provincia: Badajoz; C.P.: 06700; Teléfono: 624 555 018", "06700"),
        ("la vecina de abajo es Dña. Amparo Ferrer Llopis, del 2.º 2.ª.", "2.º 2.ª"),
        ("vivo en el 3.º B desde mayo", "3.º B"),
    ],
)
def test_a_postcode_after_c_p_and_a_spanish_floor_and_door_are_masked(redactor, text, value):
    out, pm = _redact(redactor, text)
    assert value not in out, (out, pm.mapping)


def test_a_quarter_is_no_spanish_floor(redactor):
    out, _ = _redact(redactor, "El informe del 2.º trimestre está listo.")
    assert "2.º trimestre" in out, out


def test_a_name_field_whose_words_are_all_also_words_is_masked_when_one_is_a_listed_name(redactor):
    out, pm = _redact(redactor, "Name (as in NRIC): Tan Ah Moi\nAddress: Blk 412 Bedok North Ave 2")
    assert "Moi" not in out and "Tan" not in out, (out, pm.mapping)


def test_a_name_field_of_ordinary_words_without_a_listed_name_stays(redactor):
    out, _ = _redact(redactor, "Name: Quarterly Review\nStatus: open")
    assert "Quarterly Review" in out, out


def test_a_compound_first_name_of_two_listed_names_is_masked(redactor):
    out, pm = _redact(redactor, "The schedule says J.P. Okafor, it should be J.P. Okafor (John-Paul Okafor).")
    assert "John-Paul" not in out, (out, pm.mapping)


def test_the_floor_of_a_home_named_before_its_address_is_masked(redactor):
    text = "I moved from Apt 3B, 118 Maple St, Burlington, VT 05401 to the 2nd floor of my sister's house, 41 Hillcrest Rd, Winooski, VT 05404."
    out, pm = _redact(redactor, text)
    assert "2nd floor" not in out, (out, pm.mapping)


def test_the_floor_of_a_building_in_another_sentence_stays(redactor):
    out, _ = _redact(redactor, "The 2nd floor of the building is closed. Our office, 4 Elm Road, is open.")
    assert "2nd floor" in out, out


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ('Sul citofono c\'è scritto "Amato-Sella", non il mio nome.', "Amato-Sella"),
        ("abitiamo al civico 15, interno 4: sul campanello c'è scritto Rinaldi. Il tecnico non ci ha trovati.", "Rinaldi"),
        ("The courier couldn't find us; the doorbell says Okafor-Bright.", "Okafor-Bright"),
    ],
)
def test_the_name_on_a_doorbell_or_letterbox_is_masked(redactor, text, name):
    out, pm = _redact(redactor, text)
    assert name not in out, (out, pm.mapping)


def test_a_listed_first_name_after_a_person_called_is_masked_in_any_case(redactor):
    text = "the witness was a lady called joy, didnt get her surname, and the other driver was called hunter something"
    out, pm = _redact(redactor, text)
    assert "called joy" not in out and "called hunter" not in out, (out, pm.mapping)


@pytest.mark.parametrize("text", ["The man called back yesterday.", "a guy called about the car", "she was called away"])
def test_called_before_an_ordinary_word_names_nobody(redactor, text):
    out, pm = _redact(redactor, text)
    assert out == text, (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("My new address is Room 502, Sunrise Mansion Kichijoji, 3-12-7 Kichijoji Honcho, Musashino-shi, Tokyo 180-0004, Japan.", ["3-12-7", "180-0004"]),
        ("my parents' address is: Apt 1203, Building 105, 45 Olympic-ro 35-gil, Songpa-gu, Seoul 05510, Republic of Korea.", ["35-gil", "05510"]),
    ],
)
def test_the_numbers_of_japanese_and_korean_addresses_are_masked(redactor, text, parts):
    out, pm = _redact(redactor, text)
    for part in parts:
        assert part not in out, (out, pm.mapping)


def test_a_score_or_a_date_range_is_no_japanese_block_number(redactor):
    out, _ = _redact(redactor, "We won 3-2 on Saturday, then 2-1 on Tuesday.")
    assert "3-2" in out and "2-1" in out, out
