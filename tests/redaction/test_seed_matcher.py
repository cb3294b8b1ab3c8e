"""agent.pii.seeds.SeedMatcher finds exactly what the regex alternation it replaced finds.

The regex (``(?<!\\w)(?:v1|v2|...)(?!\\w)``, ``re.IGNORECASE``, words joined by ``\\s+``, longest
value first) was the reference behaviour of the pipeline's seeded values; the matcher must give
the same spans on any text, including overlapping values, values that are prefixes of others,
punctuation at the edges, mixed case and runs of whitespace."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.pii.seeds import SeedMatcher


def _regex_spans(values: list[str], text: str) -> list[tuple[int, int]]:
    rx = re.compile(
        r"(?<!\w)(?:" + "|".join(r"\s+".join(re.escape(w) for w in v.split()) for v in values) + r")(?!\w)",
        re.IGNORECASE,
    )
    return [m.span() for m in rx.finditer(text)]


WORDS = ["ann", "Anna", "anna-lena", "Smith", "smith,", "O'Brien", "J.", "van", "de", "020", "7946", "(555)", "x@y.z", "Müller", "İz"]
SEPARATORS = [" ", "  ", "\n", "\t ", ", ", "-", ".", "", "(", "'"]


@st.composite
def cases(draw):
    values = draw(st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join), min_size=1, max_size=6, unique=True))
    values.sort(key=len, reverse=True)
    pieces = draw(st.lists(st.tuples(st.sampled_from(WORDS + ["Hello", "ANNA", "SMITH"]), st.sampled_from(SEPARATORS)), max_size=25))
    upper = draw(st.lists(st.booleans(), min_size=len(pieces), max_size=len(pieces)))
    text = "".join((w.upper() if up else w) + sep for (w, sep), up in zip(pieces, upper, strict=True))
    return values, text


@settings(max_examples=400, deadline=None)
@given(cases())
def test_same_spans_as_the_regex_alternation(case):
    values, text = case
    assert SeedMatcher(values).spans(text) == _regex_spans(values, text)


def test_examples():
    values = sorted(["john smith", "smith, john", "john", "smith"], key=len, reverse=True)
    text = "Dear JOHN  Smith,\nas Smith, John wrote: johnny smithers and john."
    spans = SeedMatcher(values).spans(text)
    assert [text[a:b] for a, b in spans] == ["JOHN  Smith", "Smith, John", "john"]
    assert spans == _regex_spans(values, text)


def test_a_text_whose_lower_case_changes_length_uses_the_regex():
    values = ["iz smith"]
    text = "İz Smith and iz smith"  # "İ".lower() is two characters
    assert SeedMatcher(values).spans(text) == _regex_spans(values, text)
