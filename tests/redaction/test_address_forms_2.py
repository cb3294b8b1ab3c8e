"""More postal address forms are masked whole (agent/pii/addresses.py): a lower-case UK address
ending in "st" (Royal Mail PAF), an Edinburgh tenement flat position ("3F2"), Indian addresses
with a door number, crosses, mains and blocks and an India Post PIN after the town, a South
African or Australian 4-digit postcode last (after the town, in lower case or after a comma), an
Austrian street named with a place adjective in lower case, bpost's "chaussée" and "-kaai", a
Dutch street without a street word and a house letter after a hyphen, a French residence with its
article, Mexican colonias, alcaldías and CDMX (Correos de México), Argentine CABA, CPA and
province names (Correo Argentino), and Poste Italiane's province code in brackets. And what
only looks like part of one stays readable: amounts and years after a comma, a form number, a
lower-case street word in a sentence. Every test goes through the real Redactor; the addresses
are invented."""

from __future__ import annotations

import pytest

from agent.redaction import restore
from tests.redaction.test_recognisers import redact as _redact


def _locations(pm) -> list[str]:
    return [v for ph, v in pm.mapping.items() if ph.startswith("<LOCATION")]


WHOLE_ADDRESSES = [
    # uk: lower case with "st", an Edinburgh flat position before the street line
    ("the damage is at {}\ncheers", "12 church st, llanelli sa15 3bb"),
    ("My flat is {}, thanks.", "3F2, 14 Warrender Park Road, Edinburgh EH9 1EF"),
    # in: door number, floor, building, cross, layout, PIN after the town with or without a hyphen
    ("Please update my address to {}. Thank you.", "Flat No. 12, 2nd Floor, Green Acres, 7th Cross, Indiranagar, Bengaluru - 560038"),
    ("My old address was {}. Kindly note.", "No. 45, 3rd Main, Malleswaram 8th Block, Bangalore 560003"),
    # za / au: the 4-digit postcode last
    ("my new address is {}\nthanks", "9 protea rd, hazyview 1242"),
    ("Please post it to {}, not the old one.", "PO Box 1442, Sandton, 2146"),
    ("we moved to {}. cheers", "7 george st, fitzroy 3065"),
    # at: a lower-case street named with a place adjective, staircase and door after slashes
    ("meine neue adresse: {}. danke lg", "ottakringer straße 54/3/9, 1160 wien"),
    # be / nl: "chaussée" before its article and name, a joined "-kaai", a street in capitals without a street word
    ("L'accident a eu lieu chaussée de Louvain 410, près du feu.", "chaussée de Louvain 410"),
    ("nieuw adres: {}. mvg", "houtkaai 7 bus 2, 8000 brugge"),
    ("STUUR DE PAS NAAR {}. BEDANKT", "LIJNBAAN 12-A, 3012 EL ROTTERDAM"),
    # fr: a residence with its article and building before the street line
    ("Cordialement\nLéa Martin\n{}\n06 00 00 00 00", "Résidence Les Acacias, Bât. B, 8 rue Victor Hugo, 30000 Nîmes"),
    # mx: interior number, colonia, alcaldía named after a person, CP and CDMX; the same in lower case
    ("Saludos\n{}", "Av. Reforma 222, Int. 5, Col. Juárez, Cuauhtémoc, 06600 Ciudad de México, CDMX"),
    ("la casa esta en {}. gracias", "calle pino 14, col. del valle, 03100 benito juarez, cdmx"),
    # ar: CABA after the street line, floor and flat, a CPA, a province after the postcode and town
    ("El choque fue en {}, a la tarde.", "Av. Santa Fe 1860, CABA"),
    ("Mi domicilio: {} por las dudas.", "Bulnes 2215, piso 3 depto A, C1425 Buenos Aires"),
    ("domicilio {}, mail otro@correo.example", "Av. Colón 455, 5000 Córdoba, Córdoba"),
    # it: the province code in brackets after the postcode and town
    ("Abbiamo comprato casa in {} e vorremmo volturare il gas.", "Via delle Rose 3, 53100 Siena (SI)"),
]


@pytest.mark.parametrize("template, address", WHOLE_ADDRESSES)
def test_an_address_in_a_further_form_is_masked_whole(redactor, template, address):
    sentence = template.format(address) if "{}" in template else template
    text, pm = _redact(redactor, sentence)
    assert address not in text and address in _locations(pm), (text, pm.mapping)
    restored, unknown = restore(text, pm)
    assert restored == sentence and not unknown


@pytest.mark.parametrize(
    "sentence, kept",
    [
        ("The total, Rupees 560102, was paid last week.", "Rupees 560102"),  # an amount, not a town and PIN
        ("Please send form 2F1, 3 copies each.", "2F1"),  # a form number, no flat position before a street line
        ("i paid for it in cape town 2019. thanks", "2019"),  # a year after a town
        ("we stayed 3 nights, total 1200. thanks", "total 1200"),  # an amount after a comma
        ("la chaussée était glissante 2 fois", "glissante 2 fois"),  # a street word in a sentence
    ],
)
def test_an_amount_a_year_or_a_form_number_is_no_address(redactor, sentence, kept):
    text, pm = _redact(redactor, sentence)
    assert kept in text, (text, pm.mapping)


