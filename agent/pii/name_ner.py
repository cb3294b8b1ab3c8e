"""The spaCy NER recogniser (:func:`ner_recogniser`) and the rules that correct its results: a
PERSON cut to the name (:func:`trim_person`) and dropped when it is a lower-case word of the
language (:func:`ner_word_not_name`) or a product, an adjective or a label (:func:`ner_thing`);
a PERSON before a street word made a street; French verbs (:func:`french_verb_word`), world
regions, towns before a noun and branches dropped as places.
"""

from __future__ import annotations

import re
from functools import lru_cache

from agent.pii.name_context import field_label, in_name_position, writes_capitals
from agent.pii.name_places import _BRANCH_BEFORE, country_alone, place_as_modifier, product_name, world_region
from agent.pii.name_words import _WORD, PARTICLES, _calendar_word, _cues, name_lists
from agent.pii.sentences import line_or_sentence_start
from agent.pii.words import (
    ENGLISH_MODEL,
    LEXICON_MODELS,
    english_lexicon,
    english_parts_of_speech,
    in_lexicon,
    is_ordinary_word,
    stop_words,
)

STREET_SCORE = 0.6  # as a street line of agent/pii/address_patterns.py: above the name list's 0.5-0.6 for the person's name in it
# A street word right after a name ("Isaac Lodge Street", "Martin Luther King Avenue"): a street.
_STREET_END = re.compile(r"(?<=[ \t])(?:Street|St\.|Road|Rd\.|Avenue|Ave\.|Lane|Drive|Boulevard|Blvd\.?|Way|Court|Place|Square|Crescent|Terrace|Close|Parkway|Highway)(?!\w)")
_NER_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*\.?")


