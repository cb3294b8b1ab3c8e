"""The address recognisers that are code rather than patterns.

- :class:`PyapAddressRecognizer` wraps ``pyap2`` (MIT, a maintained fork of pyap; regex-based,
  no model) as a Presidio recogniser. pyap scans slowly on long texts, so it only runs on the
  lines around an anchor (a US ZIP after a state code, a Canadian or UK postcode, or a house
  number before a street word) and the results are mapped back to the text.
- :class:`PostcodeTownRecognizer`: a postcode after its country or town on the same line
  (``Sweden 67626``, ``ARENDAL 4844``, ``Costamezzana 43015``)."""

from __future__ import annotations

import re

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

from agent.pii.address_formats import (
    CA_POSTCODE,
    CA_PROVINCES,
    EN_STREETS,
    NOT_STREET,
    UK_POSTCODE,
    US_STATES,
    L,
    U,
)
from agent.pii.address_words import (
    _MONTH_WORDS,
    country_names,
)
from agent.pii.words import is_ordinary_word

_POSTCODE = re.compile(r"(?<![\w.,/-])(?:\d{4,5}|\d{3} \d{2}|\d{2}-\d{3})(?![\w/-]|[.,]\d)")
_QUALIFIER = re.compile(r"[ \t]*\([^()\n]{1,25}\)[ \t]*$")
_WORDS_BEFORE = re.compile(rf"((?:[{U}{L}][\w'’.-]*[ \t]+){{0,3}}[{U}{L}][\w'’.-]*)[ \t]*,?[ \t]*$")


class PostcodeTownRecognizer(EntityRecognizer):
    """LOCATION for a postcode after its country or town on the same line: ``Sweden 67626``,
    ``belgium 97466``, ``Czech Republic 33156`` (a country name of :func:`country_names`, any case,
    0.6); ``ARENDAL 4844``, ``ÖVERTURINGEN 840 24`` (a town in capitals, 0.5; a 4-digit year is
    no postcode); ``Costamezzana 43015`` (a capitalised town that is no English word, a 5-digit
    or ``ddd dd`` postcode, 0.45)."""

    def __init__(self, language: str):
        super().__init__(supported_entities=["LOCATION"], name="PostcodeTownRecognizer", supported_language=language)

    def load(self) -> None:  # noqa: D102
        country_names()

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """LOCATION results for each postcode after a country or town (see the class docstring)."""
        countries = country_names()
        out: list[RecognizerResult] = []
        for m in _POSTCODE.finditer(text):
            code = m.group(0)
            line_start = text.rfind("\n", 0, m.start()) + 1
            before = m.start()  # a qualifier in brackets between country and code: "cyprus (greek) 26933"
            paren = _QUALIFIER.search(text, line_start, before)
            if paren:
                before = paren.start()
            w = _WORDS_BEFORE.search(text, max(line_start, before - 60), before)
            if not w:
                continue
            words = w.group(1).split()
            found = None
            for k in range(len(words)):  # the longest country name ending right before the code
                if " ".join(words[k:]).casefold().strip(",") in countries:
                    found = (k, 0.6, "country + postcode")
                    break
            last = words[-1].strip(",.")
            year = len(code) == 4 and 1900 <= int(code) <= 2099
            if found is None and len(last) >= 4 and last.isupper() and last.isalpha() and not year and not is_ordinary_word(last):
                k = len(words) - 2 if len(words) >= 2 and words[-2].isupper() and words[-2].isalpha() and len(words[-2]) >= 2 else len(words) - 1
                found = (k, 0.5, "town in capitals + postcode")
            if (
                found is None
                and (len(code) == 5 or " " in code)
                and last[:1].isupper()
                and not last.isupper()
                and last.casefold() not in NOT_STREET
                and last.casefold() not in _MONTH_WORDS
                and not is_ordinary_word(last)
            ):
                found = (len(words) - 1, 0.45, "town + postcode")
            if found is None:
                continue
            k, score, rule = found
            start = w.start(1) + w.group(1).index(words[k]) if k else w.start(1)
            out.append(
                RecognizerResult(
                    "LOCATION",
                    start,
                    m.end(),
                    score,
                    analysis_explanation=AnalysisExplanation(recognizer=self.name, original_score=score, pattern_name=rule),
                    recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id},
                )
            )
        return out


# Anchors and the pyap country to try for each: a US state + ZIP, a Canadian postcode or
# province + postcode, a UK postcode, or a house number before an English street word (all three).
_ANCHORS = (
    (re.compile(rf"\b(?-i:{US_STATES})\s+\d{{5}}(?:-\d{{4}})?\b"), ("US",)),
    (re.compile(rf"{CA_POSTCODE}|\b(?-i:{CA_PROVINCES})\s+{CA_POSTCODE}"), ("CA",)),
    (re.compile(rf"(?<![\w]){UK_POSTCODE}(?![\w])"), ("GB",)),
    (re.compile(rf"\b\d{{1,5}}[a-zA-Z]?,?\s+(?:[A-Z][\w'.-]*\s+){{1,4}}(?i:{EN_STREETS})(?![\w])"), ("US", "CA", "GB")),
)


