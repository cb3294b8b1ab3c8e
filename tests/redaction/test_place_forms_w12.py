"""The town of the client's home written apart from any street (the w12 tuning set): the former
or new home town after "moved from/to", and a lower-case suburb with its generic last word
after a home word in mail that is not all lower case (agent/pii/address_places.py). Through
the real Redactor; the values are invented."""

from __future__ import annotations

import pytest

from tests.redaction.test_recognisers import redact as _redact


def _places(pm) -> list[str]:
    return [v for ph, v in pm.mapping.items() if ph.startswith("<LOCATION")]


@pytest.mark.parametrize(
    ("text", "town"),
    [
        ("Please change my auto policy address. I moved from Homestead in March.", "Homestead"),
        ("We relocated to Port Macquarie last year and the letters still go to the old house.", "Port Macquarie"),
        ("my name is Ana Costa and my bike was taken from my home in rosehill park on monday", "rosehill park"),
    ],
)
def test_the_clients_home_town_apart_from_a_street(redactor, text, town):
    out, pm = _redact(redactor, text)
    assert town not in out and town in _places(pm), (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("We moved to Japan two years ago and kept the account.", "Japan"),
        ("my house in the park is lovely in spring", "park"),
        ("We are moving to paperless statements next month.", "paperless"),
    ],
)
def test_a_country_a_park_or_a_thing_stays(redactor, text, word):
    out, pm = _redact(redactor, text)
    assert word in out, (out, pm.mapping)


def test_a_lower_case_intersection_and_its_town_under_a_template_greeting(redactor):
    text = "Hello,\n\nmy son hit a van yesterday near king rd and westway in coquitlam, nobody hurt, his number is 604 555 0111\n\nKind regards\n"
    out, pm = _redact(redactor, text)
    assert {"king rd", "westway", "coquitlam"} <= set(_places(pm)), (out, pm.mapping)


def test_a_sentence_after_a_street_word_is_no_intersection(redactor):
    out, pm = _redact(redactor, "hello,\n\ni was parked near the main st and then went home, the car was fine after\n")
    assert "then" in out and "home" in out, (out, pm.mapping)


def test_a_former_home_town_that_is_also_a_name_is_a_place_not_a_person(redactor):
    """Was a "word that stays" in test_name_parts (no PERSON); since the client's former home town
    is masked (the labelling rule of w9 and later), it is a LOCATION."""
    out, pm = _redact(redactor, "I've been a customer since I moved from Wrocław. Please stop sending paper statements.")
    assert "Wrocław" in _places(pm) and not [v for ph, v in pm.mapping.items() if ph.startswith("<PERSON")], (out, pm.mapping)


def test_the_street_of_a_theft_and_the_former_town_beside_a_new_address(redactor):
    out, pm = _redact(redactor, "Description: Someone smashed the passenger window on Flinders Street outside my work on Friday night.")
    assert "Flinders Street" in _places(pm), (out, pm.mapping)
    text = "hello,my address is change,new is Flat 12,Tower B,Whitefield,Bangalore-560048,old was Hyderabad,thanks"
    out, pm = _redact(redactor, text)
    assert "Hyderabad" in _places(pm), (out, pm.mapping)


def test_an_old_thing_that_was_broken_is_no_town(redactor):
    out, pm = _redact(redactor, "My old one was Broken, so I replaced it. Someone smashed the window, it was broken.")
    assert "Broken" in out and not _places(pm), (out, pm.mapping)
