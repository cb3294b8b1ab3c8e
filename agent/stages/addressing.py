"""Who a reply goes to and from: the firm's own addresses and the addressed :class:`ReplyDraft`.

Used by the skip check (our own mail is not answered), the analyse stage (the reply it proposes)
and the deliver stage (the reply built again from a saved draft). No storage, no network.
"""

from __future__ import annotations

from agent.config import Settings
from agent.models import InboundMessage, ReplyDraft
from agent.ports import Source
from agent.reply import idempotency_key, reply_recipients, reply_subject


def own_addresses(settings: Settings, source: Source | None) -> set[str]:
    """Lower-cased addresses drafts are written from: ``organisation.own_addresses`` and the
    source's own (a mailbox address, a Maildir ``from_address``)."""
    own = {a.lower() for a in settings.organisation.own_addresses}
    if source is not None:
        own |= {a.lower() for a in getattr(source, "own_addresses", ())}
    return own


def reply_draft(settings: Settings, msg: InboundMessage, source: Source | None, text: str, html: str, *, language: str | None = None) -> ReplyDraft:
    """The addressed reply for ``msg``: Reply-To or sender, one "Re:" (a subject in the draft's
    ``language`` when the message has none), the item's idempotency key. Without a ``source``
    (a dry run) no recipient is left out as one of our own addresses."""
    own = own_addresses(settings, source) if source else set()
    to, cc = reply_recipients(msg, reply_all=bool(getattr(source, "reply_all", False)), own_addresses=own)
    return ReplyDraft(
        idempotency_key=idempotency_key(msg.source, msg.external_id),
        subject=reply_subject(msg.subject, language),
        text=text,
        html=html,
        to=to,
        cc=cc,
    )