@pytest.mark.parametrize(
    "sentence, address, kept",
    [
        # a year after a post-office box and a comma is no South African postcode
        ("Our box, PO Box 88, 2021, was closed.", "PO Box 88", "2021"),
        # the sentence goes on after the province code and after CABA
        ("La casa è in Via Roma 8, 50123 Firenze (FI) e costa molto.", "Via Roma 8, 50123 Firenze (FI)", "e costa molto"),
        ("Me chocaron en Av. Cabildo 2040, CABA, estaba estacionado.", "Av. Cabildo 2040, CABA", "estaba estacionado"),
        # the verb of living before a street without a street word
        ("Vivo en Bulnes 2215, piso 3 depto A, C1425 Buenos Aires por las dudas.", "Bulnes 2215, piso 3 depto A, C1425 Buenos Aires", "Vivo en"),
        # a sign-off after a lower-case 4-digit postcode
        ("send it to 4 jacaranda ave, white river 1240\nregards\nthabo", "4 jacaranda ave, white river 1240", "regards"),
    ],
)
def test_the_address_ends_where_the_letter_goes_on(redactor, sentence, address, kept):
    text, pm = _redact(redactor, sentence)
    assert address in _locations(pm), (text, pm.mapping)
    assert kept in text, (text, pm.mapping)


@pytest.mark.parametrize(
    "sentence, address, kept",
    [
        # it: Poste Italiane's province code without brackets, in lower case, after the postcode and town
        ("la fornitura è in via dei tigli 12 piano terra 04024 gaeta lt. il contratto è nuovo.", "via dei tigli 12 piano terra 04024 gaeta lt", "il contratto"),
        # ie: the number word before the house number and An Post's Dublin postal district
        ("The meter is at No. 9 Ashgrove Park, Dublin 14, MPRN on the bill.", "No. 9 Ashgrove Park, Dublin 14", "MPRN"),
        # de: the floor's number after the back house, then the postcode and town
        ("Meine Wohnung ist Oderstr. 41, Hinterhaus 3. OG links, 10247 Berlin. Danke.", "Oderstr. 41, Hinterhaus 3. OG links, 10247 Berlin", "Danke"),
        # uk: a house name with its article, in capitals
        ("Re: cover for THE OLD MILL, MARKET LANE, GREAT BIRCHAM, KING'S LYNN, NORFOLK PE31 6QJ\nThanks", "THE OLD MILL, MARKET LANE, GREAT BIRCHAM, KING'S LYNN, NORFOLK PE31 6QJ", "Thanks"),
        # nl: a lower-case street named after a person, Dutch floor ("2 hoog") and postcode
        ("ik woon nu op piet de wittstraat 44 2 hoog 1073 kv amsterdam en wil overstappen.", "piet de wittstraat 44 2 hoog 1073 kv amsterdam", "ik woon nu op"),
        # the house number with its word after the street (en, nl, it)
        ("The leak is at Maple Avenue, number 218, in the basement.", "Maple Avenue, number 218", "in the basement"),
        ("Het huis staat aan de Zeeweg, nummer 61, vlak bij zee.", "Zeeweg, nummer 61", "vlak bij zee"),
        ("L'appartamento è in via San Marco, numero 17, vicino alla stazione.", "via San Marco, numero 17", "vicino alla stazione"),
        # es: Correos' province after the postcode and town, the road named with "Ctra." and its km
        ("La finca es CTRA. DE BAZA KM 7, 18500 GUADIX, GRANADA y la compramos en mayo.", "CTRA. DE BAZA KM 7, 18500 GUADIX, GRANADA", "y la compramos"),
        # de: "strase", the misspelt "straße", with the postcode and town
        ("neue adresse: lindenstrase 8 79098 freiburg\ndanke", "lindenstrase 8 79098 freiburg", "danke"),
    ],
)
def test_a_number_word_province_code_floor_or_house_article_belongs_to_the_address(redactor, sentence, address, kept):
    text, pm = _redact(redactor, sentence)
    assert address in _locations(pm), (text, pm.mapping)
    assert kept in text, (text, pm.mapping)


@pytest.mark.parametrize(
    "sentence, kept",
    [
        ("Via Garibaldi 5, 10122 Torino to be confirmed next week.", "to be confirmed"),  # "to" goes on the sentence: no province
        ("We moved to 14 Elm Road, Dublin, last year.", "last year"),  # no district number
        ("ik woon op de kerkstraat 12 in utrecht.", "ik woon op de"),  # "op de" is no first name of a street
        ("Please quote your number 4471 on the form.", "number 4471"),  # a number word without a street
        ("The case number 512 was closed, thanks.", "number 512"),
    ],
)
def test_what_only_looks_like_a_province_district_or_first_name_stays(redactor, sentence, kept):
    text, pm = _redact(redactor, sentence)
    assert kept in text, (text, pm.mapping)


@pytest.mark.parametrize(
    "sentence, floor, kept",
    [
        # a floor joined to its street line by a preposition (fr "au", it "al … di")
        ("j'habite au 5 rue des acacias 35000 rennes au 4eme etage porte droite. merci", "4eme etage porte droite", "merci"),
        ("Nous sommes au 12 RUE DU PORT, au 2e étage, à 29200 BREST.", "2e étage", "Nous sommes"),
        ("L'ufficio è al secondo piano di Via Dante 14, 20121 Milano, grazie.", "secondo piano", "grazie"),
    ],
)
def test_a_floor_beside_its_street_line_is_masked(redactor, sentence, floor, kept):
    text, pm = _redact(redactor, sentence)
    assert floor not in text, (text, pm.mapping)
    assert kept in text, (text, pm.mapping)


def test_a_floor_without_a_street_line_stays(redactor):
    text, pm = _redact(redactor, "La réunion a lieu au 3e étage de nos bureaux, merci.")
    assert "3e étage" in text, (text, pm.mapping)
