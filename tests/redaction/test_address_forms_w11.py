"""Postal address forms of the fifth session (agent/pii/addresses.py), each masked whole: Italian
addresses as Poste Italiane and ISTAT's DUG street types write them (a comma after the postcode, the
province code in brackets in any case, on the postcode line too), Portuguese and Brazilian street
types, a town line with its region written out and the postcode last, two addresses on one line with
a preposition between them. And what only looks like one stays readable. Every test goes through
the real Redactor; the addresses are invented."""

from __future__ import annotations

import pytest

from tests.redaction.test_recognisers import redact as _redact


def _locations(pm) -> list[str]:
    return [v for ph, v in pm.mapping.items() if ph.startswith("<LOCATION")]


WHOLE_ADDRESSES = [
    ("Ci siamo trasferiti in {} da poco.", "vicolo barzini, 9 piano 5, 20032, ospitaletto (mi)"),
    ("Nuovo indirizzo:\n{}\nGrazie", "Rotonda Giosuè, 553 Appartamento 14\n18035, Dolceacqua (IM)"),
    ("Nuovo indirizzo:\n{}\n", "ROTONDA GIOSUÈ, 553 APPARTAMENTO 14\n18035, DOLCEACQUA (IM)"),
    ("Sono residente in {}.", "Canale Tosi, 474, 00058, Santa Severa (RM)"),
    ("Indirizzo di fatturazione: {}, grazie.", "Borgo Fabrizia, 47, 24020, Villassio (BG)"),
    ("Per favore inviate il certificato a\n{}\nGrazie", "ROTONDA GIOSUÈ, 553 APPARTAMENTO 14\n18035, DOLCEACQUA (IM)"),
    ("Hola, nos mudamos a {}. Gracias", "Viaducto Chad 578 Interior 854, San María de los Bajos, GTO 53361"),
    ("Un saludo,\n\nAida Venegas\n{}\nTel.: 478 249 8685", "Cerrada Hidalgo 455 Interior 385\nSan Bianca de la Montaña, JAL 58546"),
    # lower-case mail: a street line after "at/to/is/was", with a town word after it
    ("can you change my address please. old one was {} which i left in october", "4 crown st halifax"),
    ("hiya i live at {} now", "4 crown road"),
    ("can you change my address to {} please", "12 oak road leeds"),
    ("hi pls send the new debit card to {} thanks keith", "level 3 978 reed top, brianmouth, tas, 2642"),
    ("hi my new address is {} cheers", "12 smith st, fitzroy vic 3065"),
    ("Looking to support the team in {} in its mission.", "Matile-près-Uldry 4433"),
    ("We support Sandvik in {} in its mission.", "Onderdendam 9143ZD"),
    ("My zip code is {}", "H-1855"),
    ("His ship:\n{}\nThanks", "USNV le Gallen\nFPO AP 86139"),
    ("Looking to support the company in {} in its mission.", "Κέρκυρα ΤΚ 142 37"),
    ("May I have the statement sent to {}?", "77089 23, rue de Hebert\nFalun\n, Gävleborgs län\n 72609"),
    # a Central European street and number after "on"/"at" where the clause ends, or before "St."/"street"
    ("The bus station is on {}", "Žinkovská 885"),
    ("Pedestrians must enter on {}. the first three months", "Trg mladih 4b St"),
    ("Ask the driver to stop at the corner of {}. and the lake.", "Kožarska 1b/7 St"),
    ("The title refers to {} street in the old town.", "Jezuitski trg 2c/1"),
    ("Please write to {}\n\nThanks", "759 Kecskeméti út 7.\nNémethida\n, Bács-Kiskun\n Hungary 40087"),
    ("Please update the billing address with {} for this card.", "17824 6228 Jason Spring Suite 340 Port Scott New York"),
    # a street named like a person, with a number before it another recogniser reads as a phone number
    ("Aníbal Lledó\nInversiones Araujo\n{}\n04 461-7872 office", "4905 478 Shawn Hills\nTipuhoroiti\n, nan\n New Zealand 35573"),
    # the last line of an international address (a country and its postcode) anchors the lines above it
    ("Here is the address:\n\n{}", "526 cesta na loko 061\n suite 700\n grosuplje\n slovenia 33714"),
    ("Dear Sir,\n{}\nThanks", "Ms. Teona Ene Apt. 228 261 Hauptmanca 9c\nGrosuplje Notranjsko - kraška 2320"),
    # after an unmistakable address cue, a lower-case street of any type of the national lists
    ("stéphane lives at {}", "3318 17 roy port, williamsfurt"),
    ("he had given her his address: {}", "48626 289 kerr forks"),
    ("The address of the company is {}", "002 Travessa de Batista, 18\nSaltum\n, Syddanmark\n 12803"),
    ("Please send the card to {} please.", "Av de Arnaldo Gama, 1"),
    ("My new address is {} from May.", "Alameda Luna Lima, 17"),
    ("May I have the statement sent to {}?", "16960 45 Perri Street Suite 421\nOddø, Midtjylland 38236"),
    ("Please write to {}\n\nThanks", "66443 Bernasconistrasse 52\nBrežice, Jugovzhodna Slovenija 64989"),
]


@pytest.mark.parametrize("template, address", WHOLE_ADDRESSES)
def test_an_address_is_one_placeholder(redactor, template, address):
    text, pm = _redact(redactor, template.format(address))
    assert address in _locations(pm), (text, pm.mapping)


def test_two_addresses_joined_by_a_preposition_are_two(redactor):
    first, second = "Viale Napolitano, 1 Piano 9, 13896, Netro (BI)", "Stretto Lodovico, 41 Piano 7, 71011, Apricena (FG)"
    text, pm = _redact(redactor, f"Salve, ci siamo trasferiti da {first} a {second}. Potete spostare la polizza?")
    assert {first, second} <= set(_locations(pm)), (text, pm.mapping)
    assert " a <LOCATION" in text, text


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        ("Il corso online, 3 moduli, costa 200 euro.", "corso online, 3"),
        ("Ho ricevuto la lettera via posta, 3 giorni fa.", "via posta, 3"),
        ("Can we meet?\nThe travel from Toronto, Ontario 2024 was fine.", "2024"),
        ("I have a question about the av 2 receiver.", "av 2"),
        ("it is 3 lane road all the way and was 5 miles road", "3 lane road"),
        ("send it to 12 oak road tomorrow please", "tomorrow"),
        ("send it to 12 oak road thanks", "thanks"),
        ("we act 2600 times a day, in nsw 2000 people", "act 2600"),
        ("It was on Channel 4. We met at Gate 12, on Platform 9. Born in March 1990.", "Channel 4"),
        ("We met at Gate 12, on Platform 9.", "Platform 9"),
        ("The show was on Netflix 2 weeks ago.", "2 weeks"),
        ("Our office at 12 Elm Road Is Closed for renovation.", "Is Closed"),
        ("my address is 5 minutes walk from the station", "5 minutes walk"),
        ("she moved to 2 different places in the park", "2 different places"),
        ("We met in Paris 2019 and in London 3000 people came to the Model 3200 launch.", "3000 people came to the Model 3200"),
    ],
)
def test_words_that_only_look_like_an_address_stay(redactor, sentence, kept):
    text, pm = _redact(redactor, sentence)
    assert kept in text, (text, pm.mapping)
