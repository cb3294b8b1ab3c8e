"""Forms a new-user trial's client mails used, masked whole and no wider: two lower-case UK
addresses a blank line and a sentence apart stay two (agent/pii/address_joining.py, _address_gap), the
addressee's title line above an address block is a name, not an address line (UPU S42), a
lower-case Swiss French street in German text, a lower-case Canadian block with its province and
two spaces before the postcode (Canada Post), and a document number of letters and digits masked
as one token (ICAO Doc 9303 passport numbers, agent/redaction.py _whole_token). Every test goes
through the real Redactor; the values are invented."""

from __future__ import annotations

from agent.models import ItemContext
from tests.redaction.test_recognisers import redact as _redact


def _values(pm, entity: str) -> list[str]:
    return [v for ph, v in pm.mapping.items() if ph.startswith(f"<{entity}")]


def test_blank_line_and_sentence_keep_two_addresses_apart(redactor):
    text = (
        "hello,\n\nplease update my records, new address:\n\nflat 2c, 14 alder grove\nharlesden\nlondon\nha9 8pq\n\n"
        "the previous one was 52 kestrel road, maidstone me14 2rd.\n\nthanks,\nrowan"
    )
    out, pm = _redact(redactor, text)
    locs = _values(pm, "LOCATION")
    assert "flat 2c, 14 alder grove\nharlesden\nlondon\nha9 8pq" in locs
    assert "52 kestrel road, maidstone me14 2rd" in locs
    assert "the previous one was <LOCATION_" in out
    for part in ("alder grove", "ha9 8pq", "kestrel road", "me14 2rd"):
        assert part not in out


def test_lower_case_title_line_is_a_name_above_the_address(redactor):
    text = "grüezi\n\nbitte die post ab sofort an:\n\nfrau anna meierhans\nseestrasse 45, 3. stock\n8002 zürich\n\nbesten dank"
    out, pm = _redact(redactor, text)
    locs = _values(pm, "LOCATION")
    assert "seestrasse 45, 3. stock\n8002 zürich" in locs
    assert not any("meierhans" in v or "frau" in v for v in locs)
    assert any("meierhans" in v for v in _values(pm, "PERSON"))
    assert "frau <PERSON_" in out  # the title stays readable


def test_capital_title_line_is_a_name_above_the_address(redactor):
    text = "Please send the card to:\n\nMRS K L ABERNETHY\nLEVEL 5, 88 QUEEN STREET\nMELBOURNE VIC 3000\nAUSTRALIA\n\nThank you"
    out, pm = _redact(redactor, text)
    assert "LEVEL 5, 88 QUEEN STREET\nMELBOURNE VIC 3000\nAUSTRALIA" in _values(pm, "LOCATION")
    assert any("ABERNETHY" in v for v in _values(pm, "PERSON"))
    assert "ABERNETHY" not in out and "MRS <PERSON_" in out


def test_swiss_french_street_in_lower_case_german_text(redactor):
    text = "meine mutter wohnt seit märz in der route de la gare 7, 1020 renens.\n\nfreundliche grüsse"
    out, pm = _redact(redactor, text)
    assert "route de la gare 7, 1020 renens" in _values(pm, "LOCATION")
    assert "wohnt seit märz in der <LOCATION_" in out


def test_lower_case_canadian_block_with_province_and_postcode(redactor):
    text = "hi,\n\nmy mailing address:\n\nunit 804, 77 harbour st\nvancouver bc  v6b 2k4\n\ncheers"
    out, pm = _redact(redactor, text)
    assert "unit 804, 77 harbour st\nvancouver bc  v6b 2k4" in _values(pm, "LOCATION")
    assert "vancouver" not in out and "v6b" not in out


def test_canadian_code_shape_without_town_and_province_stays(redactor):
    out, pm = _redact(redactor, "the replacement part k1a 0b1 is out of stock until friday.")
    assert not _values(pm, "LOCATION")
    assert "k1a 0b1" in out


def test_passport_number_with_letters_is_masked_whole(redactor):
    text = "Vi comunico il numero del mio passaporto, XB9183726, e il documento AC-7364519. Grazie."
    out, pm = _redact(redactor, text)
    accounts = _values(pm, "ACCOUNT_NUMBER")
    assert "XB9183726" in accounts and "AC-7364519" in accounts
    assert "XB" not in out and "AC-" not in out


