"""Reply addressing helpers shared by every connector: subject, recipients, idempotency key."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from email.utils import getaddresses

from agent.greeting import name_case, plausible_person_name
from agent.models import Address, InboundMessage

# Reply prefixes removed before one "Re: " is added: English Re, German Aw, Scandinavian
# SV, Dutch Antw, optionally counted ("Re[2]:", "Re(2):"). Forward prefixes stay.
_REPLY_PREFIX_RE = re.compile(r"^\s*(?:re|aw|sv|antw)\s*(?:\[\d+\]|\(\d+\))?\s*:\s*", re.IGNORECASE)


#: What a reply to a message without a subject is about, per reply language (ISO 639-1, the
#: template drafter's languages); English for any other language.
NO_SUBJECT = {
    "en": "your message",
    "de": "Ihre Nachricht",
    "fr": "votre message",
    "es": "su mensaje",
    "it": "il suo messaggio",
    "nl": "uw bericht",
}


def reply_subject(subject: str, language: str | None = None) -> str:
    """``"RE: Aw: Re: Invoice"`` → ``"Re: Invoice"``; ``"Fwd: x"`` → ``"Re: Fwd: x"``;
    ``""`` → ``"Re: your message"`` (``"Re: Ihre Nachricht"`` with ``language`` ``"de"``).

    All leading reply prefixes (Re, RE, Aw, SV, Antw, with optional ``[n]``/``(n)``
    counters) are removed and exactly one ``"Re: "`` is put in front (RFC 5322 §3.6.5
    suggests "Re: " once, not stacked). ``Fwd:`` is part of the subject and kept. A subject
    that is empty, blank or only reply prefixes gets :data:`NO_SUBJECT` of the reply's
    ``language`` (ISO 639-1; English when None or not listed).
    """
    s = base_subject(subject)
    if not s:
        s = NO_SUBJECT.get((language or "en").split("-")[0].lower(), NO_SUBJECT["en"])
    return f"Re: {s}"


def base_subject(subject: str) -> str:
    """The subject without leading reply prefixes (``"AW: Re: Rechnung"`` → ``"Rechnung"``)."""
    s = " ".join((subject or "").split())
    while True:
        stripped = _REPLY_PREFIX_RE.sub("", s, count=1)
        if stripped == s:
            return s
        s = stripped


def greeting_name(display_name: str) -> str:
    """A display name as a person would write it: ``"Miller, John"`` → ``"John Miller"``,
    ``"bob"`` → ``"Bob"`` (:func:`agent.greeting.name_case`); an address, an empty name or one
    that is not plausibly a person's name (:func:`agent.greeting.plausible_person_name`:
    ``"Accounts team - new IBAN …"``, ``"xxx"``, ``"Riak User"``, ``"HAHA LOLO"``) gives ``""``,
    and the draft greets generically."""
    name = " ".join((display_name or "").replace('"', "").split())
    if "@" in name:
        return ""
    m = re.fullmatch(r"([^,]+),\s*([^,]+)", name)
    name = f"{m.group(2)} {m.group(1)}" if m else name
    return name_case(name) if plausible_person_name(name) else ""


def email_of(address: str) -> str:
    """The lower-cased addr-spec of ``Name <a@b>`` or ``a@b``."""
    pairs = getaddresses([address])
    return (pairs[0][1] if pairs else address).strip().lower()


def reply_recipients(
    original: InboundMessage,
    *,
    own_addresses: Iterable[str],
    reply_all: bool,
    extra_cc: Iterable[Address] = (),
) -> tuple[list[Address], list[Address]]:
    """(To, Cc) for a reply to ``original``.

    To = the original's Reply-To mailboxes if any, else its sender (RFC 5322 §3.6.3). With
    ``reply_all``, as Outlook's Reply All does: the original's To recipients are added to To
    and its Cc recipients stay in Cc. ``extra_cc`` (from the draft) is added to Cc. Our own
    addresses (compared lower-case) are never added, and each address appears once (first
    place wins: To before Cc).
    """
    own = {a.strip().lower() for a in own_addresses if a}
    taken = set(own)

    def pick(addresses: Iterable[Address], out: list[Address]) -> None:
        for a in addresses:
            key = a.email.lower()
            if key in taken:
                continue
            taken.add(key)
            out.append(a)

    to: list[Address] = []
    cc: list[Address] = []
    first = list(original.reply_to) or [original.sender]
    to.extend(first)  # the person answered is addressed even when it is one of ours
    taken |= {a.email.lower() for a in first}
    if reply_all:
        pick(original.to, to)
        pick(original.cc, cc)
    pick(extra_cc, cc)
    return to, cc


def idempotency_key(source: str, external_id: str) -> str:
    """Stable key for the draft of one item: ``dg-`` + 32 hex chars of sha256(source, external id).

    Holds no personal data, so it can travel in headers, extended properties and the audit chain."""
    return "dg-" + hashlib.sha256(f"{source}\x00{external_id}".encode()).hexdigest()[:32]
