"""Mail body text, one place for every source: HTML → text and the client's latest reply.

* :func:`html_to_text` — ``inscriptis`` (keeps paragraphs, lists and table layout), used by
  the Maildir parser, the Outlook and the Salesforce connectors for HTML-only bodies.
* :func:`latest_reply` — ``mail-parser-reply`` with :data:`REPLY_PARSER_LANGUAGES`, used by
  the context stage for the inbound text and the thread, and by the Salesforce connector for
  earlier case emails. A message the client forwards is not quoted history: it is what the
  client asks about ("see below"), so its sender, date, subject and text are kept after the
  client's own lines (see :func:`latest_reply`).
"""

from __future__ import annotations

import functools
import html as html_lib
import re

from mailparser_reply import EmailReplyParser

#: Languages whose quote headers ("On … wrote:", "Am … schrieb …:", Outlook's From/Sent block)
#: and signatures mail-parser-reply strips (keys of its ``constants.MAIL_LANGUAGES``).
#: The one list for every use; English first, the parser's default.
REPLY_PARSER_LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "it", "nl", "da", "sv", "pl", "cs")

_TAG = re.compile(r"<[^>]+>")

#: The line mail clients put above a forwarded message (Gmail, Apple Mail, Thunderbird, Outlook on
#: the web) in the languages of :data:`REPLY_PARSER_LANGUAGES` that have one; matched on the last
#: line of the client's part, dashes and a trailing colon optional, any case.
FORWARD_MARKERS: tuple[str, ...] = (
    "forwarded message", "begin forwarded message", "original message follows",
    "weitergeleitete nachricht", "anfang der weitergeleiteten nachricht", "ursprüngliche nachricht folgt",
    "message transféré", "début du message réexpédié", "début du message transféré",
    "mensaje reenviado", "inicio del mensaje reenviado",
    "messaggio inoltrato", "inizio messaggio inoltrato",
    "doorgestuurd bericht", "begin doorgestuurd bericht",
    "videresendt meddelelse", "vidarebefordrat meddelande", "przekazana wiadomość", "přeposlaná zpráva",
)  # fmt: skip
_FORWARD_LINE = re.compile(
    r"^[\s>*_-]*(?:" + "|".join(re.escape(m) for m in FORWARD_MARKERS) + r")[\s:*_-]*$", re.IGNORECASE
)
#: Subject prefixes of a forward: en Fw/Fwd, de WG, fr TR, es RV/Reenviar, it I/Inoltra, nl Doorst, da/sv VS/VB, pl PD.
_FORWARD_SUBJECT = re.compile(r"^\s*(?:(?:re|aw|sv|antw)\s*:\s*)*(?:fwd?|wg|tr|rv|i|inoltra|doorst|vs|vb|pd)\s*:", re.IGNORECASE)
_KEPT_HEADERS = re.compile(r"^(?:from|von|de|da|van|från|od|sent|date|datum|envoyé|enviado|inviato|verzonden|gesendet|subject|betreff|objet|asunto|oggetto|onderwerp|ämne|temat|předmět)\s*:", re.IGNORECASE)
_QUOTE_MARK = re.compile(r"^> ?", re.MULTILINE)
_SIGNATURE_DELIMITER = "-- "  # RFC 3676 §4.3: kept with its trailing space


@functools.lru_cache(maxsize=1)
def _parser() -> EmailReplyParser:
    return EmailReplyParser(languages=list(REPLY_PARSER_LANGUAGES))


def html_to_text(html: str) -> str:
    """Readable text of an HTML body or fragment.

    ``inscriptis.get_text``; when lxml refuses the input, tags are removed and entities
    decoded instead. Line endings become LF, trailing spaces are cut (except on the ``"-- "``
    signature delimiter), blank lines at either end are dropped. Never raises on a string."""
    from inscriptis import get_text

    try:
        text = get_text(html)
    except Exception:  # noqa: BLE001 - lxml refuses some inputs; strip tags as a last resort
        text = html_lib.unescape(_TAG.sub(" ", html))
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(ln if ln == _SIGNATURE_DELIMITER else ln.rstrip() for ln in lines).strip("\n")


def latest_reply(text: str, subject: str = "") -> str:
    """The newest part of a mail body: quoted history and signature removed; a forwarded
    message kept.

    A forward is recognised by a marker line ending the client's part ("---------- Forwarded
    message ---------", "Begin forwarded message:", "Weitergeleitete Nachricht", …:
    :data:`FORWARD_MARKERS`) or, for Outlook's forwards that look like replies, by a forward
    prefix on ``subject`` ("FW:", "Fwd:", "WG:", "TR:", "RV:"). Then the first forwarded message
    follows the client's lines, marker line included: its From, Sent/Date and Subject header lines
    and its text (quote marks removed); To and Cc lines and anything older are left out.

    Falls back to the whole (stripped) text when the parser finds nothing or fails, so a
    message is never emptied by the stripper."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        return ""
    try:
        replies = _parser().read(text).replies
        body = replies[0].body.strip() if replies else ""
        forwarded = _forwarded(replies, subject)
    except Exception:  # noqa: BLE001 - the parser is heuristic; never lose the text over it
        body, forwarded = "", ""
    if forwarded:
        lines = body.splitlines()
        while lines and (not lines[-1].strip() or _FORWARD_LINE.match(lines[-1])):
            lines.pop()  # the marker is repeated above the forwarded message
        return "\n".join([*lines, "", forwarded]).strip()
    return body or text


def _forwarded(replies: list, subject: str) -> str:
    """The forwarded message of a parsed body (see :func:`latest_reply`), or ``""``."""
    if len(replies) < 2:
        return ""
    own = replies[0].content.rstrip().splitlines()
    marker = own[-1].strip() if own and _FORWARD_LINE.match(own[-1]) else ""
    if not marker and not _FORWARD_SUBJECT.match(subject or ""):
        return ""
    nxt = replies[1]
    headers = [h for h in (ln.lstrip("> ").strip() for ln in nxt.headers.splitlines()) if _KEPT_HEADERS.match(h)]
    body = _QUOTE_MARK.sub("", nxt.body).strip()
    if not body and not headers:
        return ""
    return "\n".join([marker or "Forwarded message:", *headers, "", body]).strip()


__all__ = ["REPLY_PARSER_LANGUAGES", "html_to_text", "latest_reply"]
