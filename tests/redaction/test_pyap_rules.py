"""agent.pii.pyap_rules gives what pyap.parse gives (compiled rules, GB postcode pre-check)."""

import pyap
import pytest

from agent.pii import pyap_rules

TEXTS = [
    "Please write to 14 Harbour View, Whitby YO21 3AB until May.",  # GB with a postcode
    "I moved to 22 Baker Street last week, the flat above the bakery.",  # street line, no postcode
    "Flat 2, 10 Downing Street\nLondon\nSW1A 2AA\nUnited Kingdom",
    "Our office: 1600 Pennsylvania Avenue NW, Washington, DC 20500",
    "Send it to 301 Front St W, Toronto, ON M5V 2T6 please.",
    "nothing here but words and 12 numbers",
]


@pytest.mark.parametrize("country", ["GB", "US", "CA"])
@pytest.mark.parametrize("text", TEXTS)
def test_parse_finds_what_pyap_finds(text, country):
    ours = [(a.full_address, a.match_start, a.match_end) for a in pyap_rules.parse(text, country)]
    theirs = [(a.full_address, a.match_start, a.match_end) for a in pyap.parse(text, country=country)]
    assert ours == theirs


def test_gb_addresses_are_only_looked_for_where_a_postcode_is():
    required = pyap_rules._required_part("GB")
    assert required is not None and required.search("Whitby YO21 3AB") and not required.search("22 Baker Street")
    assert pyap_rules._required_part("US") is None
