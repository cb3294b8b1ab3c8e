"""International-format numbers libphonenumber does not validate (agent/pii/phone_shapes.py),
through the real Redactor: a number in an unallocated range is still a phone number."""

from __future__ import annotations

import pytest


def _phones(redactor, text):
    return [text[s.start : s.end] for s in redactor.detect(text) if s.entity == "PHONE_NUMBER"]


@pytest.mark.parametrize(
    "text, number",
    [
        ("Priyanka here, call me back re the claim.\nPriyanka Raghunathan\n+44 7700 900871\n", "+44 7700 900871"),  # Ofcom's range for fiction
        ("Reach me on 0044 7700 900461 after five.", "0044 7700 900461"),
        ("Mobile (+31) 6 0000 0000, thanks", "(+31) 6 0000 0000"),
        ("bel +49 (0) 199 1234567 morgen", "+49 (0) 199 1234567"),
        ("Mi numero: +353 80 123 4567", "+353 80 123 4567"),
        ("Phone:\n001-258-342-0643x38178\n", "001-258-342-0643x38178"),  # with its extension (E.123, NANP "x")
    ],
)
def test_a_possible_international_number_is_masked_without_a_phone_word(redactor, text, number):
    import phonenumbers

    assert not phonenumbers.is_valid_number(phonenumbers.parse(number.strip("()").replace("(0)", "").replace("0044", "+44").replace("001-", "+1-"), None))
    assert number in _phones(redactor, text) or any(number in p for p in _phones(redactor, text))


@pytest.mark.parametrize(
    "text",
    [
        "The fund rose +12.5% this year and +1,250.00 EUR was paid.",
        "Ref +2024-11-03 in the ledger",
        "Score +44 points",  # a country code with too few digits
        "Order 00 12 in the queue",
    ],
)
def test_amounts_dates_and_short_numbers_with_a_plus_are_no_phone_numbers(redactor, text):
    assert _phones(redactor, text) == []
