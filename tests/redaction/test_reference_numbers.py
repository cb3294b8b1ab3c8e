"""References a firm issues to its client in the shapes client mail writes them
(agent/pii/recognisers.py, reference_recogniser): a capital prefix and digit groups written
apart, several parts joined by hyphens or slashes, digit groups after a client-number label in
six languages; and the amounts, standards, dates, postcodes and phone numbers of the same shapes
that stay. Every test goes through the real Redactor; the values are invented."""

from __future__ import annotations

import pytest

from tests.redaction.test_recognisers import redact as _redact


def _values(pm, entity: str) -> list[str]:
    return [v for ph, v in pm.mapping.items() if ph.startswith(f"<{entity}")]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("He is a named driver on my policy QTR 6610 3385. Nobody was hurt.", "QTR 6610 3385"),
        ("Please note the address for the farm policy GRM 442 018 is now the one below.", "GRM 442 018"),
        ("Versicherungsnummer: KRA 3371 882 04\nGeb.-Datum folgt", "KRA 3371 882 04"),
        ("contrat résidence secondaire RS 0082 6621\nà bientôt", "RS 0082 6621"),
        ("os reenvío lo que me manda el administrador, mi seguro es HGR 6612 0045", "HGR 6612 0045"),
        ("Regarding my motor claim MK-2025-0027741: the accident happened at noon.", "MK-2025-0027741"),
        ("Claim for hail damage, policy FRA-AU-30295. Property is the farm.", "FRA-AU-30295"),
        ("Mi póliza de contenido es la CH-HOG-441283.", "CH-HOG-441283"),
        ("La mia casa è in ristrutturazione. Polizza CD-33102-TO.", "CD-33102-TO"),
        ("Bonjour, mon contrat : PNA-229315-G.", "PNA-229315-G"),
        ("Notre numéro de client : 0077 5528 36\nNous habitons ici.", "0077 5528 36"),
        ("Kan iemand dit nakijken? Klantnummer 200 577 328.", "200 577 328"),
        ("Versichertennummer K 775 318 442. Bitte erstatten Sie den Betrag.", "K 775 318 442"),
    ],
)
def test_a_firms_reference_is_masked_whole(redactor, text, value):
    out, pm = _redact(redactor, text)
    assert value not in out and any(value in v for v in _values(pm, "ACCOUNT_NUMBER")), (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("The account balance was EUR 1 250 000 at the end of the policy year.", "EUR 1 250 000"),
        ("Our policy follows ISO 9001 and ISO 14001 since 2019.", "ISO 14001"),
        ("Please send the contract to DE-80331 München.", "DE-80331"),
        ("Our audit follows ISO-9001 and the COVID-19 rules of 2021, policy section 2.", "COVID-19"),
        ("The policy premium rises by RS 12 500 from next year.", "RS 12 500"),
    ],
)
def test_amounts_standards_and_postcodes_are_no_reference(redactor, text, kept):
    out, pm = _redact(redactor, text)
    assert kept in out or not _values(pm, "ACCOUNT_NUMBER"), (out, pm.mapping)
    assert not any(kept in v for v in _values(pm, "ACCOUNT_NUMBER")), pm.mapping


def test_a_national_insurance_number_keeps_its_type(redactor):
    out, pm = _redact(redactor, "For the policy file: my National Insurance number is JK 37 15 92 B.")
    assert "JK 37 15 92 B" in _values(pm, "UK_NINO"), pm.mapping


def test_a_phone_number_after_a_customer_service_label_stays_a_phone(redactor):
    out, pm = _redact(redactor, "Customer service number: 0800 123 4567. My phone number is 0176 5550 1234.")
    assert not _values(pm, "ACCOUNT_NUMBER"), pm.mapping


def test_care_of_name_inline_after_an_address_label(redactor):
    """"Adresse: bei Schneider, Lindenallee 5": the care-of line of Deutsche Post / La Poste
    addressing written inline after the address label is a name (agent/pii/recognisers.py)."""
    for text, name in [
        ("Bitte an meine neue Adresse: bei Lindner, Ahornweg 5, 04105 Leipzig. Kundennummer 300 418 772.", "Lindner"),
        ("Nouvelle adresse : chez Garnier, 4 rue des Lilas, 75011 Paris.", "Garnier"),
    ]:
        out, pm = _redact(redactor, text)
        assert name in _values(pm, "PERSON"), (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Please contact my wife Ananya (98450 66321) if I am travelling.", "98450 66321"),
        ("Gracias,\nFacu\n11 4433-0172", "11 4433-0172"),
    ],
)
def test_indian_and_argentinian_mobiles_in_national_format(redactor, text, value):
    """India and Argentina are default phone regions (agent/config.py): their mobiles written
    nationally, 5+5 digits and the Buenos Aires area code, are phone numbers (libphonenumber's
    match may take the opening bracket with it)."""
    out, pm = _redact(redactor, text)
    assert value not in out and any(value in v for v in _values(pm, "PHONE_NUMBER")), (out, pm.mapping)
