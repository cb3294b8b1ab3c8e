"""A Presidio recogniser for regular expressions whose value is one named group.

Presidio's ``PatternRecognizer`` returns the whole match; names after a title or a greeting
and dates after a birth word need the match to include the cue but the result to hold only
the value (``Dear <PERSON_1>,`` must keep ``Dear``). :class:`GroupPatternRecognizer` returns
the span of the group named ``v`` (the whole match when the pattern has none) and can drop a
match through a ``validate(value)`` callback: False drops it, True keeps it, a string keeps
that prefix of the value (a name pattern trims trailing words that are not names).

A pattern may name a ``needs`` regex: a part every match of it contains (a literal word the
pattern requires outside any optional group, with the pattern's own case rule). When ``needs``
finds nothing in the text the pattern is not run: the same results without scanning a 2 KB
message with a long pattern that cannot match it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult


@dataclass(frozen=True)
class GroupPattern:
    """One pattern: a name (shown in explanations), a compiled regex, a score 0..1, an optional
    check, and an optional ``needs`` regex that every match of ``regex`` contains a match of
    (the pattern is skipped on a text where ``needs`` finds nothing)."""

    name: str
    regex: re.Pattern
    score: float
    # True keeps the match; a str that starts it keeps that prefix; a float keeps it with that score
    validate: Callable[[str], bool | str | float] | None = None
    needs: re.Pattern | None = None


CONTEXT_BEFORE = 60  # characters before a match searched for context words (about Presidio's 5 words)
CONTEXT_AFTER = 20
CONTEXT_BOOST = 0.35  # Presidio's context_similarity_factor
CONTEXT_MIN = 0.4  # Presidio's min_score_with_context_similarity


class GroupPatternRecognizer(EntityRecognizer):
    """Regex recogniser for one entity type returning the ``v`` group of each match.

    ``context`` words (matched at a word start, case-insensitive, in the 60 characters before
    or 20 after the value) raise the score by 0.35 to at least 0.4, as Presidio's context
    enhancer does; the recogniser does it itself on the raw text, because Presidio's enhancer
    walks every token of the message for every result (the largest cost on long mail), and
    marks its results as enhanced so Presidio does not do it again."""

    def __init__(self, name: str, entity: str, patterns: list[GroupPattern], language: str, context: list[str] | None = None):
        self.patterns = patterns
        self.context_words = [w.lower() for w in (context or [])]
        self._context_re = (
            re.compile(r"(?<![^\W\d_])(?:" + "|".join(re.escape(w) for w in sorted(self.context_words, key=len, reverse=True)) + ")", re.IGNORECASE)
            if self.context_words
            else None
        )
        super().__init__(supported_entities=[entity], name=name, supported_language=language, context=self.context_words)

    def _score(self, text: str, a: int, b: int, score: float) -> tuple[float, str | None]:
        if self._context_re is None:
            return score, None
        m = self._context_re.search(text, max(0, a - CONTEXT_BEFORE), a) or self._context_re.search(text, b, min(len(text), b + CONTEXT_AFTER))
        if not m:
            return score, None
        return min(1.0, max(score + CONTEXT_BOOST, CONTEXT_MIN)), m.group(0).lower()

    def load(self) -> None:  # noqa: D102 - nothing to load
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """Every match of every pattern as a RecognizerResult over its ``v`` group."""
        entity = self.supported_entities[0]
        out: list[RecognizerResult] = []
        for p in self.patterns:
            if p.needs is not None and p.needs.search(text) is None:
                continue  # no match can hold nothing of what every match holds
            for m in p.regex.finditer(text):
                a, b = m.span("v") if "v" in p.regex.groupindex else m.span()
                if a < 0 or b <= a:
                    continue
                value = text[a:b]
                # trim trailing punctuation a greedy pattern may take with it
                while b > a and text[b - 1] in " \t,.;:":
                    b -= 1
                    value = text[a:b]
                verdict = p.validate(value) if p.validate else True
                base = p.score
                if isinstance(verdict, str) and value.startswith(verdict) and verdict.strip():
                    b = a + len(verdict.rstrip())
                    value = text[a:b]
                elif isinstance(verdict, float) and value.strip():
                    base = verdict
                elif verdict is not True or not value.strip():
                    continue
                score, word = self._score(text, a, b, base)
                expl = AnalysisExplanation(recognizer=self.name, original_score=base, pattern_name=p.name)
                if word:
                    expl.set_supportive_context_word(word)
                    expl.set_improved_score(score)
                out.append(
                    RecognizerResult(
                        entity,
                        a,
                        b,
                        score,
                        analysis_explanation=expl,
                        recognition_metadata={
                            RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                            RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: True,
                        },
                    )
                )
        return out
