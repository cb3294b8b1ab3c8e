"""Outlook connector: Microsoft 365 mailboxes through Microsoft Graph (``O365`` + ``msal``).

Modules: :mod:`.auth` (sign-in, token cache in the database, the Graph connection),
:mod:`.retry` (throttling policy), :mod:`.delta` (Inbox delta), :mod:`.messages` (Graph JSON
→ InboundMessage), :mod:`.thread` (conversation context), :mod:`.drafts` (reply drafts),
:mod:`.source` (the Source port), :mod:`.outcomes` (what became of drafts), :mod:`.cli`
(``main.py outlook check`` / ``login``). Setup: docs/outlook.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from agent.config import Settings
    from connectors.outlook.source import OutlookSource


def build_outlook_sources(settings: Settings, session_factory: sessionmaker[Session]) -> list[OutlookSource]:
    """One :class:`OutlookSource` per ``[[sources.outlook]]`` entry, token caches in ``kv_store``,
    Graph requests in flight per mailbox counted in the ``[limits]`` backend."""
    from connectors.limits import backend_for
    from connectors.outlook.source import OutlookSource
    from storage.repository import SqlKeyValueStore

    limits = backend_for(settings.limits)

    return [
        OutlookSource(
            cfg,
            kv_factory=lambda ns: SqlKeyValueStore(session_factory, ns),
            organisation=settings.organisation,
            max_body_bytes=settings.limits.max_body_bytes,
            limits=limits,
        )
        for cfg in settings.sources.outlook
    ]
