"""Run the libphonenumber recogniser only on the lines that can hold a phone number.

Presidio's ``PhoneRecognizer`` runs ``phonenumbers.PhoneNumberMatcher`` over the whole text once
per configured region (sixteen by default), and the matcher parses and validates every digit
group it meets (years, amounts, house numbers) for each region: about 13 ms of a 2 KB message.

A match of the matcher never crosses a line break: its candidates are digits joined by the
punctuation of ``phonenumbers.phonenumbermatcher`` (dashes, slashes, dots, brackets, spaces,
no line breaks) with an optional extension, and the characters it looks at around a candidate
(the one before and after it, a ``:mm`` time suffix) are a line break or the line's own. A line
break before or after a line is neither a letter nor a currency sign, which is what the matcher
checks; the start and the end of a window give the same answer. So the matcher finds on one line
the matches it finds on that line within the whole text. draftguard's phone recogniser keeps only
matches of at least seven digits (:func:`agent.pii.recognisers.phone_recogniser`), so a line
with fewer cannot give one. :func:`run_on_lines` therefore runs the recogniser on each line with
at least ``min_digits`` digits and shifts the results back to the text's offsets. The results
are the same as on the whole text (checked on the evaluation texts by
``tests/redaction/test_nlp_loading.py``).

Two more cuts with the same results (:func:`run_on_candidates`):

- The window: the matcher reads a candidate, the character before it and the three after it
  (the next character and a ``:mm`` time-stamp suffix), so each candidate of seven digits or
  more is matched in the window from one character before it to three after it, and the
  shorter candidates of the line ("2", "10", "2025") are not parsed sixteen times. When the
  window's first candidate is not that candidate (a neighbour reaches into the window), the
  line is matched as before.
- The regions: all results of the recogniser have one type and one score, and Presidio keeps
  a result only when no other contains it (``EntityRecognizer.remove_duplicates``). Every match a
  region finds in a candidate lies inside that candidate, so once one region's match covers the
  candidate from its first to its last character, the remaining regions cannot add a result
  that survives, and are not tried. A number in a common format costs one or two regions
  instead of sixteen; a digit group no region accepts (a card number, an IBAN's digits) still
  costs every region, in its window only.
"""

from __future__ import annotations

import re

_DIGIT = re.compile(r"\d")
_LINE = re.compile(r"[^\n]+")
# An extension after a number, written with its word: English "ext.", "extn", "extension", "x"
# (libphonenumber's own extension words), Canadian French "poste" (Office québécois de la langue
# française, Banque de dépannage linguistique: "poste 214"), Spanish "extensión" / "interno"
# (Argentina), Italian "interno", Dutch "toestel" / "tst.". Used with .match(text, end).
_EXTENSION = re.compile(r"[ \t]*,?[ \t]*(?i:ext\.?|extn\.?|extension|extensión|x|poste|interno|toestel|tst\.?)[ \t]*[.:#]?[ \t]*\d{1,5}(?![\w])")


def with_extensions(text: str, results: list) -> list:
    """``results`` (phone numbers in ``text``), each grown over an extension written after it
    with its word (:data:`_EXTENSION`: "450 555-0133 poste 214", "020 7946 0321 ext. 12"). The
    matcher's window reads at most three characters after a number, so the extension is added
    here, on the whole text."""
    for r in results:
        m = _EXTENSION.match(text, r.end)
        if m is not None:
            r.end = m.end()
    return results


def lines_with_digits(text: str, min_digits: int) -> list[tuple[int, str]]:
    """``(offset, line)`` for each line of ``text`` (split at ``\\n`` only) holding at least
    ``min_digits`` decimal digits (Unicode ``\\d``, the digits libphonenumber reads) in one
    candidate of libphonenumber's matcher (its ``_PATTERN``: a match is a part of a candidate,
    so a line whose candidates are shorter, such as "born 12.03.1985, flat 4", gives none)."""
    from phonenumbers.phonenumbermatcher import _PATTERN

    out = []
    for m in _LINE.finditer(text):
        line = m.group(0)
        if len(_DIGIT.findall(line)) >= min_digits and any(
            len(_DIGIT.findall(c.group(0))) >= min_digits for c in _PATTERN.finditer(line)
        ):
            out.append((m.start(), line))
    return out


def _windows(line: str, min_digits: int) -> list[tuple[int, int, int, int] | None]:
    """``(window start, window end, candidate start, candidate end)`` in ``line`` for each
    matcher candidate of at least ``min_digits`` digits; None for a candidate whose window
    would not give the matcher the same candidate (then the whole line is matched)."""
    from phonenumbers.phonenumbermatcher import _PATTERN

    out: list[tuple[int, int, int, int] | None] = []
    for c in _PATTERN.finditer(line):
        if len(_DIGIT.findall(c.group(0))) < min_digits:
            continue
        a, b = max(0, c.start() - 1), min(len(line), c.end() + 3)
        again = _PATTERN.search(line[a:b])  # the window as its own text: its first candidate must be this one, whole
        ok = again is not None and again.start() + a == c.start() and again.end() + a == c.end()
        out.append((a, b, c.start(), c.end()) if ok else None)
    return out


def run_on_candidates(recogniser, min_digits: int = 7) -> None:
    """Make ``recogniser`` (a Presidio ``PhoneRecognizer`` whose results all hold at least
    ``min_digits`` digits and share one score) analyse each long candidate in its window and
    stop at the first region whose match covers it, as the module docstring explains; a line
    where a window is not safe is analysed whole. The instance is kept (its id ties its results
    to its context words in the analyzer); its ``supported_regions`` are set to one region at a
    time during a call and restored after it (the analyzer runs one text at a time per redactor)."""
    whole_text = recogniser.analyze
    regions = list(recogniser.supported_regions)

    def analyze(text, entities, nlp_artifacts=None):
        from presidio_analyzer import EntityRecognizer

        results = []
        for offset, line in lines_with_digits(text, min_digits):
            windows = _windows(line, min_digits)
            if any(w is None for w in windows):
                found = whole_text(line, entities, nlp_artifacts)
                for r in found:
                    r.start += offset
                    r.end += offset
                results += found
                continue
            for a, b, ca, cb in windows:
                window = line[a:b]
                try:
                    for region in regions:
                        recogniser.supported_regions = [region]
                        found = whole_text(window, entities, nlp_artifacts)
                        for r in found:
                            r.start += offset + a
                            r.end += offset + a
                        results += found
                        if any(r.start <= offset + ca and r.end >= offset + cb for r in found):
                            break  # every other region's match lies inside this one
                finally:
                    recogniser.supported_regions = regions
        return with_extensions(text, EntityRecognizer.remove_duplicates(results))

    analyze.__doc__ = whole_text.__doc__
    recogniser.analyze = analyze


def run_on_lines(recogniser, min_digits: int = 7) -> None:
    """Make ``recogniser`` (a Presidio ``PhoneRecognizer`` instance whose results all hold at
    least ``min_digits`` digits) analyse line by line, as the module docstring explains. The
    instance is kept (its id ties its results to its context words in the analyzer)."""
    whole_text = recogniser.analyze

    def analyze(text, entities, nlp_artifacts=None):
        results = []
        for offset, line in lines_with_digits(text, min_digits):
            for r in whole_text(line, entities, nlp_artifacts):
                r.start += offset
                r.end += offset
                results.append(r)
        return with_extensions(text, results)

    analyze.__doc__ = whole_text.__doc__
    recogniser.analyze = analyze
