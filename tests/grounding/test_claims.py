"""Claims in drafts and what supports them (rules/claims.py), through the real parsers: price-parser
for amounts, Babel for numbers and month/weekday names, dateparser for dates."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rules.claims import extract_claims, unsupported_claims
from rules.policy import DEFAULT_PACK_PATH, load_policy_pack

PACK = load_policy_pack(DEFAULT_PACK_PATH)


def kinds(text: str, lang: str) -> list[tuple[str, tuple]]:
    return [(c.kind, c.value) for c in extract_claims(text, lang, products=PACK.grounding.products, commitments=PACK.grounding.commitments)]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("The platform fee is €1.234,56 a year.", "en", ("fee", ("money", Decimal("1234.56"), "EUR"))),
        ("Die Gebühr beträgt 1.234,56 EUR.", "de", ("fee", ("money", Decimal("1234.56"), "EUR"))),
        ("You paid $1,234.56 last month.", "en", ("amount", ("money", Decimal("1234.56"), "USD"))),
        ("Le taux est de 2,5 %.", "fr", ("percentage", ("percent", Decimal("2.5")))),
        ("Il tasso è del 3 per cento.", "it", ("percentage", ("percent", Decimal("3")))),
        ("Wir zahlen am 15. März 2027 aus.", "de", ("date", ("date", "2027-03-15"))),
        ("Le virement part le 1er janvier 2027.", "fr", ("date", ("date", "2027-01-01"))),
        ("La transferencia llega el 3 de febrero de 2027.", "es", ("date", ("date", "2027-02-03"))),
        ("It arrives on 31/01/2027.", "en", ("date", ("date", "2027-01-31"))),
        ("We reply within 5 business days.", "en", ("deadline", ("duration", 5, "day"))),
        ("Wir antworten innerhalb von drei Werktagen.", "de", ("deadline", ("duration", 3, "day"))),
        ("Open a Junior ISA for your daughter.", "en", ("product", ("product", "junior isa"))),
        ("We will waive the fee this time.", "en", ("commitment", ("commitment", "waive"))),
    ],
)
def test_each_kind_of_claim_is_read_and_normalised(text, lang, expected):
    assert expected in kinds(text, lang)


def test_plain_text_makes_no_claim():
    assert kinds("Thank you for your message. A member of our team will reply to you shortly.", "en") == []
    assert kinds("Vielen Dank für Ihre Nachricht. Wir melden uns in Kürze bei Ihnen.", "de") == []


def test_support_is_compared_by_value_not_by_spelling():
    support = [("Eine Überweisung kostet 25,00 EUR und dauert 2 Werktage; Auszahlung am 15.03.2027.", "de")]
    draft = "The transfer costs EUR 25 and takes 2 working days; paid on 15 March 2027. It costs €30 for express."
    left = unsupported_claims(draft, "en", support, products=PACK.grounding.products, commitments=PACK.grounding.commitments)
    assert [c.text for c in left] == ["€30"]


def test_an_amount_in_another_currency_is_not_supported():
    left = unsupported_claims("The fee is $25.", "en", [("The fee is £25.", "en")])
    assert [c.text for c in left] == ["$25"]
    assert unsupported_claims("The fee is 25 pounds.", "en", [("The fee is £25.", "en")]) == []
