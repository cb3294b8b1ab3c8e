"""A Presidio recogniser for regular expressions whose value is one named group.

Presidio's ``PatternRecognizer`` returns the whole match; names after a title or a greeting
and dates after a birth word need the match to include the cue but the result to hold only
the value (``Dear <PERSON_1>,`` must keep ``Dear``). :class:`GroupPatternRecognizer` returns
the span of the group named ``v`` (the whole match when the pattern has none) and can drop a
match through a ``validate(value)`` callback: False drops it, True keeps it, a string keeps
that prefix of the value (a name pattern trims trailing words that are not names).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult


@dataclass(frozen=True)
class GroupPattern:
    """One pattern: a name (shown in explanations), a compiled regex, a score 0..1, an optional check."""

    name: str
    regex: re.Pattern
    score: float
    validate: Callable[[str], bool | str] | None = None


class GroupPatternRecognizer(EntityRecognizer):
    """Regex recogniser for one entity type returning the ``v`` group of each match.

    ``context`` words raise the score through Presidio's context enhancer as for any recogniser."""

    def __init__(self, name: str, entity: str, patterns: list[GroupPattern], language: str, context: list[str] | None = None):
        self.patterns = patterns
        super().__init__(supported_entities=[entity], name=name, supported_language=language, context=context or [])

    def load(self) -> None:  # noqa: D102 - nothing to load
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """Every match of every pattern as a RecognizerResult over its ``v`` group."""
        entity = self.supported_entities[0]
        out: list[RecognizerResult] = []
        for p in self.patterns:
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
                if isinstance(verdict, str) and value.startswith(verdict) and verdict.strip():
                    b = a + len(verdict.rstrip())
                    value = text[a:b]
                elif verdict is not True or not value.strip():
                    continue
                expl = AnalysisExplanation(recognizer=self.name, original_score=p.score, pattern_name=p.name, pattern=p.regex.pattern[:200])
                out.append(
                    RecognizerResult(
                        entity,
                        a,
                        b,
                        p.score,
                        analysis_explanation=expl,
                        recognition_metadata={
                            RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                        },
                    )
                )
        return out
