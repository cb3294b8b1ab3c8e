"""Person names the NER misses, found with a name list (foreign, lower-case, or without a cue),
and the growth of every found name over the rest of the name it cuts. The code lives in
modules named for what they hold:

- :mod:`agent.pii.name_words`: the name lists (:func:`name_lists`: Faker's person providers,
  Latin-script locales) and the word sets the name rules share (:data:`COMMON`,
  :data:`PARTICLES`, :data:`DEPARTMENTS`, :data:`ROLE_NOUNS`, relation, greeting and calendar
  words).
- :mod:`agent.pii.name_gazetteer`: :class:`GazetteerNameRecognizer`, PERSON from the name lists
  under the rules of its module docstring, and :func:`person_result`.
- :mod:`agent.pii.name_places`: where a name names a place or a product, not a person (branch,
  street, direction and product words; world regions).
- :mod:`agent.pii.name_context`: what the text around a word says of it as a name (name
  positions, whether the writer capitalises, words used as words, e-mail address parts,
  dialogue speakers, field labels).
- :mod:`agent.pii.name_growth`: :func:`grow_names`, a found name grown over its initials,
  particles, neighbouring name words, nicknames and surname.
- :mod:`agent.pii.name_ner`: :func:`ner_recogniser`, the spaCy NER with its PERSON results cut to
  the name and its false places and names dropped.
- :mod:`agent.pii.name_emails`: :class:`EmailNameRecognizer`, the words that spell an e-mail
  address's local part.

This module re-exports the names other code imported from it before the split.
"""

from __future__ import annotations

from agent.pii.name_context import (
    dialogue_speakers,
    field_label,
    in_name_position,
    inside_address,
    lower_case_word_not_name,
    word_used_as_word,
    writes_capitals,
)
from agent.pii.name_emails import ROLE_MAILBOXES, EmailNameRecognizer, email_name_parts
from agent.pii.name_gazetteer import UNKNOWN_SCORE, GazetteerNameRecognizer, person_result
from agent.pii.name_growth import (
    GROW_MAX_WORDS,
    GROW_PARTICLES,
    common_first_name_line,
    grow_names,
    lower_surname,
    nickname_before,
    signature_surname_end,
)
from agent.pii.name_ner import (
    STREET_SCORE,
    french_parts_of_speech,
    french_verb_word,
    ner_recogniser,
    ner_thing,
    ner_word_not_name,
    trim_person,
)
from agent.pii.name_places import (
    ACCOUNT_PRODUCT_WORDS,
    BRANCH_WORDS,
    FINANCIAL_PRODUCT_WORDS,
    PRODUCT_WORDS,
    STREETS_BEFORE,
    WORLD_REGIONS,
    place_as_modifier,
    place_or_product_around,
    product_name,
    world_region,
)
from agent.pii.name_words import (
    ADDRESS_WORDS,
    CAPITALISED_NAMES_ONLY,
    COMMON,
    DEPARTMENTS,
    FIRST_NAME_ATTRIBUTES,
    LAST_NAME_ATTRIBUTES,
    PARTICLES,
    ROLE_NOUNS,
    TITLE_INITIALS,
    _calendar_word,
    greeting_words,
    name_lists,
    relation_words,
)

__all__ = [
    "ACCOUNT_PRODUCT_WORDS",
    "ADDRESS_WORDS",
    "BRANCH_WORDS",
    "CAPITALISED_NAMES_ONLY",
    "COMMON",
    "DEPARTMENTS",
    "FINANCIAL_PRODUCT_WORDS",
    "FIRST_NAME_ATTRIBUTES",
    "GROW_MAX_WORDS",
    "GROW_PARTICLES",
    "LAST_NAME_ATTRIBUTES",
    "PARTICLES",
    "PRODUCT_WORDS",
    "ROLE_MAILBOXES",
    "ROLE_NOUNS",
    "STREETS_BEFORE",
    "STREET_SCORE",
    "TITLE_INITIALS",
    "UNKNOWN_SCORE",
    "WORLD_REGIONS",
    "EmailNameRecognizer",
    "GazetteerNameRecognizer",
    "_calendar_word",
    "common_first_name_line",
    "dialogue_speakers",
    "email_name_parts",
    "field_label",
    "french_parts_of_speech",
    "french_verb_word",
    "greeting_words",
    "grow_names",
    "in_name_position",
    "inside_address",
    "lower_case_word_not_name",
    "lower_surname",
    "name_lists",
    "ner_recogniser",
    "ner_thing",
    "ner_word_not_name",
    "nickname_before",
    "person_result",
    "place_as_modifier",
    "place_or_product_around",
    "product_name",
    "relation_words",
    "signature_surname_end",
    "trim_person",
    "word_used_as_word",
    "world_region",
    "writes_capitals",
]
