"""Reply addressing helpers shared by every connector: subject, recipients, idempotency key."""

from __future__ import annotations

import hashlib
import re

from agent.models import Address, InboundMessage

# Reply/forward prefixes used by common clients, in several languages (RFC 5322 §3.6.5
# recommends "Re: "; Outlook localises it: AW (de), SV (sv/da/no), Antw (nl), RE).
_REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|antw|vs|r|ref|rif|odp)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


def reply_subject(subject: str) -> str:
    """``"Re: <subject>"`` with existing reply prefixes removed (no "Re: Re: AW:" stacking)."""
    base = _REPLY_PREFIX.sub("", subject or "").strip()
    return f"Re: {base}" if base else "Re: your message"


def reply_recipients(msg: InboundMessage, *, reply_all: bool, own: set[str]) -> tuple[list[Address], list[Address]]:
    """``(to, cc)`` for a reply: Reply-To when present, else the sender (RFC 5322 §3.6.2);
    with ``reply_all`` the original To and Cc, minus our own addresses, go to Cc."""
    to = list(msg.reply_to) or [msg.sender]
    cc: list[Address] = []
    if reply_all:
        seen = {a.email for a in to} | own
        for a in [*msg.to, *msg.cc]:
            if a.email not in seen:
                cc.append(a)
                seen.add(a.email)
    return to, cc


def idempotency_key(source: str, external_id: str) -> str:
    """Stable key for the draft of one item: ``dg-`` + 32 hex chars of sha256(source, external id).

    Holds no personal data, so it can travel in headers, extended properties and the audit chain."""
    return "dg-" + hashlib.sha256(f"{source}\x00{external_id}".encode()).hexdigest()[:32]
