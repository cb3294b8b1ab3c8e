"""Names where a place or a product is named, and names in the positions a Faker-filled tuning
set wrote them (agent/pii/names.py, agent/pii/recognisers.py). Every test goes through the real
Redactor; the values are invented."""

from __future__ import annotations

import pytest

from tests.redaction.test_recognisers import redact as _redact


def _persons(pm) -> list[str]:
    return [v for ph, v in pm.mapping.items() if ph.startswith("<PERSON")]


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Bonjour, l'agence de Lyon est-elle ouverte le samedi ? Merci.", "Lyon"),
        ("Hola, en la oficina de Valencia me dijeron que no. Gracias.", "Valencia"),
        ("Buongiorno, l'agenzia di Verona resta chiusa ad agosto?", "Verona"),
        ("Madame, à l'agence Victor Hugo on m'a dit que le formulaire n'existe qu'en ligne.", "Victor"),
        ("Buongiorno, nella filiale di via Garibaldi mi hanno detto di scrivervi.", "Garibaldi"),
        ("Hola, en la sucursal de calle Florida me dijeron que son 90 días.", "Florida"),
        ("Is the Grafton Street branch still open on Saturdays?", "Grafton"),
        ("I'd like to use the body shop on Burnet Rd if possible.", "Burnet"),
        ("Does the Madison card still have no foreign transaction fees?", "Madison"),
        ("Noticed the Darwin branch has a different rate card.", "Darwin"),
        ("L'agence m'a parlé de l'offre « Livret Victor » à 3 %.", "Victor"),
        ("¿La Cuenta Valentina sigue sin comisiones?", "Valentina"),
        ("Mi hanno proposto il Conto Leonardo Deposito al 2,75%.", "Leonardo"),
        ("Salve, la polizza viaggi «Beatrice Travel» copre anche i voli?", "Beatrice"),
        ("Ich habe nach dem Tarif „Klara Strom 24“ gefragt.", "Klara"),
        ("Is de hospitalisatieverzekering 'Sofie Plus' ook geldig in Portugal?", "Sofie"),
    ],
)
def test_a_place_or_product_named_after_a_person_is_no_person(redactor, text, word):
    out, pm = _redact(redactor, text)
    assert not any(word in v for v in _persons(pm)), (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("I spoke to the office of Jane Okafor yesterday.", "Jane Okafor"),  # "office of": a person's office
        ("I sent the papers via Anna Kowalczyk last week.", "Anna Kowalczyk"),  # English "via": no street
        ("Regards,\nClara Whitfield", "Clara Whitfield"),
        ("Ho parlato con Leonardo Bassani in agenzia.", "Leonardo Bassani"),
    ],
)
def test_a_person_next_to_such_words_stays_a_person(redactor, text, name):
    out, pm = _redact(redactor, text)
    assert name not in out and any(name in v for v in _persons(pm)), (out, pm.mapping)


def test_a_branch_town_is_no_address(redactor):
    out, pm = _redact(redactor, "Bonjour, votre bureau de Lyon m'a dit que l'offre se terminait.")
    assert "Lyon" in out, (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("hi pls send the new debit card to 12 oak parkway apt. 4, fairview, ms 39265 thanks rosalind", "rosalind"),
        ("hola porfa mandad la tarjeta nueva a calle sol 19, 28013 madrid gracias lorena quintanilla", "lorena quintanilla"),
        ("hoi willen jullie de pas naar dorpsweg 4, 7094 ab sturen dank femke bosman-hendriks", "femke bosman-hendriks"),
        ("Please update my address.\n\nThanks,\nCarol Shepherd-Day", "Carol"),
        ("Please update my address.\n\nThanks,\nMarian Day", "Marian Day"),
        ("Wann kann jemand vorbeikommen? Freundliche Grüße Annette Bien", "Annette Bien"),
        # a capitalised greeting line above (a mail template, the phone's autocorrect) and a sign-off below
        ("Hello,\n\nhi pls send the new debit card to 12 oak parkway apt. 4, fairview, ms 39265 thanks rosalind\n\nKind regards\n", "rosalind"),
        ("Goedendag,\n\nhoi willen jullie de pas naar dorpsweg 4, 7094 ab sturen dank femke bosman-hendriks\n\nMet vriendelijke groet\n", "femke bosman-hendriks"),
    ],
)
def test_a_name_at_the_end_of_a_message_is_masked_whole(redactor, text, name):
    out, pm = _redact(redactor, text)
    assert name not in out and any(name in v for v in _persons(pm)), (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("hi can you send the card to my new flat please thanks again", "again"),
        ("hi can you send the card to my new flat please cheers love", "love"),
        ("Hello,\n\nhi can you send the card to my new flat please thanks again\n\nKind regards\n", "again"),
        ("Please update my address.\n\nThanks,\nMarian Day\n\nP.S. have a good day", "good day"),
    ],
)
def test_ordinary_last_words_stay(redactor, text, word):
    out, pm = _redact(redactor, text)
    assert word in out, (out, pm.mapping)
