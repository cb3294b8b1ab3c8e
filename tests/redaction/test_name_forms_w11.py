"""Names in the forms presidio-research's Faker-filled sentences write them (the w11 tuning set):
a middle initial without a full stop before a surname that is also a word, the Dutch particle
after the surname, and lower-case names in a name line, a dialogue, a possessive and a verb's
object (agent/pii/names.py). Every test goes through the real Redactor; the values are invented."""

from __future__ import annotations

import pytest

from tests.redaction.test_recognisers import redact as _redact


def _persons(pm) -> list[str]:
    return [v for ph, v in pm.mapping.items() if ph.startswith("<PERSON")]


def _masked_whole(redactor, text: str, name: str) -> None:
    out, pm = _redact(redactor, text)
    assert name not in out and any(name in v for v in _persons(pm)), (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("It's under my partner's name Elizabeth Q Austin", "Elizabeth Q Austin"),
        ("It's under my partner's name Elizabeth Q. Austin", "Elizabeth Q. Austin"),
        (">Amanda G Cook\n>Lambrecht VOF\n>Suite 837", "Amanda G Cook"),
        ("Please forward this to Megan T Green before Friday.", "Megan T Green"),
    ],
)
def test_a_middle_initial_makes_a_common_word_a_surname(redactor, text, name):
    _masked_whole(redactor, text, name)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Can I cook the rice before you arrive?", "cook"),
        ("The cook at the canteen was very kind to us.", "cook"),
        ("The door is painted green and the frame white.", "green"),
    ],
)
def test_the_common_words_stay_words_without_an_initial(redactor, text, word):
    out, pm = _redact(redactor, text)
    assert word in out, (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("I'm Gitta R Dussen van, originally from Utrecht, and I'm 56.", "Gitta R Dussen van"),
        ("The account holder is Pieter Berg van der.", "Pieter Berg van der"),
    ],
)
def test_a_particle_after_the_surname_belongs_to_the_name(redactor, text, name):
    _masked_whole(redactor, text, name)


def test_a_van_after_a_vehicle_stays(redactor):
    out, pm = _redact(redactor, "We hired a Ford Transit van.")
    assert "van" in out, (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("pamela green\ncolour technologist\nexample works\n501 quadra road", "pamela green"),
        ("thanks for the help\n\nsheree cook\n", "sheree cook"),
    ],
)
def test_a_lower_case_name_line_with_a_common_surname(redactor, text, name):
    _masked_whole(redactor, text, name)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("the walls are painted green\nthanks", "green"),
        ("i'd like the amber one please", "amber"),
        ("we will cook at home tonight", "cook"),
    ],
)
def test_lower_case_common_words_stay_words(redactor, text, word):
    out, pm = _redact(redactor, text)
    assert word in out, (out, pm.mapping)


def test_speakers_of_a_lower_case_dialogue_are_names(redactor):
    text = (
        "carsten: what a wife.\n"
        "amber: remember me? i talked just like this!\n"
        "kristin: you saved my life! how can i ever repay you?"
    )
    out, pm = _redact(redactor, text)
    for name in ("carsten", "amber", "kristin"):
        assert name not in out and name in _persons(pm), (out, pm.mapping)


@pytest.mark.parametrize(
    "text",
    [
        "note: bring the amber beads\namber: ok",  # one listed first name as a label: no dialogue
        "todo: order the amber lamp\ncolour: amber\nsize: large",
    ],
)
def test_labels_are_no_dialogue(redactor, text):
    out, pm = _redact(redactor, text)
    assert "amber" in out, (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("as promised, here's jennifer's address:\n\n12 oak road\nleeds", "jennifer"),
        ("seth had given sheree his address last week", "sheree"),
    ],
)
def test_a_lower_case_name_as_possessive_or_object(redactor, text, name):
    out, pm = _redact(redactor, text)
    assert name not in out and name in _persons(pm), (out, pm.mapping)


def test_a_capitalised_text_keeps_its_lower_case_words(redactor):
    out, pm = _redact(redactor, "I ordered sushi and paid with cash. Thanks, Tom")
    assert "sushi" in out and "cash" in out, (out, pm.mapping)


def test_a_quoted_title_starts_with_a_verb_not_a_name(redactor):
    text = 'Blot was influenced by an earlier song, "Carry Me Back To France," which Léon Blot sang.'
    out, pm = _redact(redactor, text)
    assert "Carry" in out and "Léon Blot" not in out, (out, pm.mapping)


def test_a_quoted_name_stays_a_name(redactor):
    _masked_whole(redactor, 'He said "Gladys will know" and left.', "Gladys")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # a lower-case text under a capitalised greeting and sign-off (a template or the phone's autocorrect)
        ("Hello,\n\nseth had given sheree his address: 48626 289 kerr forks\n\nKind regards\n", "sheree"),
    ],
)
def test_a_lower_case_text_under_a_capitalised_greeting_keeps_its_lower_case_names(redactor, text, name):
    out, pm = _redact(redactor, text)
    assert name not in out, (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Name: Rebecca Collier\nDate of birth: 6/29/1955\nPhone: 555 0100", "Date of birth"),
        ("Nom : Claire Martin\nDate de naissance : 12/03/1980", "Date de naissance"),
        ("The address is Knockanree, Rathdrum, Co. Wicklow, Eircode: A67 X2P4. It's the second house.", "Eircode"),
    ],
)
def test_a_field_label_of_several_words_is_no_name(redactor, text, label):
    out, pm = _redact(redactor, text)
    assert label in out, (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hello,\n\njoshua is very reliable. you can always depend on him.\n\nKind regards\n", "joshua"),
        ("Hello,\n\nseth had given us his new number last week.\n\nKind regards\n", "seth"),
        ("hi there\nsorry for the delay. mary has paid the rest now.\nthanks", "mary"),
    ],
)
def test_a_lower_case_name_of_scripture_as_the_subject_of_lower_case_mail(redactor, text, name):
    """The lexicon knows "joshua" and "seth" only as nouns (persons of scripture), so no rule for
    unknown words took them; under a capitalised greeting spaCy's NER does not tag them either."""
    out, pm = _redact(redactor, text)
    assert name not in out.split() and name in _persons(pm), (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Hello,\n\nfaith is important to us. we want a fair deal.\n\nKind regards\n", "faith"),
        ("Hello,\n\nheather is growing all over the garden wall.\n\nKind regards\n", "heather"),
        ("Hello,\n\nbishop has written to the parish about the roof.\n\nKind regards\n", "bishop"),
        ("Hello,\n\npatience is running out here.\n\nKind regards\n", "patience"),
        ("Hello,\n\nThe plan says Joshua is the first reviewer.\n\nKind regards\n", "plan"),
    ],
)
def test_nouns_that_are_first_names_stay_words_at_a_sentence_start(redactor, text, word):
    out, pm = _redact(redactor, text)
    assert word in out, (out, pm.mapping)
