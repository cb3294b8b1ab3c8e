"""Run the libphonenumber recogniser only on the lines that can hold a phone number.

Presidio's ``PhoneRecognizer`` runs ``phonenumbers.PhoneNumberMatcher`` over the whole text once
per configured region (fourteen by default), and the matcher parses and validates every digit
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
"""

from __future__ import annotations

import re

_DIGIT = re.compile(r"\d")
_LINE = re.compile(r"[^\n]+")


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
        return results

    analyze.__doc__ = whole_text.__doc__
    recogniser.analyze = analyze
