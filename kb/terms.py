"""Words → index terms: lower case, Snowball stem of the text's language (snowballstemmer).

SQLite's FTS5 has only an English (Porter) stemmer, so :mod:`kb.index` stores each chunk's words
already stemmed with its article's language and :mod:`kb.retrieve` stems a question the same
way (in the question's language and in English, as articles in English answer most questions).
PostgreSQL stems with its own text search configurations instead (:data:`PG_CONFIGS`).
"""

from __future__ import annotations

import re
import threading

import snowballstemmer

#: ISO 639-1 code → Snowball algorithm (snowballstemmer.algorithms())
SNOWBALL = {
    "en": "english", "de": "german", "fr": "french", "es": "spanish", "it": "italian", "nl": "dutch",
    "pt": "portuguese", "sv": "swedish", "da": "danish", "no": "norwegian", "nb": "norwegian",
    "fi": "finnish", "ru": "russian", "pl": "polish", "ro": "romanian", "hu": "hungarian",
    "tr": "turkish", "el": "greek", "ca": "catalan", "cs": "czech", "ga": "irish",
}

#: ISO 639-1 code → PostgreSQL text search configuration (``\dF`` of a stock PostgreSQL 13+);
#: any other language uses ``simple`` (lower case, no stemming, no stop words)
PG_CONFIGS = {
    "en": "english", "de": "german", "fr": "french", "es": "spanish", "it": "italian", "nl": "dutch",
    "pt": "portuguese", "sv": "swedish", "da": "danish", "no": "norwegian", "nb": "norwegian",
    "fi": "finnish", "ru": "russian", "ro": "romanian", "hu": "hungarian", "tr": "turkish",
}

_WORD = re.compile(r"\w+")
_local = threading.local()  # snowballstemmer stemmers keep state between calls: one per thread


def _stemmer(language: str | None):
    name = SNOWBALL.get(language or "")
    if name is None:
        return None
    cache = getattr(_local, "stemmers", None)
    if cache is None:
        cache = _local.stemmers = {}
    if name not in cache:
        cache[name] = snowballstemmer.stemmer(name)
    return cache[name]


def words(text: str) -> list[str]:
    """The words of ``text`` (Unicode word characters), case-folded; one-character words dropped."""
    return [w for w in _WORD.findall(text.casefold()) if len(w) > 1 and not w.startswith("_")]


def stems(text: str, language: str | None) -> list[str]:
    """The words of ``text`` stemmed with ``language``'s Snowball stemmer (unstemmed for a
    language without one or None)."""
    ws = words(text)
    stemmer = _stemmer(language)
    return stemmer.stemWords(ws) if stemmer is not None else ws


def index_terms(text: str, language: str | None) -> str:
    """What the FTS5 index stores for ``text``: its stems, space-separated."""
    return " ".join(stems(text, language))


def query_terms(question: str, languages: list[str | None]) -> list[str]:
    """The distinct stems of ``question`` under each of ``languages`` (first occurrence order)."""
    seen: dict[str, None] = {}
    for lang in languages:
        for s in stems(question, lang):
            seen.setdefault(s, None)
    return list(seen)


def pg_config(language: str | None) -> str:
    """The PostgreSQL text search configuration for ``language`` (``simple`` when none fits)."""
    return PG_CONFIGS.get(language or "", "simple")
