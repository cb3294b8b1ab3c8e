"""Forms a new user's trial of the fifth session wrote (ten PII-heavy mails of its own, values
invented): Polish, Portuguese, Hungarian and Greek addresses in English mail, lower case and
capitals. Each is masked whole (agent/pii/address_*.py); what only looks like one stays. Every test
goes through the real Redactor."""

from __future__ import annotations

import pytest

from tests.redaction.test_recognisers import redact as _redact


def _values(pm) -> list[str]:
    return list(pm.mapping.values())


@pytest.mark.parametrize(
    ("text", "values"),
    [
        # Poczta Polska: "m." (mieszkanie) after the house number, the town after "in", the postcode dd-ddd after its word;
        # a lower-case "place is" before the street is the sentence's
        (
            "this is wojciech writing, i moved last month. new place is ul. kwiatowa 17 m. 4 in gdańsk, postcode 80-283. thanks",
            ["ul. kwiatowa 17 m. 4", "gdańsk", "80-283"],
        ),
        # CTT: the side after the floor ("2 ESQ") and the CP7 with its town, in capitals; the CP7 after a street and a comma
        ("I AM STILL WAITING FOR MY REFUND. MY ADDRESS IS RUA DE CEDOFEITA 233 2 ESQ, 4050-180 PORTO.", ["RUA DE CEDOFEITA 233 2 ESQ, 4050-180 PORTO"]),
        ("moved to rua das flores 12, 4050-262 porto last week", ["rua das flores 12, 4050-262 porto"]),
        ("my daughter signed the form at our place in braga (avenida da liberdade 418, 4710-251) but it came back.", ["braga", "avenida da liberdade 418, 4710-251"]),
        # Magyar Posta: the house number's full stop, then floor and door ("II. em. 5.")
        ("The address on file should be Váci utca 19. II. em. 5., 1052 Budapest.", ["Váci utca 19. II. em. 5., 1052 Budapest"]),
        # the town of the client's old address, named apart from its street
        ("My old address in Thessaloniki (Tsimiski 48, 546 23) is no longer valid.", ["Thessaloniki", "Tsimiski 48, 546 23"]),
    ],
)
def test_an_address_of_the_trial_is_masked_whole(redactor, text, values):
    out, pm = _redact(redactor, text)
    assert set(values) <= set(_values(pm)), (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Put it back in place is what I said, 17 times.", "place is what"),
        ("It is 2 m. 4 cm long.", "cm long"),
        ("The price went up in 2024-125 cases, then fell.", "cases, then fell"),
        ("notre maison lieu-dit la croix blanche 46300 gourdon a été cambriolée ce week-end.", "été"),
    ],
)
def test_words_that_only_look_like_these_forms_stay(redactor, text, kept):
    out, pm = _redact(redactor, text)
    assert kept in out, (out, pm.mapping)
