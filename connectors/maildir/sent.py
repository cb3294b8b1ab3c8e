"""A Maildir's Sent folder, read for shadow scoring (issue 15, docs/release.md): which replies a
person sent to a message, by ``In-Reply-To`` / ``References``.

Read-only: files are opened, parsed with the stdlib ``email`` package (policy ``default``) and
never moved or flagged. A file that does not parse is skipped (it is the firm's own mail, not
an item). The text of a reply is its plain part, else its HTML part as text
(:func:`agent.mailtext.html_to_text`).
"""

from __future__ import annotations

import email
import email.policy
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from agent.mailtext import html_to_text

log = logging.getLogger(__name__)
_ID = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True)
class SentReply:
    """One sent message: its file name (``ref``), the message ids it answers, its text."""

    ref: str
    answers: frozenset[str]
    text: str


def _text(msg) -> str:
    part = msg.get_body(preferencelist=("plain",))
    if part is not None:
        return part.get_content()
    part = msg.get_body(preferencelist=("html",))
    return html_to_text(part.get_content()) if part is not None else ""


def read_sent(path: Path) -> list[SentReply]:
    """Every message in the Maildir ``path`` (``cur`` and ``new``), oldest file name first."""
    out: list[SentReply] = []
    for sub in ("cur", "new"):
        folder = path / sub
        if not folder.is_dir():
            continue
        for f in sorted(folder.iterdir()):
            try:
                msg = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
                ids = set(_ID.findall(str(msg.get("In-Reply-To", "")))) | set(_ID.findall(str(msg.get("References", ""))))
                out.append(SentReply(f.name, frozenset(ids), _text(msg)))
            except Exception as exc:  # noqa: BLE001 - one unreadable sent file must not stop scoring
                log.warning("sent folder %s: skipped %s: %s", path, f.name, type(exc).__name__)
    return out


def reply_to(replies: list[SentReply], message_id: str | None) -> SentReply | None:
    """The first sent reply that answers ``message_id`` (``In-Reply-To`` or ``References``)."""
    if not message_id:
        return None
    mid = message_id.strip()
    if not mid.startswith("<"):
        mid = f"<{mid}>"
    for r in replies:
        if mid in r.answers:
            return r
    return None
