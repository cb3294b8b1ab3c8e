"""Context building: the client's new text and the thread, with quotes and signatures stripped.

Quoted history and signatures are cut by :func:`agent.mailtext.latest_reply`
(``mail-parser-reply``: multilingual "On … wrote" / Outlook header detection); a message the
client forwards is kept after the client's own lines (the request is often in it); HTML is
turned into text by :func:`agent.mailtext.html_to_text` upstream, in the connectors.
"""

from __future__ import annotations

from agent.language import detect_language
from agent.mailtext import latest_reply
from agent.models import InboundMessage, ItemContext
from agent.reply import greeting_name

MAX_THREAD_MESSAGES = 5  # the default when the caller gives none (``[drafting] thread_messages`` in the pipeline)


def build_context(msg: InboundMessage, *, max_chars: int, max_thread: int = MAX_THREAD_MESSAGES) -> ItemContext:
    """Clear-text context for one item. ``max_chars`` bounds the latest text (characters), each
    earlier message gets a quarter of it; the newest ``max_thread`` earlier messages are kept
    (the prompt's token budget may cut more, oldest first: :mod:`agent.token_budget`).
    ``cut_chars``/``shortened`` say how much of the body the model will not see."""
    whole = latest_reply(msg.text_body, msg.subject)  # a forwarded message stays: the client asks about it
    latest = whole[:max_chars]
    kept = msg.thread[-max_thread:] if max_thread > 0 else []
    thread = [t.model_copy(update={"text": latest_reply(t.text)[: max_chars // 4]}) for t in kept]
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
        cut_chars=max(0, len(msg.text_body.strip()) - len(latest.strip())),
        shortened=len(whole) > max_chars,
    )
