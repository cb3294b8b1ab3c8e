"""Street types of the national address standards (agent/pii/street_types.py: USPS Publication 28
C1, AS/NZS 4819, INEGI) after a house number, Australian state and postcode with commas, and the
same words in a sentence staying words. Through the real Redactor; every address is invented."""

from __future__ import annotations

import pytest

from tests.redaction.test_address_parts import _locations, _redact

MASKED = [
    ("Please send the card to 4410 Maple Flats, Springdale, AR 72764 from now on.", "4410 Maple Flats, Springdale, AR 72764"),
    ("A pipe burst at our rental at 17 Heron Isle on Sunday night.", "17 Heron Isle"),
    ("New address:\n12 Wattle Crossway\nBraidwood, NSW, 2622\nThanks", "12 Wattle Crossway\nBraidwood, NSW, 2622"),
    ("We moved from 3/41 Kookaburra Rosebowl, Mawson Lakes, SA, 5095 to a flat.", "3/41 Kookaburra Rosebowl, Mawson Lakes, SA, 5095"),
    ("Mi dirección es Cerrada Hidalgo 455, Col. Centro, no la anterior.", "Cerrada Hidalgo 455"),
    ("La casa está en Periférico Sur 1220 desde enero.", "Periférico Sur 1220"),
    # Dutch, Flemish and German suffixes that also end ordinary words, where the address goes on
    ("Adres: Lindehof 42\n9601 AB Hoogezand", "Lindehof 42\n9601 AB Hoogezand"),
    ("Ons nieuwe adres is Frankrijklei 70, 2000 Antwerpen.", "Frankrijklei 70, 2000 Antwerpen"),
    ("Unser Haus Anton-Bruckner-Ring 60 in Linz ist beschädigt.", "Anton-Bruckner-Ring 60"),
    # an Australian unit/number; a national street type after "on"
    ("Address: 12/318 Wattle Road, Annaview ACT 2602", "12/318 Wattle Road, Annaview ACT 2602"),
    ("I've just bought a house on 804 Heron Pass and need cover from Monday.", "804 Heron Pass"),
]


@pytest.mark.parametrize("text,address", MASKED, ids=[a.split("\n")[0] for _, a in MASKED])
def test_a_street_type_of_a_national_list_after_a_house_number_is_an_address(redactor, text, address):
    masked, pm = _redact(redactor, text)
    assert address not in masked, masked
    assert any(address in v or v in address and len(v) > len(address) // 2 for v in _locations(pm).values()), pm.mapping


@pytest.mark.parametrize(
    "text,word",
    [
        ("We ordered 2 Green Lights for the office and they arrived broken.", "Green Lights"),
        ("Chapter 11 Mission statements are due in March, said the board.", "Mission"),
        ("The 3 Key Points of the offer are listed below.", "Key Points"),
        ("Wir haben am Bahnhof 3 Stunden gewartet, der Zug kam nicht.", "Bahnhof 3"),
        ("Ich habe mein iPad 2 verloren, die Versicherung soll zahlen.", "iPad 2"),
        ("Der Ehering 2 Jahre alt ist weg, bitte melden.", "Ehering 2"),
        ("I play piano 3 times a week and my daughter too.", "piano 3"),
        ("Ho comprato un appartamento 2 anni fa, vorrei assicurarlo.", "appartamento 2"),
    ],
)
def test_the_same_words_in_a_sentence_stay_words(redactor, text, word):
    masked, pm = _redact(redactor, text)
    assert word in masked, (masked, pm.mapping)


def test_an_italian_unit_after_the_house_number_is_masked_with_the_address(redactor):
    masked, pm = _redact(redactor, "Abbiamo una casa in Via Beatrice, 1 Appartamento 5 e ci serve la polizza.")
    assert "Beatrice" not in masked and "Appartamento 5" not in masked, masked
