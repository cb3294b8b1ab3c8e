"""Graph ``message`` JSON → :class:`agent.models.InboundMessage`, with strict checks.

Field names and shapes are Graph v1.0's ``message`` resource
(https://learn.microsoft.com/graph/api/resources/message). A message that lacks what a reply
needs (id, a sender address, ``receivedDateTime``) or has fields of the wrong type raises
:class:`agent.errors.BadInputError`; the source turns that into a
:class:`agent.ports.BadItem`, so the pipeline quarantines it instead of crashing.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Container
from datetime import datetime
from typing import Any

from agent.errors import BadInputError
from agent.mailtext import html_to_text
from agent.models import Address, InboundMessage

#: The properties draftguard reads from a message (``$select``; Graph returns only these and id).
MESSAGE_FIELDS: tuple[str, ...] = (
    "id",
    "conversationId",
    "conversationIndex",
    "internetMessageId",
    "subject",
    "from",
    "sender",
    "replyTo",
    "toRecipients",
    "ccRecipients",
    "receivedDateTime",
    "isRead",
    "isDraft",
    "body",
    "internetMessageHeaders",
    "webLink",
)
#: Keys Graph sends in delta rounds for changes that are not new mail (read state, moves):
#: an item made only of these is a change event, not a message (message-delta docs, note on
#: change events that do not match the filter).
CHANGE_EVENT_KEYS = frozenset(
    {"id", "@odata.type", "@odata.etag", "isRead", "parentFolderId", "changeKey", "lastModifiedDateTime", "categories", "flag"}
)
#: Length of a conversation index header block: a message whose index is exactly this long
#: starts its conversation ([MS-OXOMSG] 2.2.1.3 PidTagConversationIndex: a 22-byte header
#: block, then one 5-byte child block per reply).
CONVERSATION_INDEX_ROOT_BYTES = 22

_MSGID = re.compile(r"<[^<>\s]+>")


def is_change_event(raw: dict) -> bool:
    """True for delta entries that only report a change (``@removed``, read state, moves)."""
    return "@removed" in raw or set(raw) <= CHANGE_EVENT_KEYS


def is_conversation_root(raw: dict) -> bool | None:
    """True when ``conversationIndex`` says the message starts its conversation, False when it
    is a reply, None when the index is missing or unreadable (then assume a reply)."""
    idx = raw.get("conversationIndex")
    if not isinstance(idx, str) or not idx:
        return None
    try:
        n = len(base64.b64decode(idx, validate=False))
    except (binascii.Error, ValueError):
        return None
    if n < CONVERSATION_INDEX_ROOT_BYTES or (n - CONVERSATION_INDEX_ROOT_BYTES) % 5:
        return None
    return n == CONVERSATION_INDEX_ROOT_BYTES


def parse_datetime(value: Any, field: str, item: str) -> datetime:
    """Graph's ISO 8601 UTC timestamp (``2024-05-01T10:00:00Z``) → aware datetime."""
    if not isinstance(value, str) or not value:
        raise BadInputError(item, f"{field} is missing")
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadInputError(item, f"{field} is not an ISO 8601 timestamp: {value[:40]!r}") from exc
    if dt.tzinfo is None:
        raise BadInputError(item, f"{field} has no time zone: {value[:40]!r}")
    return dt


def recipient(value: Any, field: str, item: str, *, required: bool = False) -> Address | None:
    """A Graph ``recipient`` (``{"emailAddress": {"name", "address"}}``) → :class:`Address`."""
    if value is None:
        if required:
            raise BadInputError(item, f"{field} is missing")
        return None
    if not isinstance(value, dict) or not isinstance(value.get("emailAddress"), dict):
        raise BadInputError(item, f"{field} is not a Graph recipient object")
    ea = value["emailAddress"]
    addr = ea.get("address")
    if not isinstance(addr, str) or "@" not in addr:
        if required:
            raise BadInputError(item, f"{field} has no email address")
        return None
    name = ea.get("name") if isinstance(ea.get("name"), str) else ""
    return Address(name=name.strip(), email=addr.strip().lower())


