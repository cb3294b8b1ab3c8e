"""Header text is client text: checked like the body, and never written into our reply.

The display names and the subject of a message are written by its sender. Two rules follow
(issue 9.1):

* The inbound checks (prompt injection, and every other check that reads the client's
  text) see them: :func:`inbound_check_text` is the one text they read.
* A draft never carries them in our voice. The template drafter does not quote the subject;
  greetings use only a plausible personal name (:mod:`agent.greeting`); and
  :func:`restore_for_draft` does not restore into a draft a ``PERSON`` placeholder whose value
  is not a plausible name, nor a payment, contact or address value
  (:data:`HEADER_SENSITIVE_ENTITIES`) that appears in the header text. In the greeting line
  such a placeholder gives way to the generic greeting; anywhere else it stays a
  placeholder, which the policy rule ``unrestored_placeholder`` flags for a reviewer.
  A ``PERSON`` value that is restored is written in name case (:func:`agent.greeting.name_case`:
  a display name ``bob`` greets ``Dear Bob,``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.greeting import generic_greeting, name_case, plausible_person_name
from agent.models import InboundMessage, PlaceholderMap
from agent.redaction import PLACEHOLDER_RE, restore

#: Presidio entity types that are payment identifiers, contact details or addresses: never
#: restored into a draft when their value came in the header text.
HEADER_SENSITIVE_ENTITIES = frozenset(
    {
        "IBAN_CODE",
        "CREDIT_CARD",
        "US_BANK_NUMBER",
        "ACCOUNT_NUMBER",
        "CRYPTO",
        "US_SSN",
        "PHONE_NUMBER",
        "EMAIL_ADDRESS",
        "URL",
        "IP_ADDRESS",
        "LOCATION",
    }
)
GREETING_LINE_MAX = 80  # a first line longer than this is not a greeting line


def header_text(msg: InboundMessage) -> str:
    """The client-written header text: the display names of From and Reply-To, then the
    subject, one per paragraph (blank lines between, so sentence-based checks keep them apart)."""
    names = [a.name for a in [msg.sender, *msg.reply_to] if a.name and a.name.strip()]
    parts = [*dict.fromkeys(names), msg.subject]
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def inbound_check_text(msg: InboundMessage, latest_text: str) -> str:
    """The inbound text every inbound check reads (prompt injection, disclosures, the risk
    checks): :func:`header_text`, a blank line, then the client's latest text."""
    head = header_text(msg)
    return f"{head}\n\n{latest_text}" if head else latest_text


@dataclass
class RestoredDraft:
    """A restored draft. ``unknown``: placeholders not in the map (invented by the model);
    ``withheld``: placeholders deliberately not restored (see the module docstring);
    ``generic_greeting``: True when the greeting line was replaced."""

    text: str
    unknown: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)
    generic_greeting: bool = False


def _occurs(value: str, text: str) -> bool:
    v = " ".join(value.split())
    return bool(v) and re.search(r"(?<!\w)" + re.escape(v) + r"(?!\w)", " ".join(text.split()), re.IGNORECASE) is not None


def withheld_placeholders(placeholders: PlaceholderMap, header: str) -> set[str]:
    """Placeholders whose values must not be restored into a draft (see the module docstring)."""
    out: set[str] = set()
    for ph, value in placeholders.mapping.items():
        m = PLACEHOLDER_RE.fullmatch(ph)
        entity = m.group(1) if m else ""
        if entity == "PERSON" and not plausible_person_name(value):
            out.add(ph)
        elif entity in HEADER_SENSITIVE_ENTITIES and _occurs(value, header):
            out.add(ph)
    return out


def restore_for_draft(text: str, placeholders: PlaceholderMap, *, header: str, language: str | None) -> RestoredDraft:
    """Restore a drafted reply (``text`` with placeholders) for delivery, keeping header text out.

    ``header`` is :func:`header_text` of the message; ``language`` (ISO 639-1) chooses the
    generic greeting. Returns a :class:`RestoredDraft`; never raises on any text."""
    withheld = withheld_placeholders(placeholders, header)
    replaced = False
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if (
        first is not None
        and len(lines[first].strip()) <= GREETING_LINE_MAX
        and any(m.group(0) in withheld for m in PLACEHOLDER_RE.finditer(lines[first]))
    ):
        lines[first] = generic_greeting(language)
        replaced = True
    allowed = PlaceholderMap(
        mapping={ph: (name_case(v) if ph.startswith("<PERSON_") else v) for ph, v in placeholders.mapping.items() if ph not in withheld}
    )
    restored, unknown = restore("\n".join(lines), allowed)
    left = [ph for ph in dict.fromkeys(unknown) if ph in withheld]
    return RestoredDraft(restored, [u for u in unknown if u not in withheld], left, replaced)
