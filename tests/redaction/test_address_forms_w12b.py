"""More postal address forms of the w12 tuning (agent/pii/addresses.py), each masked whole: an Indian building whose name
holds a word that is a stop word of another language only ("Sea Shell CHS": the stop words are those of the text's
language); NIPOST's estate phase and town with the sentence going on after them ("… Ibadan on Sunday night while …") and
its numbered avenues ("House 17, 3rd Avenue"); an Islamabad sector (CDA's grid, "E-11/4"); lower-case lines with a town
before or after the street, a street direction (USPS Publication 28 post-directional, Canada Post) and a misspelt street
type ("strt", "raod"); an An Post Dublin district in lower case. What only looks like one stays readable. Every test goes
through the real Redactor; the addresses are invented."""

from __future__ import annotations

import pytest

from tests.redaction.test_recognisers import redact as _redact


def _locations(pm) -> list[str]:
    return [v for ph, v in pm.mapping.items() if ph.startswith("<LOCATION")]


WHOLE_ADDRESSES = [
    # India Post: flat, building (a co-operative housing society), landmark, locality, town and PIN
    ("We have shifted to {} last month.", "D-305, Sea Shell CHS, Off Hill Road, Kothrud (W), Pune 411038"),
    # NIPOST: plot and block, the street, the estate's phase and the town, the sentence going on with its time or a clause
    ("Thieves broke into our house at {} on Sunday night while we slept.", "Plot 9, Block 14, Marina Road, Ajose Phase 2, Ibadan"),
    ("Burglars came into {} and we lost a television.", "Plot 3, Block 6, Kingsway Road, Ajose Phase 2, Ibadan"),
    # NIPOST: a house number, then a numbered avenue of the estate
    ("My address has changed to {}.", "House 17, 3rd Avenue, Barnawa Estate, Kaduna"),
    # Pakistan Post: house and street numbers, the Islamabad sector and sub-sector, the town
    ("he lives at {} and he is sick", "House No 45 Street 7 E-11/4 Islamabad"),
    # lower case: "is same", the street's direction, the town before the sentence's misspelt word
    ("my adress is same {} plese explain", "52 queen st e brampton"),
    # lower case: the town before the number, a misspelt street type, the locality after it
    ("i reside at {} and i want to open an account", "ibadan, 14 ring strt bodija"),
    ("i live in {} and my roof leaks", "hamilton, 22 victoria raod, te rapa"),
    # a misspelt street type after a capitalised name
    ("My new address is {}.", "14 Mill Raod, Glen Eden"),
    # An Post: unit, block, building, locality and the Dublin postal district, in lower case
    ("we live at {} my number 0871234567", "apartment 7 block b the meadows ballsbridge dublin 4"),
]


@pytest.mark.parametrize("template, address", WHOLE_ADDRESSES)
def test_an_address_is_one_placeholder(redactor, template, address):
    text, pm = _redact(redactor, template.format(address))
    assert address in _locations(pm), (text, pm.mapping)


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        ("the road ahead is long", "road ahead"),
        ("strt", "strt"),
        ("Phase 1 results are due next week.", "Phase 1"),
        ("sector funds did well this year", "sector funds"),
        ("block c of the exam is hard", "block c"),
        ("i was in dublin 18 years ago and loved it", "dublin 18"),
        ("The F-16 jets flew over the town on Monday.", "F-16"),
        ("We went to the 3rd road show in town.", "3rd road"),
        ("my answer is same 4 times plese check", "4 times"),
    ],
)
def test_words_that_only_look_like_an_address_stay(redactor, sentence, kept):
    text, pm = _redact(redactor, sentence)
    assert not any(kept in v or v in kept for v in _locations(pm)), (text, pm.mapping)
