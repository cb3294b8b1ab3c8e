"""The spellings under which a known value appears in text, and the values known before analysis.

A name from the headers, a signature or a CRM contact field must be masked wherever it
appears: ``John Smith`` also as ``Smith, John``, ``SMITH John``, ``J. Smith``, ``john``.
Matching is case-insensitive and whitespace-tolerant (:func:`value_pattern`).
"""

from __future__ import annotations

import re

from agent.pii.words import ENGLISH_MODEL, LEXICON_MODELS

# CRM field names (Salesforce API names and common variants) whose values are a person, an
# address part, a phone or an e-mail address; matched on the lower-cased field name.
CRM_FIELD_ENTITIES = (
    (re.compile(r"email|e_mail|mail$"), "EMAIL_ADDRESS"),
    (re.compile(r"phone|mobile|fax"), "PHONE_NUMBER"),
    (re.compile(r"street|address|city|postal|zip|postcode|state|country|mailing|billing|shipping"), "LOCATION"),
    (re.compile(r"(?:^|[._])(?:contact|name|firstname|lastname|suppliedname|owner|person)(?:$|[._]|name)|contact\.name|suppliedname"), "PERSON"),
)
# Name particles: part of a name, never one alone ("Tim van Leeuwen": "van" is a Dutch word).
PARTICLES = frozenset("van der den de del della la le les du da di dos das von zu ter ten af bin al el y dei degli des".split())
# Letters that are words on their own in the six languages (a, à, e, i, o, u, y): an initial
# without its full stop is not a name form there.
SHORT_WORDS = frozenset("aàeéioòuùy")
PART_MIN = 3  # name parts shorter than this ("Li", "Ng") are masked only within the full name


def name_variants(name: str, *, known: bool = True, language: str | None = None) -> list[str]:
    """``name`` as written, in both word orders ("Smith, John" / "John Smith"), with the first
    name as an initial, and each part of at least three letters on its own (the pieces of a
    hyphenated part too: "Gall" and "Dufresne" of "Le Gall-Dufresne").

    A part that is a name particle ("van", "de la") or an ordinary word
    (:func:`agent.pii.words.is_ordinary_word`: "Customer" in "Laura Adams Customer", "Service" in
    a display name "Service Facturation") is matched only inside the full name: alone it is a
    word of the text ("van" in Dutch). A listed first name or surname is never ordinary ("Grace
    Hall" keeps both parts). ``known`` is True for a name known before analysis (headers, CRM);
    for a name a detector found (``known=False``) the initial forms are also left out when the
    rest is only ordinary words ("A. Design Review" would match the article in "a design review").

    ``language``, for a known name only, is the message's language: where a lexicon of it is
    installed (English, French), a part is ordinary only as a stop word, a department word or a
    word of that language's lexicon (:func:`_ordinary_in`): "Sipho" of "Sipho Dlamini" from the
    headers is a French word but no English one, and is masked alone in English text, while
    "Facturation" of "Service Facturation" stays a word in French text."""
    name = " ".join(name.replace(",", " , ").split()).strip(" ,")
    if not name:
        return []
    if "," in name:  # "Smith, John" -> "John Smith"
        last, _, first = (p.strip() for p in name.partition(","))
        parts = [*first.split(), *last.split()]
    else:
        parts = name.split()
    parts = [p.strip(".,") for p in parts if p.strip(".,")]
    out = [name.replace(" , ", ", "), " ".join(parts)]
    if len(parts) >= 2:
        first, rest = parts[0], " ".join(parts[1:])
        out += [f"{rest}, {first}", f"{rest} {first}"]
        if known or not all(_ordinary(p) for p in parts[1:]):
            out.append(f"{first[0]}. {rest}")
            if first[0].lower() not in SHORT_WORDS:  # "A Client Onboarding" would match "a client onboarding"
                out.append(f"{first[0]} {rest}")
    ordinary = _ordinary_in(language) if known and language in _LEXICON_OF else _ordinary
    out += [p for p in parts if len(p) >= PART_MIN and any(c.isalpha() for c in p) and p.casefold() not in PARTICLES and not ordinary(p)]
    # the pieces of a hyphenated surname ("Le Gall-Dufresne" is also written "Le Gall"), even when a
    # piece is a dictionary word ("Gall"); not of a hyphenated word ("post-launch": every piece ordinary)
    out += [x for p in parts if "-" in p.strip("-") and not _ordinary(p) for x in p.split("-") if len(x) >= PART_MIN and x.casefold() not in PARTICLES and not _stop(x)]
    return list(dict.fromkeys(v for v in out if v))


