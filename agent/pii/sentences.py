"""Where a line or a sentence starts: the one test the name rules (:mod:`agent.pii.names`) and
the last check on a model request (:mod:`agent.outbound_guard`) share. No import beyond the
standard library, so the last check loads no analyser."""

from __future__ import annotations

SENTENCE_ENDS = "\n.!?:;"  # what ends a line, a sentence or a clause before a capitalised first word


def line_or_sentence_start(text: str, at: int, ends: str = SENTENCE_ENDS) -> bool:
    """True when only spaces, quotes, brackets or bullets stand between offset ``at`` of ``text``
    and the start of its line or sentence (the text's start, or a character of ``ends``). Reads
    at most the 200 characters before ``at`` (so a call costs the same on a 20 KB text): 200
    characters of spaces and quotes are no sentence start."""
    before = text[max(0, at - 200) : at].rstrip(" \t\"'“‘(-–•*")
    if not before and at > 200:
        return False  # 200 characters of spaces and quotes: not a sentence start worth a name rule
    return not before or before[-1] in ends
