"""Mail body text, one place for every source: HTML → text and the client's latest reply.

* :func:`html_to_text` — ``inscriptis`` (keeps paragraphs, lists and table layout), used by
  the Maildir parser, the Outlook and the Salesforce connectors for HTML-only bodies.
* :func:`latest_reply` — ``mail-parser-reply`` with :data:`REPLY_PARSER_LANGUAGES`, used by
  the context stage for the inbound text and the thread, and by the Salesforce connector for
  earlier case emails.
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


def latest_reply(text: str) -> str:
    """The newest part of a mail body: quoted history and signature removed.

    Falls back to the whole (stripped) text when the parser finds nothing or fails, so a
    message is never emptied by the stripper."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        return ""
    try:
        mail = _parser().read(text)
        body = mail.replies[0].body.strip() if mail.replies else ""
    except Exception:  # noqa: BLE001 - the parser is heuristic; never lose the text over it
        body = ""
    return body or text


__all__ = ["REPLY_PARSER_LANGUAGES", "html_to_text", "latest_reply"]
