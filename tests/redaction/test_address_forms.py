"""Less common forms of a postal address are masked whole (agent/pii/addresses.py): Dutch and
Flemish house-number additions (BAG / PostNL: "17-II", "212 zwart", "9 hs", "t/o", "41bis", bpost's
"bus 1.3"), street names with an abbreviated title (NEN 5825: "dr. van der meerlaan"), Swiss
lower-case streets with "im"/"am" and a canton code, "b." in a town name, Italian street
abbreviations ("c.so", "p.zza"), "sc. b", "piano rialzato", Spanish "pta 4", French "rés." and
chained building parts, US street suffixes of USPS Publication 28 ("Cir") and a lower-case unit
before the street line. And what only looks like part of one stays readable: the sign-off after
an address, a sentence's preposition before a street, "c.so" as a course. Every test goes
through the real Redactor; the addresses are invented."""

from __future__ import annotations

import pytest

from agent.redaction import restore
from tests.redaction.test_recognisers import redact as _redact


def _locations(pm) -> list[str]:
    return [v for ph, v in pm.mapping.items() if ph.startswith("<LOCATION")]


WHOLE_ADDRESSES = [
    # nl / be: house-number additions
    ("Mijn nieuwe adres is {}. Bedankt.", "Dorpsstraat 41bis, 8500 Kortrijk"),
    ("Stuur de pas naar {}. Dank je.", "Prinsengracht 212 zwart, 1016 HE Amsterdam"),
    ("Ons adres:\n{}\nGroet", "3e Helmersstraat 17-II\n1054 BK Amsterdam"),
    ("Graag naar {} sturen.", "Lindenlaan 9 hs, 3521 AB Utrecht"),
    ("Het adres van de woonboot is {}, aan de overkant.", "Prinsengracht 1 t/o, 1015 DZ Amsterdam"),
    ("Nieuw adres:\n{}\nGroeten", "Tiensestraat 88 bus 1.3\n3000 Leuven"),
    ("ik woon op {} mvg", "dr. van der meerlaan 14 2341 kl oegstgeest"),
    # de / ch: a street with its preposition, a canton code, chained floors, "b." in a town
    ("Neue Adresse: {}. Merci vielmal.", "im Ried 7, 6300 Zug ZG"),
    ("wohne jetzt {}. gruss", "am bach 4, 8001 zürich"),
    ("bitte an {} schicken danke", "goethestr. 5, vorderhaus 2. etage, 60313 frankfurt"),
    ("Die Police bitte an:\n{}\nDanke", "Haus Sonnenhalde\nOberdorf 12\n3818 Grindelwald b. Interlaken"),
    ("Der Schaden war in {}. Danke.", "Lindau, PLZ 88131"),
    # fr / ch: a post-office box and its office number, a residence and its building and staircase
    ("Nous sommes à la {}. Merci.", "case postale 55, 1211 Genève 3"),
    ("Nouvelle adresse : {} merci", "rés. les glycines, bât 2 esc A, 5 rue des roses, 69100 villeurbanne"),
    # it: abbreviated street words, staircase, floor, a locality with a house number
    ("Ecco l'indirizzo: {}. Grazie", "c.so Garibaldi 55, 35122 Padova"),
    ("ora abito in {} grazie", "p.zza cavour 3 sc. b 00193 roma"),
    ("Il nuovo indirizzo è {}. Grazie", "Via Verdi 12, piano rialzato, 40121 Bologna"),
    ("Per la perizia: {}. Saluti", "loc. Poggio Alto 9, 53024 Montalcino (SI)"),
    # es: the door after the house number
    ("nueva dirección: {} gracias", "avda. de la constitución 12 pta 4 41001 sevilla"),
    # en / us: a lower-case unit before the street line, a USPS suffix
    ("please mail it to {} thanks", "apt 4b 210 e 72nd st new york ny 10021"),
    ("The house is at {}.", "415 Heron Cir, Naples, FL 34102"),
    # a Dutch postcode after its word, a postcode after a few words and a colon
    ("Postcode is {}.", "3512 JK, huisnummer 4"),  # PostNL: postcode and house number identify the address together
    ("Le code postal ne change pas : {}. Merci.", "74000"),
]


@pytest.mark.parametrize("template, address", WHOLE_ADDRESSES)
def test_an_address_in_a_less_common_form_is_masked_whole(redactor, template, address):
    sentence = template.format(address)
    text, pm = _redact(redactor, sentence)
    assert address not in text and address in _locations(pm), (text, pm.mapping)
    restored, unknown = restore(text, pm)
    assert restored == sentence and not unknown


@pytest.mark.parametrize(
    "sentence, address, kept",
    [
        # the sign-off or the next sentence after a town and its canton or postcode
        ("Ons adres is Kerkstraat 12, 1012 AB Amsterdam. Groeten", "Kerkstraat 12, 1012 AB Amsterdam", "Groeten"),
        ("Notre adresse est chemin des Vignes 4, 1800 Vevey VD. Merci beaucoup.", "chemin des Vignes 4, 1800 Vevey VD", "Merci"),
        ("Wir wohnen im Ried 7, 6300 Zug ZG. Bitte alles anpassen.", "im Ried 7, 6300 Zug ZG", "Bitte"),
        ("ik ben verhuisd naar de kerkstraat 7 mvg daan", "kerkstraat 7", "mvg"),  # a lower-case sign-off
        # a preposition of the sentence before a street named with its street word
        ("Der Schaden ist am Ferienhaus an der Dorfstrasse 12, 3855 Brienz BE. Bitte melden.", "Dorfstrasse 12, 3855 Brienz BE", "am Ferienhaus an der"),
        # the particle of a Dutch street name only after a name or a title
        ("Het ongeluk gebeurde bij de deur van Stationsweg 21, 6711 PM Ede.", "Stationsweg 21, 6711 PM Ede", "deur van"),
    ],
)
def test_the_address_ends_where_the_letter_goes_on(redactor, sentence, address, kept):
    text, pm = _redact(redactor, sentence)
    assert address in _locations(pm), (text, pm.mapping)
    assert kept in text, (text, pm.mapping)


@pytest.mark.parametrize(
    "sentence, kept",
    [
        ("Il c.so di formazione costa 300 euro.", "di formazione costa 300"),  # corso: a course
        ("I ordered the Abbey Road 4-Seater sofa and it arrived damaged.", "Abbey Road"),  # a product named after a street
        ("Die Sitzung ist am Montag 3, danach 1200 Teilnehmer.", "am Montag 3"),  # a preposition, a day and a count
        ("wir waren im urlaub 2, 1000 euro weg", "im urlaub 2, 1000 euro"),  # an amount after a number
    ],
)
def test_a_preposition_or_an_abbreviation_alone_is_no_address(redactor, sentence, kept):
    text, pm = _redact(redactor, sentence)
    assert kept in text, (text, pm.mapping)
    assert not _locations(pm), pm.mapping