def trim_person(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The name inside an NER PERSON span ``text[start:end]``, or None when there is none.

    The small NER models take neighbouring words into a name ("Laura Adams Customer", "Project
    Aurora", "leidy t muris\\nlabor relations director") and cut hyphenated names ("Hauta" of
    "Hauta-aho"). Here the span is first extended to the end of a word it cuts (also across a
    hyphen), then leading ordinary words (:func:`agent.pii.words.is_ordinary_word`) are dropped
    and the name ends before the first ordinary word or line break that follows it; particles
    ("van der", "de la") and initials stay when a name word follows them, and the word after an
    initial is a surname whatever it is ("Jildau S Bouts"). The cue and context words of
    :mod:`agent.pii.recognisers` ("Telefon", "Frau", "Regards") count as ordinary too, and so
    does the possessive of an ordinary word ("Plumber's")."""
    cues = _cues()

    first, last = name_lists()

    def ordinary(word: str) -> bool:  # "Green", "Park" are cue (street) words and surnames: names win
        if re.search(r"[a-zß-ÿ]['’]s$", word) and ordinary(word[:-2]):
            return True  # "Plumber's invoice": the possessive of an ordinary word
        w = word.strip(".").casefold()
        return is_ordinary_word(word, english_only=True) or (w in cues and w not in first and w not in last)

    while end < len(text) and (text[end].isalnum() or (text[end] in "-'’" and end + 1 < len(text) and text[end + 1].isalpha())):
        end += 1
    words = [(m.start() + start, m.end() + start, m.group(0)) for m in _NER_WORD.finditer(text[start:end])]
    i = 0
    while i < len(words) and ordinary(words[i][2]) and words[i][2].casefold().strip(".") not in PARTICLES:
        i += 1
    if i == len(words):
        return None
    keep = [words[i]]
    pending: list[tuple[int, int, str]] = []  # particles and initials waiting for a name word
    for w in words[i + 1 :]:
        if "\n" in text[keep[-1][1] if not pending else pending[-1][1] : w[0]]:
            break
        bare = w[2].strip(".").casefold()
        if bare in PARTICLES or len(bare) == 1:
            pending.append(w)
            continue
        after_initial = any(len(p[2].strip(".")) == 1 for p in pending)  # "Jildau S Bouts": a surname follows an initial
        if ordinary(w[2]) and not after_initial:
            break
        keep += pending + [w]
        pending = []
    a, b = keep[0][0], keep[-1][1]
    if text[b - 1] == "." and len(keep[-1][2]) > 2:  # a full stop after a name ends the sentence
        b -= 1
    return a, b


# French grammar: the subject pronoun after its verb in a question or the object pronoun after an
# imperative, joined by a hyphen ("Pouvez-vous", "Pourriez-vous", "a-t-il", "Envoyez-moi").
_FRENCH_INVERSION = re.compile(r"[^\W\d_]+(?:-t)?-(?:je|tu|il|elle|on|nous|vous|ils|elles|moi|toi|le|la|les|lui|leur|y|en|ce)", re.IGNORECASE)
# French elision: a pronoun or article before a vowel ("M'A DIT", "l'a", "s'est", "j'ai", "qu'il").
_FRENCH_ELISION = re.compile(r"(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’]([^\W\d_]+)", re.IGNORECASE)


def french_verb_word(text: str, start: int, end: int) -> bool:
    """True for an NER span of French text that is a verb, not a name or a place: a verb with
    its pronoun after it (:data:`_FRENCH_INVERSION`: "Pouvez-vous"), an elided pronoun before a
    verb or a stop word ("M'A"), or one word the French lexicon knows only as a verb form and
    the name lists do not hold ("Veuillez", "Auriez", "Pouvez")."""
    value = text[start:end]
    if _FRENCH_INVERSION.fullmatch(value):
        return True
    m = _FRENCH_ELISION.fullmatch(value)
    if m is not None:
        rest = m.group(1).casefold()
        return rest in stop_words() or french_parts_of_speech(rest) == frozenset({"verb"})
    if not _WORD.fullmatch(value) or value.casefold() in name_lists()[0] | name_lists()[1]:
        return False
    return french_parts_of_speech(value) == frozenset({"verb"})


@lru_cache(maxsize=4096)
def french_parts_of_speech(word: str) -> frozenset[str]:
    """The parts of speech under which the French model's lexicon knows ``word`` (any case, or
    a form its suffix rules reduce to one)."""
    w = word.casefold()
    return frozenset(
        pos
        for pos, (words, rules) in english_lexicon(LEXICON_MODELS[1]).items()
        if w in words or any(w.endswith(old) and len(w) > len(old) + 1 and (w[: -len(old)] + new) in words for old, new in rules)
    )


def ner_recogniser(language: str, entities: list[str]):
    """Presidio's spaCy recogniser for ``language`` (name ``SpacyRecognizer``) whose PERSON
    results are cut to the name (:func:`trim_person`) and dropped when they are a lower-case
    word of the language (:func:`ner_word_not_name`) or a product, an adjective or a label
    (:func:`ner_thing`); other types as the NER gives them."""
    from presidio_analyzer.predefined_recognizers import SpacyRecognizer

    class _Ner(SpacyRecognizer):
        def analyze(self, text, entities, nlp_artifacts=None):  # noqa: D102
            out = []
            for r in super().analyze(text, entities, nlp_artifacts):
                if r.entity_type == "PERSON" and _STREET_END.search(text, r.start, min(len(text), r.end + 12)):
                    m = _STREET_END.search(text, r.start, min(len(text), r.end + 12))
                    if m.start() <= r.end + 1:  # "Isaac Lodge Street": a street named after a person
                        r.entity_type, r.end, r.score = "LOCATION", m.end(), max(r.score, STREET_SCORE)
                elif r.entity_type == "LOCATION" and all(w.casefold() in _cues() for w in _WORD.findall(text[r.start : r.end])):
                    continue  # "Merci", "Adresse" tagged as places by the small French model
                elif r.entity_type in ("LOCATION", "PERSON") and language == "fr" and french_verb_word(text, r.start, r.end):
                    continue  # "Pouvez-vous", "Veuillez", "M'A": verbs tagged as names or places by the small French model
                elif r.entity_type == "LOCATION" and country_alone(text, r.start, r.end):
                    continue  # "my pension from India", "flights to Japan": a country in running text, no address
                elif r.entity_type == "LOCATION" and world_region(text, r.start, r.end):
                    continue  # "Amérique du Sud", "Europe and North America": no one's address
                elif r.entity_type == "LOCATION" and language == "en" and place_as_modifier(text, r.start, r.end):
                    continue  # "our Leeds warehouse", "the Dublin team": a branch, no address
                elif r.entity_type == "LOCATION" and _BRANCH_BEFORE.search(text, max(0, r.start - 60), r.start):
                    continue  # "l'agence de Lyon", "la oficina de Valencia": the firm's branch, no one's address
                elif r.entity_type == "PERSON":
                    span = trim_person(text, r.start, r.end)
                    if span is None or ner_word_not_name(text, *span, language) or ner_thing(text, *span, language, getattr(nlp_artifacts, "tokens", None)):
                        continue  # "at dawn", "no joy so far": a lower-case word of the language; "the Iris Plus plan"
                    if language == "fr" and french_verb_word(text, *span):
                        continue  # "... AGENCE M'A DIT": trimmed to a verb
                    r.start, r.end = span
                out.append(r)
            return out

    return _Ner(supported_language=language, supported_entities=entities, name="SpacyRecognizer")


def ner_word_not_name(text: str, start: int, end: int, language: str) -> bool:
    """True for an NER PERSON span in lower case ("dawn", "joy", "app", "mère", "mars") whose
    every word is an ordinary word of the text's language: a word of its lexicon (English or
    French; a listed first name counts as a word here, "frank", "rose"), a stop word, a month or
    a weekday; outside a name position (:func:`in_name_position`) and in a text whose writer
    capitalises (:func:`writes_capitals`). English and French write a person's name with a
    capital; the small NER models tag such words PERSON where a name could stand ("at dawn",
    "no joy so far"). In a text written all in lower case only months and stop words are dropped."""
    value = text[start:end]
    if not value.islower() or in_name_position(text, start, end):
        return False
    words = _WORD.findall(value)
    packages = {"en": (ENGLISH_MODEL,), "fr": (LEXICON_MODELS[1],)}.get(language, ())
    capitals = writes_capitals(text)
    stops = stop_words()
    return bool(words) and all(
        w in stops or _calendar_word(w) or (capitals and bool(packages) and in_lexicon(w, packages)) for w in words
    )


_ARTICLES = frozenset("the a an our your this".split())


def ner_thing(text: str, start: int, end: int, language: str, doc) -> bool:
    """True for an NER PERSON that is no person where it stands: the first name of a product
    (:func:`product_name`: "the Henry Growth Fund"); one word before a colon at
    the start of a line that is no listed first name (a field label: "Date :"); in English, a
    word after an article before a capitalised word or a number (a product: "the Iris Plus home
    plan"; English puts no article before a person's name), or an adjective of the lexicon
    starting a sentence before a noun ("Frank feedback, since you asked")."""
    word = text[start:end]
    if product_name(text, start, end):
        return True  # "the Henry Growth Fund": a product's name
    if not _WORD.fullmatch(word):
        return False
    if field_label(text, start, end):
        return True
    if language != "en":
        return False
    before = re.search(r"([^\W\d_]+)[ \t]+$", text[max(0, start - 12) : start])
    if before is not None and before.group(1).casefold() in _ARTICLES and re.match(r"[ \t]{1,2}[A-ZÀ-Þ\d]", text[end : end + 3]):
        return True
    if doc is None or not line_or_sentence_start(text, start) or "adj" not in english_parts_of_speech(word):
        return False
    nxt = next((t for t in doc if t.idx >= end), None)
    return nxt is not None and nxt.pos_ == "NOUN" and nxt.text.islower() and text[end : nxt.idx] == " "
