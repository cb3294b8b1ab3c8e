"""Readability of a draft (issue 14), measured with ``textstat``.

The measure is LIX (Björnsson's Läsbarhetsindex: average words per sentence + percentage of
words longer than six letters), ``textstat.lix``. LIX counts no syllables, so one target works for
English, German, French, Spanish, Italian and Dutch alike, and it never touches textstat's
English syllable dictionary (which textstat 0.7.13 fetches through ``nltk.download`` on first
use: nothing may be downloaded at run time). Bands: < 30 very easy, 30-40 easy, 40-50 standard,
50-60 difficult, > 60 very difficult.
"""

from __future__ import annotations

import textstat


def lix(text: str) -> float:
    """LIX of ``text`` (0.0 for text without words)."""
    return float(textstat.lix(text or ""))


def word_count(text: str) -> int:
    """Words in ``text`` as textstat counts them (punctuation removed)."""
    return int(textstat.lexicon_count(text or "", removepunct=True))