def recipients(value: Any, field: str, item: str) -> list[Address]:
    """A list of Graph recipients; entries without an address are dropped."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadInputError(item, f"{field} is not a list")
    out = []
    for i, r in enumerate(value):
        a = recipient(r, f"{field}[{i}]", item)
        if a is not None:
            out.append(a)
    return out


def headers_of(raw: dict, keep: Container[str], item: str) -> dict[str, str]:
    """``internetMessageHeaders`` → ``{lower-case name: value}``, only names in ``keep``
    (for the skip rules: :data:`rules.skip.SKIP_HEADER_NAMES`, prefixes included).

    Repeated headers are joined with ``", "``."""
    hs = raw.get("internetMessageHeaders")
    if hs is None:
        return {}
    if not isinstance(hs, list):
        raise BadInputError(item, "internetMessageHeaders is not a list")
    out: dict[str, str] = {}
    for h in hs:
        if not isinstance(h, dict) or not isinstance(h.get("name"), str):
            continue
        name = h["name"].strip().lower()
        value = h.get("value") if isinstance(h.get("value"), str) else ""
        if name in keep:
            out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def body_of(raw: dict, item: str, field: str = "body") -> tuple[str, str | None, str]:
    """``(text, html or None, content_type)`` of a Graph ``itemBody``."""
    body = raw.get(field)
    if body is None:
        return "", None, "text/plain"
    if not isinstance(body, dict):
        raise BadInputError(item, f"{field} is not a Graph itemBody")
    content = body.get("content") or ""
    if not isinstance(content, str):
        raise BadInputError(item, f"{field}.content is not a string")
    ctype = str(body.get("contentType") or "text").lower()
    if ctype == "html":
        return html_to_text(content), content, "text/html"
    return content.replace("\r\n", "\n").strip("\n"), None, "text/plain"


def to_inbound(
    raw: dict,
    *,
    source: str,
    mailbox: str,
    keep_headers: Container[str],
    max_body_bytes: int,
) -> InboundMessage:
    """One Graph message → :class:`InboundMessage` (``external_id`` = ``"{mailbox}/{graph id}"``).

    Raises :class:`BadInputError` for missing or malformed fields and for bodies larger than
    ``max_body_bytes`` (UTF-8 bytes)."""
    gid = raw.get("id")
    if not isinstance(gid, str) or not gid:
        raise BadInputError(f"{source}:{mailbox}", "message without an id")
    item = f"{source}:{mailbox}/{gid[:24]}…"
    sender = recipient(raw.get("from"), "from", item, required=False) or recipient(
        raw.get("sender"), "sender", item, required=True
    )
    assert sender is not None
    received = parse_datetime(raw.get("receivedDateTime"), "receivedDateTime", item)
    subject = raw.get("subject") or ""
    if not isinstance(subject, str):
        raise BadInputError(item, "subject is not a string")
    text, html, ctype = body_of(raw, item)
    size = len((html if html is not None else text).encode("utf-8"))
    if size > max_body_bytes:
        raise BadInputError(item, f"body of {size} bytes exceeds the limit of {max_body_bytes} bytes")
    headers = headers_of(raw, keep_headers, item)
    all_headers = headers_of(raw, ("in-reply-to", "references"), item)
    conversation_id = raw.get("conversationId") if isinstance(raw.get("conversationId"), str) else None
    imid = raw.get("internetMessageId") if isinstance(raw.get("internetMessageId"), str) else None
    link = raw.get("webLink") if isinstance(raw.get("webLink"), str) else None
    return InboundMessage(
        source=source,
        external_id=f"{mailbox}/{gid}",
        internet_message_id=imid,
        conversation_id=conversation_id or None,
        in_reply_to=(_MSGID.findall(all_headers.get("in-reply-to", "")) or [None])[0],
        references=_MSGID.findall(all_headers.get("references", "")),
        subject=subject.strip(),
        sender=sender,
        reply_to=recipients(raw.get("replyTo"), "replyTo", item),
        to=recipients(raw.get("toRecipients"), "toRecipients", item),
        cc=recipients(raw.get("ccRecipients"), "ccRecipients", item),
        received_at=received,
        headers=headers,
        content_type=ctype,
        text_body=text,
        html_body=html,
        link=link,
        size_bytes=size,
    )


def split_external_id(external_id: str) -> tuple[str, str]:
    """``"{mailbox}/{graph id}"`` → ``(mailbox, graph id)``; raises ValueError otherwise."""
    mailbox, sep, gid = external_id.partition("/")
    if not sep or not mailbox or not gid:
        raise ValueError(f"not an Outlook external id: {external_id[:60]!r}")
    return mailbox, gid


def odata_quote(value: str) -> str:
    """A string literal for an OData ``$filter`` (single quotes doubled, OData 4.01 §5.1.1.6.1)."""
    return "'" + value.replace("'", "''") + "'"