# The lexicon of each language that has one installed (agent.pii.words.LEXICON_MODELS); the other
# languages borrow English words ("Service", "Team" in German mail), so they keep every lexicon.
_LEXICON_OF = {"en": ENGLISH_MODEL, "fr": LEXICON_MODELS[1]}


def _ordinary_in(language: str):
    """A test for a word that is ordinary in ``language`` (a key of :data:`_LEXICON_OF`): a stop
    word of the six languages, a department word (:data:`agent.pii.names.DEPARTMENTS`) or a word of
    that language's lexicon, and not a listed first name or surname."""
    from agent.pii.names import DEPARTMENTS, name_lists
    from agent.pii.words import in_lexicon, stop_words

    def ordinary(word: str) -> bool:
        w = word.strip(".,;:!?'’\"()").casefold()
        if not w or w in stop_words() or w in DEPARTMENTS:
            return True
        first, last = name_lists()
        if w in first or w in last:
            return False
        parts = [p for p in w.split("-") if p]
        return all(p in stop_words() or in_lexicon(p, (_LEXICON_OF[language],)) for p in parts)

    return ordinary


def _stop(word: str) -> bool:
    from agent.pii.words import stop_words

    return word.casefold() in stop_words()


def _ordinary(word: str) -> bool:
    from agent.pii.words import is_ordinary_word

    return is_ordinary_word(word)


def value_pattern(value: str) -> re.Pattern:
    """A case-insensitive pattern for ``value`` as a whole word, any run of whitespace between its words."""
    words = [re.escape(w) for w in value.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


_WORD_CHAR = re.compile(r"\w")


class SeedMatcher:
    r"""Every known value in a text, as one case-insensitive regex alternation would find them, in
    a fraction of its cost: ``re.compile`` of an alternation of ~80 values takes 5-8 ms, longer
    than the scan itself, and the values differ for each item (issue 10, "Cost": about 15 ms of a
    2 KB message went to compiling these patterns).

    ``values`` are in priority order (the pipeline passes them longest first). A value matches as
    ``(?<!\w)word1\s+word2...(?!\w)`` with ``re.IGNORECASE``; matches do not overlap, and at
    each position the first value in priority order wins, scanning left to right: exactly the
    regex's ``finditer`` (``tests/redaction/test_seed_matcher.py`` compares them on generated
    text). A text whose lower-case form changes length (a few characters such as "İ") is matched
    with that regex instead."""

    def __init__(self, values: list[str]):
        self._values = [v for v in values if v.split()]
        self._by_first: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        for rank, value in enumerate(self._values):
            words = tuple(w.lower() for w in value.split())
            self._by_first.setdefault(words[0], []).append((rank, words[1:]))
        self._regex: re.Pattern | None = None

    def spans(self, text: str) -> list[tuple[int, int]]:
        """``[(start, end)]`` of the non-overlapping matches in ``text``, left to right."""
        low = text.lower()
        if len(low) != len(text):
            return [m.span() for m in self._pattern().finditer(text)]
        best: dict[int, tuple[int, int]] = {}  # start -> (rank, end)
        for first, entries in self._by_first.items():
            at = low.find(first)
            while at >= 0:
                if at == 0 or not _WORD_CHAR.match(text, at - 1):
                    for rank, rest in entries:
                        end = _match_rest(low, at + len(first), rest)
                        if end is not None and (end == len(text) or not _WORD_CHAR.match(text, end)):
                            if at not in best or rank < best[at][0]:
                                best[at] = (rank, end)
                at = low.find(first, at + 1)
        out, last = [], 0
        for start in sorted(best):
            if start >= last:
                end = best[start][1]
                out.append((start, end))
                last = end
        return out

    def _pattern(self) -> re.Pattern:
        if self._regex is None:
            self._regex = re.compile(
                r"(?<!\w)(?:" + "|".join(r"\s+".join(re.escape(w) for w in v.split()) for v in self._values) + r")(?!\w)",
                re.IGNORECASE,
            )
        return self._regex


def _match_rest(low: str, at: int, words: tuple[str, ...]) -> int | None:
    """End offset when ``words`` follow ``at`` in ``low``, each after at least one whitespace."""
    for word in words:
        start = at
        while at < len(low) and low[at].isspace():
            at += 1
        if at == start or not low.startswith(word, at):
            return None
        at += len(word)
    return at


def crm_seeds(fields: dict[str, str]) -> list[tuple[str, str]]:
    """(entity, value) pairs for CRM fields that name a person, an address, a phone or an e-mail."""
    out = []
    for key, value in fields.items():
        k = key.lower()
        if not value or not value.strip():
            continue
        for rx, entity in CRM_FIELD_ENTITIES:
            if rx.search(k):
                out.append((entity, value.strip()))
                break
    return out
