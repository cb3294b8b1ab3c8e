"""PERSON from e-mail addresses: the words of a text that spell the local part of an address in
it (:class:`EmailNameRecognizer`, :func:`email_name_parts`); role mailboxes
(:data:`ROLE_MAILBOXES`) name nobody.
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult

from agent.pii.name_gazetteer import person_result
from agent.pii.name_words import _WORD
from agent.pii.words import is_ordinary_word

# Mailbox names that are no person ("info@", "support@", "no-reply@").
ROLE_MAILBOXES = frozenset(
    """info support sales billing admin contact office mail team hello service services help helpdesk noreply no reply
    donotreply accounts accounting invoice invoices booking bookings orders order enquiries enquiry inquiries webmaster
    postmaster hr jobs careers press news newsletter marketing client clients customer customers kontakt buchhaltung
    rechnung bestellung anfrage contacto ventas facturacion informazioni ordini fatture klantenservice""".split()
)
_EMAIL_IN_TEXT = re.compile(r"(?<![\w.+-])([\w.+-]+)@[\w-]+(?:\.[\w-]+)+")
_LOCAL_PARTS = re.compile(r"[A-Z]?[a-zß-ÿ]+|[A-Z]+(?![a-z])")


def email_name_parts(address: str) -> tuple[str, list[str]]:
    """(the local part without digits and separators, its name-like parts) of an e-mail address:
    ``john.smith79@x`` → ("johnsmith", ["john", "smith"]), ``EinojuhaniPyysalo@x`` →
    ("einojuhanipyysalo", ["einojuhani", "pyysalo"]). Parts of at least three letters that are
    not a role mailbox word (:data:`ROLE_MAILBOXES`) nor an ordinary word."""
    local = address.partition("@")[0]
    letters = re.sub(r"[^\w]|\d|_", "", local).casefold()
    parts = [p.casefold() for p in _LOCAL_PARTS.findall(re.sub(r"[\d_.+-]+", " ", local))]
    keep = [p for p in parts if len(p) >= 3 and p not in ROLE_MAILBOXES and not is_ordinary_word(p, english_only=True)]
    return ("" if letters in ROLE_MAILBOXES else letters), keep


class EmailNameRecognizer(EntityRecognizer):
    """PERSON: the words of a text that spell the local part of an e-mail address in it.

    ``Einojuhani Pyysalo`` before ``EinojuhaniPyysalo@gustr.com``, ``Smith`` near
    ``john.smith@x.example``: two adjacent words whose letters make the whole local part (0.6),
    or one word that is a name part of it (:func:`email_name_parts`, 0.5). Role mailboxes
    (``info@``, ``support@``) name nobody."""

    def __init__(self, language: str):
        super().__init__(supported_entities=["PERSON"], name="EmailNameRecognizer", supported_language=language)

    def load(self) -> None:  # noqa: D102 - nothing to load
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """PERSON results for words that spell an e-mail address's local part."""
        if "@" not in text:
            return []
        wholes: set[str] = set()
        parts: set[str] = set()
        emails = []
        for m in _EMAIL_IN_TEXT.finditer(text):
            whole, names = email_name_parts(m.group(0))
            emails.append(m.span())
            if len(whole) >= 6:
                wholes.add(whole)
            parts.update(names)
        if not wholes and not parts:
            return []
        words = [m for m in _WORD.finditer(text) if not any(a <= m.start() < b for a, b in emails)]
        out: list[RecognizerResult] = []
        i = 0
        while i < len(words):
            w = words[i]
            nxt = words[i + 1] if i + 1 < len(words) else None
            if nxt is not None and re.fullmatch(r"[ \t]{1,2}", text[w.end() : nxt.start()]):
                joined = re.sub(r"[^\w]|\d|_", "", w.group(0) + nxt.group(0)).casefold()
                if joined in wholes:
                    out.append(self._result(w.start(), nxt.end(), 0.6, "two words spell an e-mail address"))
                    i += 2
                    continue
            if w.group(0).casefold() in parts:
                out.append(self._result(w.start(), w.end(), 0.5, "a name part of an e-mail address"))
            i += 1
        return out

    def _result(self, a: int, b: int, score: float, rule: str) -> RecognizerResult:
        return person_result(self, a, b, score, rule)
