"""A country in running text is no one's address and stays for the model ("transfer my pension
from India", "flights to Japan"); a country that ends an address is masked with it
(agent/pii/name_places.country_alone, agent/pii/name_gazetteer). Through the real Redactor;
the values are invented."""

from __future__ import annotations

import pytest

from tests.redaction.test_recognisers import redact as _redact


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("I want to transfer my pension from India to my Irish PRSA.", "India"),
        ("We sent money to Nigeria, Ghana and Kenya last year.", "Kenya"),
        ("Is my travel cover valid in Thailand and Australia?", "Thailand"),
        ("My mother lives in the Philippines at 8 Mabini Street, Tarlac City.", "Philippines"),
        ("Do you charge a fee for transfers to the UK?", "UK"),
    ],
)
def test_a_country_in_running_text_stays(redactor, text, country):
    out, pm = _redact(redactor, text)
    assert country in out, (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Please send it to 14 Marine Parade, Lagos, Nigeria before Friday.", "Nigeria"),
        ("My new address:\n22 Kampong Road\nSingapore 438711\nThanks", "Singapore"),
    ],
)
def test_a_country_that_ends_an_address_is_masked_with_it(redactor, text, country):
    out, pm = _redact(redactor, text)
    assert country not in out and any(country in v for v in pm.mapping.values()), (out, pm.mapping)
