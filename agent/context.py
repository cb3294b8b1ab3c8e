"""Context building: the client's new text and the thread, with quotes and signatures stripped.

Quoted history and signatures are cut by ``mail-parser-reply`` (multilingual
"On … wrote" / Outlook header detection); HTML is turned into text by
``inscriptis`` upstream, in the connectors.
"""

from __future__ import annotations

import functools

from mailparser_reply import EmailReplyParser

from agent.language import detect_language
from agent.models import InboundMessage, ItemContext
from agent.reply import greeting_name

# Languages whose quote headers mail-parser-reply knows (its constants.MAIL_LANGUAGES).
REPLY_PARSER_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "da", "sv", "pl", "cs"]
MAX_THREAD_MESSAGES = 5


@functools.lru_cache(maxsize=1)
def _parser() -> EmailReplyParser:
    return EmailReplyParser(languages=REPLY_PARSER_LANGUAGES)


def latest_reply(text: str) -> str:
    """The newest part of a mail body: quoted history and signature removed.

    Falls back to the whole (stripped) text when the parser finds nothing, so a
    message is never emptied by the stripper."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        return ""
    try:
        mail = _parser().read(text)
        body = mail.replies[0].body.strip() if mail.replies else ""
    except Exception:  # the parser is heuristic; never lose the text over it
        body = ""
    return body or text


def build_context(msg: InboundMessage, *, max_chars: int) -> ItemContext:
    """Clear-text context for one item. ``max_chars`` bounds the latest text (characters)."""
    latest = latest_reply(msg.text_body)[:max_chars]
    thread = [t.model_copy(update={"text": latest_reply(t.text)[: max_chars // 4]}) for t in msg.thread[-MAX_THREAD_MESSAGES:]]
    # Greet the person the reply goes to: the Reply-To mailbox when there is one.
    addressee = msg.reply_to[0] if msg.reply_to else msg.sender
    return ItemContext(
        subject=msg.subject,
        sender_name=greeting_name(addressee.name),
        sender_email=addressee.email,
        latest_text=latest,
        thread=thread,
        crm_fields=msg.crm_fields,
        language=detect_language(latest) or "und",
    )