_IBAN_LIKE = re.compile(r"\b[A-Z]{2}\d{2}[A-Z0-9]{4}")
_INNER_HOUSE_NUMBER = re.compile(rf"(?<![\w.,/-])\d{{1,5}}[a-zA-Z]?,?[ \t]+(?-i:[{U}])")
_LOWER_WORD = re.compile(rf"(?<![\w])[{L}]{{2,}}(?![\w])")


def _sentence_before_street(value: str) -> int:
    """Where the address in pyap's ``value`` starts: pyap's GB street name takes any words, so
    a number earlier in the sentence becomes the house number ("1931 and lives at 9 Elm Close,
    Leeds LS6 2QT": a year; "45 pounds to 9 Elm Close"). When a later house number before a
    capitalised word follows two or more lower-case words, the address starts at that number
    (offset into ``value``); else 0. One lower-case word is kept ("12 and 14 High Street")."""
    start = 0
    for m in _INNER_HOUSE_NUMBER.finditer(value, 1):
        if len(_LOWER_WORD.findall(value, start, m.start())) >= 2:
            start = m.start()
    return start


_LOWER_WORDS = re.compile(rf"(?<![\w])[{L}]{{2,}}(?![\w])")


def _sentence_lines_before(value: str) -> int:
    """Where the address in pyap's multi-line ``value`` starts: after the last line in it that is
    a sentence (three or more lower-case words, ending with sentence punctuation: "… to the new
    place.\nGrange Cottage\nKington HR5 3AA"); else 0."""
    end, pos = 0, 0
    for line in value.split("\n")[:-1]:
        pos += len(line) + 1
        if line.rstrip()[-1:] in (".", "!", "?", ":") and len(_LOWER_WORDS.findall(line)) >= 3:
            end = pos
    return end


def _locate(window: str, value: str, near: int) -> tuple[int, int] | None:
    """Where pyap's ``value`` is in ``window``: pyap normalises whitespace before matching, so
    its offsets can be off; the value is searched (any whitespace between its words) from a
    little before ``near``. None when it is not there."""
    words = value.split()
    if not words:
        return None
    rx = re.compile(r"\s+".join(re.escape(w) for w in words))
    m = rx.search(window, max(0, near - 20)) or rx.search(window)
    return m.span() if m else None


def _merged_windows(spans: dict[str, list[tuple[int, int]]]) -> list[tuple[str, tuple[int, int]]]:
    """``(country, (start, end))`` with each country's overlapping windows joined: pyap then scans
    each character once per country instead of once per window holding it (windows are whole
    lines, so a joined window still starts and ends at a line edge; same results on the
    evaluation texts and the benchmark's messages, about a quarter less time)."""
    out = []
    for country in sorted(spans):
        joined: list[list[int]] = []
        for lo, hi in sorted(spans[country]):
            if joined and lo <= joined[-1][1]:
                joined[-1][1] = max(joined[-1][1], hi)
            else:
                joined.append([lo, hi])
        out += [(country, (lo, hi)) for lo, hi in joined]
    return out


class PyapAddressRecognizer(EntityRecognizer):
    """pyap2 address detection for US, CA and GB, run only on the lines around an anchor."""

    COUNTRIES = ("US", "CA", "GB")
    SCORE = 0.7

    def __init__(self, language: str, countries: tuple[str, ...] = COUNTRIES):
        self.countries = countries
        super().__init__(supported_entities=["LOCATION"], name="PyapAddressRecognizer", supported_language=language)

    def load(self) -> None:  # noqa: D102
        import pyap  # noqa: F401 - fail at start, not on the first message

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """LOCATION results for each address pyap finds in a window around an anchor."""
        from agent.pii import pyap_rules  # pyap.parse with its rules compiled once per process

        out: list[RecognizerResult] = []
        seen: set[tuple[int, int]] = set()
        spans: dict[str, list[tuple[int, int]]] = {}  # country -> windows around its anchors
        for rx, countries in _ANCHORS:
            for m in rx.finditer(text):
                lo = max(0, text.rfind("\n", 0, max(0, m.start() - 120)) + 1)
                hi = text.find("\n", min(len(text), m.end() + 60))
                hi = len(text) if hi < 0 else hi
                for c in countries:
                    if c in self.countries:
                        spans.setdefault(c, []).append((lo, hi))
        for country, (lo, hi) in _merged_windows(spans):
            window = text[lo:hi]
            for addr in pyap_rules.parse(window, country):
                found = _locate(window, addr.full_address, addr.match_start)
                if found is None:
                    continue
                a, b = lo + found[0], lo + found[1]
                a += _sentence_before_street(text[a:b])
                a += _sentence_lines_before(text[a:b])
                cut = b < len(text) and text[b].isalnum() and text[b - 1].isalnum()  # ends inside a token: "… account GB46BA|RC2000…" is an IBAN
                if (a, b) in seen or b <= a or cut or _IBAN_LIKE.search(text[a:b]) or not any(c.isdigit() for c in text[a:b]):
                    continue
                seen.add((a, b))
                out.append(
                    RecognizerResult(
                        "LOCATION",
                        a,
                        b,
                        self.SCORE,
                        analysis_explanation=AnalysisExplanation(recognizer=self.name, original_score=self.SCORE, pattern_name=f"pyap {country}"),
                        recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id},
                    )
                )
        return out
