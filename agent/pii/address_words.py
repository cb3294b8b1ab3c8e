"""Word tests the address modules share: whether a word may name a town after a postcode
(:func:`_town_word`: no stop word of the six languages, no unit of an amount), a stop word that is
no particle of a place name (:func:`_is_stop`), the greeting and sign-off words a letter closes with
(:func:`_closing_words`, :func:`_closing_line`), month names (``_MONTH_WORDS``), the particles of
place and street names (``_NAME_PARTICLES``), whether an address part carries a house number
(:func:`_numbered`), and country names in six languages (:func:`country_names`, from Faker's
address providers)."""

from __future__ import annotations

import re
from functools import lru_cache

from agent.pii.address_formats import (
    NO_NUMBER,
    NOT_TOWN,
)
from agent.pii.words import is_ordinary_word


def _numbered(value: str) -> bool:
    """True when an address part carries a house number: a digit, or the Spanish "s/n" (no number)."""
    return any(c.isdigit() for c in value) or bool(re.search(rf"(?i:{NO_NUMBER})", value))


@lru_cache(maxsize=1)
def country_names() -> frozenset[str]:
    """Country names, case-folded, in English, German, French, Spanish, Italian and Dutch (the
    address providers of Faker, already a dependency for the name lists)."""
    import importlib

    names: set[str] = set()
    for locale in ("en", "en_US", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL"):
        try:
            provider = importlib.import_module(f"faker.providers.address.{locale}").Provider
        except (ImportError, AttributeError):
            continue
        names.update(" ".join(c.split()).casefold() for c in getattr(provider, "countries", ()) if len(c) >= 4)
    return frozenset(names)


_MONTH_WORDS = frozenset(
    "january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec "
    "januar februar märz mai juni juli oktober dezember janvier février mars avril juin juillet août septembre octobre novembre décembre "
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre gennaio febbraio aprile maggio giugno luglio "
    "settembre ottobre dicembre januari februari maart mei augustus".split()
)


def _is_stop(word: str) -> bool:
    from agent.pii.words import stop_words

    return word.casefold() in stop_words() and word.casefold() not in _NAME_PARTICLES


def _town_word(word: str) -> bool:
    """True for a word that may name a town after a postcode: no stop word of the six languages
    (a particle inside a name aside), no unit of an amount ("500 euros", "1000 Stück")."""
    from agent.pii.words import stop_words

    w = word.strip(".,;:!?()").casefold()
    return bool(w) and w not in NOT_TOWN and (w not in stop_words() or w in _NAME_PARTICLES)


_NAME_PARTICLES = frozenset("la le les l' el los las de del della di du des den der van von het san sant santa saint st st. am an im auf sur sous en upon on".split())


@lru_cache(maxsize=1)
def _closing_words() -> frozenset[str]:
    from agent.pii.recognisers import GREETINGS, SIGNOFFS

    # the thanks a German or Dutch letter ends with ("Danke.", "Bedankt!") end the address too
    return frozenset(w.lower() for w in re.findall(r"[^\W\d_]+", GREETINGS + " " + SIGNOFFS)) | {"thx", "ty", "ta", "danke", "dankeschön", "bedankt", "bvd", "mvg", "mfg", "cdlt", "xfa"}


def _closing_line(line: str) -> bool:
    """True for a line of greeting or sign-off words only ("Thanks", "Kind regards"), or one that
    starts with such a word and goes on in ordinary words ("Merci d'avance", "Thanks again for
    everything"): the letter goes on, the address has ended."""
    words = re.findall(r"[^\W\d_]+", line.lower())
    closing = _closing_words()
    return bool(words) and words[0] in closing and all(w in closing or is_ordinary_word(w) for w in words[1:])
