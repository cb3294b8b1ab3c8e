"""Forms from the fourth session's new-user trial (agent/pii/addresses.py, address_places.py,
outbound_guard.py): a span stays on its value (no words of the sentence swallowed), and a UK
postcode in lower case is found by redaction and by the last check. Through the real Redactor."""

from __future__ import annotations

import pytest

from agent.outbound_guard import OutboundGuard
from tests.redaction.test_address_parts import _redact


@pytest.mark.parametrize(
    "text,value,entity",
    [
        ("Please pay any proceeds to my account GB46BARC20005873451290. Our solicitor will write.", "GB46BARC20005873451290", "IBAN_CODE"),
        ("> Please confirm your date of birth by replying. Call us on 0161 496 0712.\n\nI live at 8 Rosewood Court, Altrincham WA14 2QJ.", "0161 496 0712", "PHONE_NUMBER"),
    ],
)
def test_a_span_is_the_value_not_the_words_before_it(redactor, text, value, entity):
    masked, pm = _redact(redactor, text)
    assert [v for ph, v in pm.mapping.items() if ph.startswith(f"<{entity}")] == [value], pm.mapping
    assert "pay any proceeds" in masked or "Call us on" in masked, masked


def test_a_lower_case_town_does_not_take_the_words_after_it(redactor):
    text = "hi there, i live in whitby and my son lives in york since may. can you update the policy please, thanks a lot for the help"
    masked, pm = _redact(redactor, text)
    assert "and my son" in masked and "whitby" not in masked, masked


@pytest.mark.parametrize("code", ["sw1a 1aa", "sw1a1aa", "ls6 2ab", "Eh2 3nh"])
def test_a_uk_postcode_in_any_case_is_masked_and_the_last_check_finds_it(redactor, code):
    text = f"The parcel office is at {code}, please send it there."
    masked, pm = _redact(redactor, text)
    assert code not in masked, masked
    assert [(h.entity, text[h.start : h.end]) for h in OutboundGuard().scan(text)] == [("LOCATION", code)]


@pytest.mark.parametrize("text", ["my flat is on the s1 1st floor, next to the lift", "see section b2 2 of the form"])
def test_words_shaped_like_a_postcode_stay_readable(redactor, text):
    masked, pm = _redact(redactor, text)
    assert masked == text, pm.mapping


@pytest.mark.parametrize(
    "address",
    ["k.obi [at] brightline-logistics.example", "ana (at) casa [dot] es", "john dot smith at example dot com", "john at example dot com"],
)
def test_an_e_mail_address_written_out_is_masked_and_the_last_check_finds_it(redactor, address):
    text = f"Please write to {address} from now on."
    masked, pm = _redact(redactor, text)
    assert masked == "Please write to <EMAIL_ADDRESS_1> from now on.", (masked, pm.mapping)
    assert [(h.entity, text[h.start : h.end]) for h in OutboundGuard().scan(text)] == [("EMAIL_ADDRESS", address)]


@pytest.mark.parametrize("text", ["Look at this dot com bubble, it will burst.", "We met at home and it was fine."])
def test_prose_with_at_and_dot_is_no_address(redactor, text):
    masked, pm = _redact(redactor, text)
    assert masked == text, pm.mapping
    assert OutboundGuard().scan(text) == []
