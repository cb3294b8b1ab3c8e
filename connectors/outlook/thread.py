"""Conversation context: the earlier messages of a thread, our drafts in it, replies from us.

Graph groups a thread by ``conversationId``. ``GET /users/{m}/messages?$filter=conversationId
eq '…'`` searches every folder (Inbox, Sent Items, Drafts…); it is sent without ``$orderby``
because Graph refuses that combination (400 ``InefficientFilter``), and the result is sorted
here by time. ``uniqueBody`` gives each message's own text without the quoted history
(https://learn.microsoft.com/graph/api/resources/message, ``uniqueBody``). The same call
expands draftguard's extended property, so it also shows which drafts in the thread are
ours (see :mod:`connectors.outlook.drafts`).

A message that starts its conversation (conversation index of 22 bytes, see
:func:`connectors.outlook.messages.is_conversation_root`) has no earlier messages, so no
call is made for it; whether someone already answered it is read from one Sent Items query
per poll (:func:`sent_conversations_since`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from agent.models import Address, ThreadMessage
from connectors.outlook.auth import GraphConnection
from connectors.outlook.messages import body_of, odata_quote, parse_datetime, recipient

log = logging.getLogger(__name__)

THREAD_FIELDS = (
    "id",
    "from",
    "sender",
    "receivedDateTime",
    "sentDateTime",
    "createdDateTime",
    "lastModifiedDateTime",
    "changeKey",
    "isDraft",
    "uniqueBody",
)
#: Messages read per thread (one page; longer threads keep the newest ones Graph returns).
THREAD_PAGE = 50
SENT_PAGE = 200
MAX_SENT_PAGES = 10


@dataclass
class OurDraft:
    """A message in the mailbox that carries draftguard's idempotency key.

    ``created_at`` / ``modified_at`` are Graph's ``createdDateTime`` / ``lastModifiedDateTime``
    (None when not asked for); ``is_draft`` False once the draft was sent."""

    id: str
    key: str
    change_key: str | None
    conversation_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    is_draft: bool = True

    @classmethod
    def from_graph(cls, raw: dict, key: str, conversation_id: str | None = None) -> OurDraft:
        """From a Graph message JSON carrying ``key`` (odd timestamps are read as None)."""
        def at(field_: str) -> datetime | None:
            try:
                return parse_datetime(raw.get(field_), field_, "draft")
            except Exception:  # noqa: BLE001 - a missing or odd timestamp is just unknown
                return None

        return cls(
            id=raw["id"],
            key=key,
            change_key=raw.get("changeKey"),
            conversation_id=conversation_id or raw.get("conversationId"),
            created_at=at("createdDateTime"),
            modified_at=at("lastModifiedDateTime"),
            is_draft=raw.get("isDraft", True) is not False,
        )


@dataclass
class ThreadSnapshot:
    """What one conversation query showed, at ``taken_at`` (monotonic seconds)."""

    messages: list[tuple[str, ThreadMessage]] = field(default_factory=list)
    our_drafts: list[OurDraft] = field(default_factory=list)
    newest_from_us: datetime | None = None
    taken_at: float = 0.0


def extended_value(raw: dict, prop_id: str) -> str | None:
    """The value of single-value extended property ``prop_id`` on a message, if present.

    Graph normalises the id it returns (``String {guid} Name X``); compare case-insensitively."""
    props = raw.get("singleValueExtendedProperties")
    if not isinstance(props, list):
        return None
    for p in props:
        if isinstance(p, dict) and str(p.get("id", "")).lower() == prop_id.lower():
            v = p.get("value")
            return v if isinstance(v, str) else None
    return None


def _when(raw: dict) -> datetime | None:
    for f in ("sentDateTime", "receivedDateTime", "createdDateTime"):
        try:
            return parse_datetime(raw.get(f), f, "thread")
        except Exception:  # noqa: BLE001 - one odd timestamp must not lose the thread
            continue
    return None


def fetch_thread(
    con: GraphConnection,
    *,
    mailbox: str,
    conversation_id: str,
    ours: set[str],
    our_domains: set[str],
    key_prop: str,
    clock,
) -> ThreadSnapshot:
    """One request: the conversation's messages in every folder, sorted oldest first.

    ``messages`` are the non-draft messages as ``(graph id, ThreadMessage)``, each reduced to
    its ``uniqueBody`` text (the caller drops the message being answered and newer ones);
    ``our_drafts`` the drafts carrying ``key_prop``; ``newest_from_us`` the send time of the
    newest non-draft message from ``ours`` (addresses) or ``our_domains``."""
    url = f"{con.protocol.service_url}users/{mailbox}/messages"
    params = {
        "$filter": f"conversationId eq {odata_quote(conversation_id)}",
        "$select": ",".join(THREAD_FIELDS),
        "$expand": f"singleValueExtendedProperties($filter=id eq {odata_quote(key_prop)})",
        "$top": str(THREAD_PAGE),
    }
    data = con.get(url, params=params).json()
    snap = ThreadSnapshot(taken_at=clock())
    rows = [r for r in (data.get("value") or []) if isinstance(r, dict)]
    rows.sort(key=lambda r: _when(r) or datetime.min.replace(tzinfo=UTC))
    for r in rows:
        if r.get("isDraft"):
            key = extended_value(r, key_prop)
            if key and isinstance(r.get("id"), str):
                snap.our_drafts.append(OurDraft.from_graph(r, key, conversation_id))
            continue
        try:
            sender = recipient(r.get("from"), "from", "thread") or recipient(r.get("sender"), "sender", "thread")
        except Exception:  # noqa: BLE001 - a malformed thread entry is context, not the item
            sender = None
        when = _when(r)
        from_us = _is_ours(sender, ours, our_domains)
        if from_us and when is not None and (snap.newest_from_us is None or when > snap.newest_from_us):
            snap.newest_from_us = when
        try:
            text, _html, _ct = body_of(r, "thread", "uniqueBody")
        except Exception:  # noqa: BLE001
            text = ""
        snap.messages.append((str(r.get("id", "")), ThreadMessage(sender=sender, sent_at=when, text=text, from_us=from_us)))
    return snap


def _is_ours(sender: Address | None, ours: set[str], our_domains: set[str]) -> bool:
    return sender is not None and (sender.email in ours or sender.domain in our_domains)


def sent_conversations_since(con: GraphConnection, *, mailbox: str, since: datetime) -> dict[str, datetime]:
    """``{conversationId: newest sentDateTime}`` of messages in Sent Items sent at or after ``since``.

    One request per 200 sent messages (capped at ``MAX_SENT_PAGES`` pages)."""
    from connectors.outlook.delta import iso

    url = f"{con.protocol.service_url}users/{mailbox}/mailFolders/SentItems/messages"
    params: dict | None = {
        "$filter": f"sentDateTime ge {iso(since)}",
        "$select": "conversationId,sentDateTime",
        "$top": str(SENT_PAGE),
    }
    out: dict[str, datetime] = {}
    for _ in range(MAX_SENT_PAGES):
        data = con.get(url, params=params).json()
        for r in data.get("value") or []:
            cid = r.get("conversationId") if isinstance(r, dict) else None
            when = _when(r) if isinstance(r, dict) else None
            if isinstance(cid, str) and when is not None and (cid not in out or when > out[cid]):
                out[cid] = when
        url = data.get("@odata.nextLink")
        params = None
        if not url:
            break
    return out