def test_spanish_dni_letter_is_masked_with_its_number(redactor):
    out, pm = _redact(redactor, "Mi DNI es 87654321X, gracias.")
    assert "87654321X" in _values(pm, "ES_NIF")  # Presidio's NIF recogniser: the letter checks the number (a default entity)
    assert "X," not in out
    out, pm = _redact(redactor, "Mi DNI es 87654321A, gracias.")  # a letter that fails the check: still masked, as a number
    assert "87654321A" in _values(pm, "ACCOUNT_NUMBER") and "A," not in out


def test_glued_word_amount_and_date_stay_readable(redactor):
    text = "Tax reference 7364519284The accounts team. Total EUR2450000 paid. Born 12.03.1980."
    out, pm = _redact(redactor, text)
    assert "The accounts team" in out
    assert "EUR" in out
    assert not any("The" in v or "EUR" in v for v in _values(pm, "ACCOUNT_NUMBER"))


def test_sender_name_line_is_a_name_above_the_address(redactor):
    text = "grüezi\n\nbitte die post ab sofort an:\n\nlorenz wyss-gasser\nseestrasse 45, 3. stock\n8002 zürich\n\nbesten dank\nlorenz"
    item = ItemContext(subject="neue adresse", sender_name="lorenz wyss-gasser", sender_email="lorenz@client.example", latest_text=text, crm_fields={}, language="de")
    pm = redactor.pseudonymise(item).placeholders
    assert "seestrasse 45, 3. stock\n8002 zürich" in _values(pm, "LOCATION")
    assert "lorenz wyss-gasser" in _values(pm, "PERSON")


def test_french_and_dutch_title_lines_are_names(redactor):
    for text, name, address in [
        ("Veuillez envoyer la carte à :\n\nMme Odile Ferrand-Vasseur\n7 rue des Capucins\n69001 Lyon\n\nMerci", "Odile Ferrand-Vasseur", "7 rue des Capucins\n69001 Lyon"),
        ("graag naar:\n\ndhr. joris van der meulen\nkerkstraat 12\n3512 ab utrecht\n\nmvg", "joris van der meulen", "kerkstraat 12\n3512 ab utrecht"),
    ]:
        out, pm = _redact(redactor, text)
        assert address in _values(pm, "LOCATION")
        assert name in _values(pm, "PERSON")


def test_house_or_street_named_with_a_title_word_stays_in_the_address(redactor):
    text = "Please post it to:\n\nSir Thomas House\n14 Lord Street\nSouthport PR8 1NY\n\nThanks"
    out, pm = _redact(redactor, text)
    assert "Sir Thomas House\n14 Lord Street\nSouthport PR8 1NY" in _values(pm, "LOCATION")
    assert not _values(pm, "PERSON")


def test_a_reference_after_the_first_half_of_a_compound_number_word_is_masked(redactor):
    """"Debiteurnummer D-551027": a six-digit reference with a letter prefix is an account number
    when a compound's first half names it (Dutch and German write "…nummer" as one word); the
    end-to-end scan found one such reference sent to the model."""
    for text, value in [
        ("Goedemiddag, mijn debiteurnummer is D-551027. Groet, Femke", "D-551027"),
        ("Hallo,\nmeine Mitgliedsnummer ist M-308841, bitte um Rückruf.", "M-308841"),
    ]:
        out, pm = _redact(redactor, text)
        assert value not in out and value in _values(pm, "ACCOUNT_NUMBER"), out
    out, _ = _redact(redactor, "Wir haben 120 Mitglieder und 3 Filialen.")
    assert "<ACCOUNT_NUMBER" not in out


def test_references_with_letters_slashes_and_six_digits_are_masked_whole(redactor):
    """Another insurer's reference with slashes and a check letter ("MTR/…/C") next to its word,
    and two to four capitals + six digits anywhere ("Re claim CLM-…"): the end-to-end scan found
    both in model requests. Short codes with fewer digits stay ("ISO-9001", "COVID-19")."""
    for text, value in [
        ("The other driver's insurer gave the reference KRT/55102/B yesterday.", "KRT/55102/B"),
        ("Re claim HSE-630981: the pipe burst again.", "HSE-630981"),
    ]:
        out, pm = _redact(redactor, text)
        assert value not in out and value in _values(pm, "ACCOUNT_NUMBER"), out
    out, _ = _redact(redactor, "Our audit follows ISO-9001 and the COVID-19 rules of 2021.")
    assert "ISO-9001" in out and "COVID-19" in out, out
