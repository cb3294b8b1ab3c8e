"""Phone numbers in international format that libphonenumber does not call valid.

Presidio's ``PhoneRecognizer`` keeps only numbers libphonenumber validates against its numbering
plans, so a number in a range that is not allocated ("+44 7700 900871": Ofcom's range for
fiction), a mistyped digit or a plan libphonenumber's metadata has not caught up with reaches the
model. A number written with a ``+`` (or ``00``) and a country code is a phone number whether or
not its range is allocated: :class:`InternationalNumberRecognizer` finds it when libphonenumber
accepts the country code and the number's length for that country (``is_possible_number``: the
lengths of the country's numbering plan). Without the ``+`` a digit run is left to the
libphonenumber recogniser and the outbound check: a national format of any length is too close
to account, order and reference numbers.
"""

from __future__ import annotations

import re

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

SCORE = 0.5
# "+" or "00", a country code, then digits in groups joined by one space, dash, dot or slash, and
# an optional "(0)" (a national prefix written in brackets) after the country code.
# Possessive: a long digit run is read once, not split every way before the match fails (a hostile
# sender's 10 KB of digits costs microseconds, not seconds).
# An extension may follow ("+1-258-342-0643x38178", "+44 20 7946 0000 ext. 12": the ITU-T E.123 and
# NANP ways of writing one); libphonenumber parses it off the number.
_CANDIDATE = re.compile(
    r"(?<![\w+(])\(?(?:\+|00)[ \t]?\d{1,3}+\)?(?:[ \t.-]?\(0\))?(?:[ \t./-]?\(?\d{1,5}+\)?){2,7}+"
    r"(?:[ \t]?(?:x|ext\.?|extn\.?|extension)[ \t]?\d{1,6}+)?(?![\w])",
    re.IGNORECASE,
)


class InternationalNumberRecognizer(EntityRecognizer):
    """PHONE_NUMBER for an international-format number libphonenumber finds possible (see the
    module docstring); score :data:`SCORE`, no context needed."""

    def __init__(self, language: str):
        super().__init__(supported_entities=["PHONE_NUMBER"], name="InternationalNumberRecognizer", supported_language=language)

    def load(self) -> None:  # noqa: D102 - nothing to load
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """Each possible international number in ``text`` (at least 7 digits after the country code)."""
        import phonenumbers

        out = []
        for m in _CANDIDATE.finditer(text):
            value = m.group(0)
            bare = value.lstrip("(")
            written = "+" + bare[2:] if bare.startswith("00") else bare
            try:
                number = phonenumbers.parse(written, None)
            except phonenumbers.NumberParseException:
                continue
            if len(str(number.national_number)) < 7 or not phonenumbers.is_possible_number(number):
                continue
            out.append(
                RecognizerResult(
                    "PHONE_NUMBER",
                    m.start(),
                    m.end(),
                    SCORE,
                    analysis_explanation=AnalysisExplanation(recognizer=self.name, original_score=SCORE, pattern_name="international number"),
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    },
                )
            )
        return out
