"""The index of Maildir files a source has already read: what makes a poll cost O(new files).

A Maildir has no cursor: every poll lists ``new/`` and ``cur/``. Without an index each poll
would read and parse every file again (about 1.6 ms each) and rely on the pipeline to say
"duplicate". With it, a poll opens only files whose key it has never handed to the pipeline,
and a file whose Message-ID is already known in this mailbox (an mbsync/offlineimap re-sync
gives the same mail a new file name; the same mail delivered twice) joins the item of the
first file instead of becoming a second item with a second draft.

The production index is :class:`storage.maildir_index.SqlMaildirSeenIndex` (table
``maildir_seen``, in the same database as the items, so it survives restarts and works the
same on SQLite and PostgreSQL); :class:`MemorySeenIndex` serves tests and ``draft --dry-run``.
Identities are stored as sha256 digests: the index never holds an address or text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from agent.models import InboundMessage


def message_identity(message: InboundMessage) -> str | None:
    """What makes two files the same mail: sha256 (hex) of the Message-ID (as parsed, case
    kept: the local part of a msg-id is case-sensitive, RFC 5322 §3.6.4) together with the
    sender's address and the decoded text body. None without a Message-ID.

    The sender and text guard against mailers that reuse one Message-ID for different mail
    (a constant id in a web form script): such mail stays separate items. A re-synced or
    twice-delivered copy differs only in trace headers (``Received``, ``Delivered-To``,
    ``X-TUID``), which are not part of the identity."""
    if not message.internet_message_id:
        return None
    parts = (message.internet_message_id, message.sender.email, message.text_body)
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class SeenFile:
    """One file handed to the pipeline: its Maildir ``key``, its :func:`message_identity`
    (None without a Message-ID, or when the file could not be parsed) and the item's
    ``external_id``."""

    key: str
    identity_sha256: str | None
    external_id: str


class SeenIndex(Protocol):
    """Where a :class:`connectors.maildir.source.MaildirSource` remembers the files it read."""

    def known_keys(self, source: str) -> set[str]:
        """Every key recorded for ``source``."""

    def external_id_for(self, source: str, identity_sha256: str) -> str | None:
        """The external id of the first recorded file with this identity, or None."""

    def keys_for(self, source: str, external_id: str) -> list[str]:
        """The keys of every recorded file that belongs to item ``external_id`` (oldest first)."""

    def record(self, source: str, files: Iterable[SeenFile]) -> None:
        """Remember ``files``; a key already recorded is left as it is. Commits."""


class MemorySeenIndex:
    """:class:`SeenIndex` in memory (one process): tests, dry runs, sources built without storage."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], SeenFile] = {}

    def known_keys(self, source: str) -> set[str]:
        return {k for s, k in self.rows if s == source}

    def external_id_for(self, source: str, identity_sha256: str) -> str | None:
        for (s, _), f in self.rows.items():
            if s == source and f.identity_sha256 == identity_sha256:
                return f.external_id
        return None

    def keys_for(self, source: str, external_id: str) -> list[str]:
        return [k for (s, k), f in self.rows.items() if s == source and f.external_id == external_id]

    def record(self, source: str, files: Iterable[SeenFile]) -> None:
        for f in files:
            self.rows.setdefault((source, f.key), f)


__all__ = ["MemorySeenIndex", "SeenFile", "SeenIndex", "message_identity"]
