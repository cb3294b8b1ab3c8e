"""E-mail addresses on any domain, and URLs that are never part of an e-mail address.

Presidio's ``EmailRecognizer`` validates the domain against the public-suffix list, so
``ana@casa.internal``, ``x@y.local`` or ``team@corp.lan`` are not found, and its
``UrlRecognizer`` then finds ``casa.internal`` inside the address (``<URL_1>``). Here an
e-mail address is any RFC 5322 ``dot-atom@domain`` shape (RFC 5322 section 3.4.1: atext
characters in the local part, one or more dot-separated labels of letters, digits and hyphens
in the domain), whatever the suffix, and without one: ``admin@intranet`` and Lotus Notes'
``Sarah Wesner@ENRON`` are addresses too; URL matches that overlap an e-mail address are dropped.
"""

from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult
from presidio_analyzer.predefined_recognizers import UrlRecognizer

from agent.pii.patterns import GroupPattern, GroupPatternRecognizer

# RFC 5322 atext minus the quoted-string form (never seen in client mail bodies).
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_RE = re.compile(
    rf"(?<![A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-])(?P<v>{_ATEXT}+(?:\.{_ATEXT}+)*@{_LABEL}(?:\.{_LABEL})*)(?![A-Za-z0-9-])"
)


# An address written out to keep it from harvesters ("k.obi [at] brightline-logistics.example", "ana (at)
# casa [dot] es", "john dot smith at example dot com"): an "at" in brackets, or "at" and "dot" both
# spelled out (the munging forms listed in RFC 2606's spirit and common in mail signatures). The
# domain ends with a label of letters, as a top-level domain does.
_DOT = r"(?:\.|[ \t]*[\[({]dot[\])}][ \t]*|[ \t]+dot[ \t]+)"
_SPELLED_DOT = r"(?:[ \t]*[\[({]dot[\])}][ \t]*|[ \t]+dot[ \t]+)"
_LOCAL = rf"[A-Za-z0-9_%+-]+(?:{_DOT}[A-Za-z0-9_%+-]+)*"
OBFUSCATED_EMAIL_RE = re.compile(
    rf"(?<![\w.+-])(?P<v>{_LOCAL}(?:[ \t]*[\[({{<]at[\])}}>][ \t]*{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}[A-Za-z]{{2,24}}"
    rf"|[ \t]+at[ \t]+{_LABEL}(?:{_DOT}{_LABEL})*{_SPELLED_DOT}[A-Za-z]{{2,24}}))(?![\w-])",
    re.IGNORECASE,
)


def written_out_email_ok(value: str) -> bool:
    """True for an :data:`OBFUSCATED_EMAIL_RE` match that is an address: any with a bracketed "at";
    with a plain "at", only when the part before it is more than one ordinary word ("john dot
    smith", "k_obi", "ana2") or a word that is not ordinary ("john"): "look at this dot com" is prose."""
    if re.search(r"[\[({<]at[\])}>]", value, re.IGNORECASE):
        return True
    local = re.split(r"[ \t]+at[ \t]+", value, maxsplit=1, flags=re.IGNORECASE)[0]
    if re.search(r"[._%+\-\d]|[ \t]dot[ \t]|[\[({]dot", local, re.IGNORECASE):
        return True
    from agent.pii.words import is_ordinary_word

    return not is_ordinary_word(local)


def email_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of every e-mail-shaped address in ``text`` (any domain suffix)."""
    return [m.span("v") for m in EMAIL_RE.finditer(text)]


def email_recogniser(language: str) -> GroupPatternRecognizer:
    """EMAIL_ADDRESS for any RFC 5322-shaped address, score 0.9 (the shape alone is decisive), and
    for an address written out ("name [at] domain [dot] com"), score 0.8."""
    return GroupPatternRecognizer(
        "EmailAnyDomainRecognizer",
        "EMAIL_ADDRESS",
        [GroupPattern("rfc5322 addr-spec", EMAIL_RE, 0.9), GroupPattern("address written out ([at], dot)", OBFUSCATED_EMAIL_RE, 0.8, written_out_email_ok)],
        language,
    )


class UrlOutsideEmailRecognizer(UrlRecognizer):
    """Presidio's URL recogniser, minus any match that overlaps an e-mail address."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None, regex_flags=None) -> list[RecognizerResult]:
        """URL results that do not touch an e-mail address in ``text``."""
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        emails = email_spans(text)
        return [r for r in results if not any(r.start < b and a < r.end for a, b in emails)]
