"""Postal address forms of the w12 tuning (agent/pii/addresses.py), each masked whole: Singapore Post's HDB block,
"#storey-unit" and 6-digit postcode; India Post's and Pakistan Post's house numbers, flat numbers, sectors, landmark
lines and PIN; NIPOST's plots, blocks, houses and estate phases; the South African Post Office's 4-digit code after the
town; PHLPost's barangay; Canada Post's "boul."; and the form fields of a state, a unit, a PIN code and an address
line. What only looks like one stays readable. Every test goes through the real Redactor; the addresses are invented."""

from __future__ import annotations

import pytest

from tests.redaction.test_recognisers import redact as _redact


def _locations(pm) -> list[str]:
    return [v for ph, v in pm.mapping.items() if ph.startswith("<LOCATION")]


WHOLE_ADDRESSES = [
    # Singapore Post: "Blk", the street (a numbered street of a new town), "#storey-unit", "Singapore" + 6 digits or "S(…)"
    ("Please update my address to {} from May.", "Blk 407 Serangoon Ave 2 #08-115 Singapore 550407"),
    ("We moved to {}. Thanks", "Blk 62C Yishun Street 71 #12-304 Singapore 763062"),
    ("The address is {}.", "17 Bukit Timah Close, #02-09, Singapore 269731"),
    ("My address {}.", "Blk 19 Pasir Ris St 12 #03-88 S(510019)"),
    # India Post / Pakistan Post
    ("Complaint form\nName: Rakesh Kumar\nAddress: {}\nMobile: 98765 43210", "House No. 118, Sector 9-B, Panchkula, Haryana"),
    ("We have moved to {} last week.", "A-1104, Silver Oak Apartments, Off Link Road, Malad (W), Mumbai 400064"),
    ("I stay at {}, but I can visit the branch.", "F-21, Ground Floor, Malviya Nagar II, New Delhi 110017"),
    # NIPOST: plot and block before the street, the estate's phase after it
    ("Burglars entered our home at {} on Sunday.", "Plot 14, Block 9, Ozumba Mbadiwe Avenue, Ikota Phase 2, Lagos"),
    # South African Post Office: the 4-digit code after the town, the sentence going on after it; a shop as the unit
    ("The geyser burst at {} and the ceiling fell.", "12 Protea Avenue, Waterkloof, Pretoria, 0145"),
    ("I rent {} and need cover for the stock.", "Shop 8, 41 Main Road, Claremont, 7708"),
    ("the house is {} and the attorney has the papers", "19 Fynbos street, Brackenfell, 7560"),
    # PHLPost: barangay, town or city, province
    ("I send money to my mother in {} every month.", "Barangay Santa Lucia, Tarlac City, Tarlac"),
    # Canada Post: "boul." (BOUL) before the name
    ("Ma nouvelle adresse: {}. Merci", "1200 boul. Laurier O, app. 4, Québec QC G1V 2L8"),
]


@pytest.mark.parametrize("template, address", WHOLE_ADDRESSES)
def test_an_address_is_one_placeholder(redactor, template, address):
    text, pm = _redact(redactor, template.format(address))
    assert address in _locations(pm), (text, pm.mapping)


FORM_FIELDS = [
    ("Update of particulars\nName: Chua Mei Lin\nBlock/Street: Blk 88 Bedok North Road\nUnit no.: #06-451\nPostal code: 460088\nMobile: +65 9000 1234", ["#06-451", "460088"]),
    ("Grievance\nAddress: House No. 7, Sector 21-C, Gurugram, Haryana\nPincode: 122016\nMobile: 98765 43210", ["122016"]),
    ("CONTACT FORM\nNAME: BELLO AHMED\nADDRESS: NO 12 ZOO ROAD, GYADI GYADI, KANO\nSTATE: KADUNA STATE\nPHONE: +234 803 000 1111", ["KADUNA STATE"]),
    ("Online enquiry\nStreet address: 77 Maple Ridge Dr\nCity: Marietta\nState: GA\nZIP: 30060", ["GA"]),
    ("Online enquiry\nUnit/Street: 4 Elm Road\nCity: Kelowna\nProvince: BC\nPostal code: V1Y 2B3", ["BC"]),
    ("Quote details\nAddress line 1: The Old Dairy\nAddress line 2: Manor Farm, Church Lane\nTown/City: Lavenham\nPostcode: CO10 9QZ", ["The Old Dairy", "Manor Farm, Church Lane"]),
]


@pytest.mark.parametrize("text, values", FORM_FIELDS)
def test_a_form_field_of_an_address_is_masked(redactor, text, values):
    out, pm = _redact(redactor, text)
    assert set(values) <= set(_locations(pm)), (out, pm.mapping)


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        ("Block 3 of the course starts on Monday.", "Block 3"),
        ("This is our #1 priority for the year.", "#1 priority"),
        ("Plot twist: the claim was approved.", "Plot twist"),
        ("Sector 5 funds returned 4% last year.", "Sector 5"),
        ("House rules: no pets allowed.", "House rules"),
        ("The reference 552310 was paid, and 348912 is pending.", "348912"),
        ("Phase 1 results are due next week.", "Phase 1"),
        ("Please note: Phase 2, Lagos office, opens in March.", "Phase 2"),
        ("State: Pending\nStatus: open", "Pending"),
        ("Shop 3 is closed today.", "Shop 3"),
        ("I scored #12-3 in the game.", "#12-3"),
        ("Address line 2: see above", "see above"),
        ("We paid 120000 for it in Pretoria, 2019 was a good year.", "2019"),
    ],
)
def test_words_that_only_look_like_an_address_stay(redactor, sentence, kept):
    # no address part is taken from them (the name list's own guesses, "House" as a surname, are not this file's subject)
    text, pm = _redact(redactor, sentence)
    assert not any(kept in v or v in kept for v in _locations(pm)), (text, pm.mapping)
