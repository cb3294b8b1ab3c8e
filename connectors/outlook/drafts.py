"""Reply drafts in a mailbox's Drafts folder: created once, tagged, one per conversation.

* **Create** with ``POST /users/{m}/messages/{id}/createReply`` (or ``createReplyAll``), the
  HTML body, recipients, category and the idempotency key all in that one call: createReply
  takes ``{"message": {...writable properties}}`` ("specify either a comment or the body
  property of the message parameter", https://learn.microsoft.com/graph/api/message-createreply).
  With ``message.body`` Graph does not add the quoted original, so the body built here holds
  our reply first and the original below it, in Outlook's own reply layout.
* **Tag** with the category from the config and a single-value extended property
  (``String {guid} Name DraftguardKey``) whose value is ``ReplyDraft.idempotency_key``
  (https://learn.microsoft.com/graph/api/singlevaluelegacyextendedproperty-post-singlevalueextendedproperties).
* **Look before create**: ``$filter=singleValueExtendedProperties/any(ep: ep/id eq '…' and
  ep/value eq '…')`` (https://learn.microsoft.com/graph/api/singlevaluelegacyextendedproperty-get)
  finds a draft an earlier, interrupted attempt already made. The source skips that call when
  the conversation query it made while polling (same process, seconds earlier, nothing posted
  since) already lists the thread's drafts with their keys.
* **One AI draft per conversation**: our older draft in the thread is deleted (moved to
  Deleted Items) when its ``changeKey`` is still the one Graph returned when we created it,
  i.e. nobody edited it; an edited draft is left alone. The creation ``changeKey`` is kept in
  ``kv_store`` (namespace ``outlook-drafts``).
* **Read state**: ``createReplyAll`` marks the original read; when it was unread it is set
  back with one ``PATCH {"isRead": false}``.
* **Retries**: 429/503 are repeated at once after ``Retry-After`` (nothing was created); after a
  504 or a network error the request may have been carried out, so the key is looked up
  before posting again; a request that lands even later leaves a duplicate, removed by
  :mod:`connectors.outlook.duplicates` (exactly one draft per key).
"""

from __future__ import annotations

import html as htmlmod
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import nh3
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import HTTPError, Timeout

from agent.formatting import text_to_html
from agent.models import Address, InboundMessage, ReplyDraft
from connectors.outlook.auth import GraphConnection
from connectors.outlook.duplicates import AmbiguousKeys, split_duplicates
from connectors.outlook.messages import odata_quote
from connectors.outlook.retry import NOT_PROCESSED_STATUSES, RETRY_STATUSES, RetryPolicy, status_of
from connectors.outlook.thread import OurDraft, extended_value

log = logging.getLogger(__name__)

#: draftguard's MAPI property set (a fixed GUID, uuid5 of a draftguard URL) and property name.
PROPERTY_SET = "{96cecc5e-627c-5b1d-a23f-0f5142dd2e51}"
KEY_PROP = f"String {PROPERTY_SET} Name DraftguardKey"

#: Tags kept from the original message when it is quoted (nh3 removes scripts, styles, handlers).
QUOTE_TAGS = {
    "a", "b", "blockquote", "br", "div", "em", "font", "h1", "h2", "h3", "h4", "hr", "i", "img", "li",
    "ol", "p", "pre", "span", "strong", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}
REPLY_TAGS = {"p", "br", "ul", "ol", "li", "a", "strong", "em", "b", "i", "blockquote", "div", "span"}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def dedupe_signature(text: str, signature: str) -> str:
    """``text`` with repeated copies of ``signature`` removed (the first one stays).

    A template or a model may sign off with the configured signature that is already in the
    text; the mailbox must show it once."""
    sig = signature.strip()
    if not sig or _norm(text).count(_norm(sig)) < 2:
        return text
    first = text.find(sig)
    if first < 0:
        return text
    head, tail = text[: first + len(sig)], text[first + len(sig):]
    tail = tail.replace(sig, "")
    return (head + tail).rstrip() + "\n"


def reply_fragment(draft: ReplyDraft, signature: str = "") -> str:
    """Our reply as a clean HTML fragment (paragraphs, lists, links; no raw tags; signature once)."""
    text = dedupe_signature(draft.text, signature)
    if draft.html.strip() and text == draft.text:
        source_html = draft.html
    else:
        source_html = text_to_html(text)
    return nh3.clean(source_html, tags=REPLY_TAGS, attributes={"a": {"href"}}, link_rel="noopener noreferrer")


def _addr_html(addresses: list[Address]) -> str:
    return "; ".join(htmlmod.escape(a.formatted()) for a in addresses)


def quoted_original(original: InboundMessage) -> str:
    """Outlook's reply layout for the message being answered: a rule, From/Sent/To/Cc/Subject,
    then the original body (sanitised HTML, or escaped text)."""
    sent = original.received_at.astimezone(UTC).strftime("%A, %d %B %Y %H:%M UTC") if original.received_at else ""
    lines = [f"<b>From:</b> {htmlmod.escape(original.sender.formatted())}"]
    if sent:
        lines.append(f"<b>Sent:</b> {htmlmod.escape(sent)}")
    if original.to:
        lines.append(f"<b>To:</b> {_addr_html(original.to)}")
    if original.cc:
        lines.append(f"<b>Cc:</b> {_addr_html(original.cc)}")
    lines.append(f"<b>Subject:</b> {htmlmod.escape(original.subject)}")
    header = (
        '<hr style="display:inline-block;width:98%" tabindex="-1">'
        '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000">'
        + "<br>".join(lines)
        + "</font><div>&nbsp;</div></div>"
    )
    if original.html_body:
        body = nh3.clean(
            original.html_body,
            tags=QUOTE_TAGS,
            attributes={"a": {"href"}, "img": {"src", "alt"}, "font": {"color", "face"}, "td": {"colspan", "rowspan"}},
            link_rel="noopener noreferrer",
            url_schemes={"http", "https", "mailto", "cid"},
        )
    else:
        body = "<div>" + htmlmod.escape(original.text_body).replace("\n", "<br>") + "</div>"
    return header + body


def compose_reply_html(draft: ReplyDraft, original: InboundMessage, *, signature: str = "") -> str:
    """The full HTML body of the reply draft: our reply above the quoted original."""
    return (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>'
        f'<div class="draftguard-reply">{reply_fragment(draft, signature)}</div>'
        f"{quoted_original(original)}"
        "</body></html>"
    )


def _recipient_json(a: Address) -> dict:
    return {"emailAddress": {"address": a.email, "name": a.name or a.email}}


@dataclass
class CreatedDraft:
    """A draft Graph holds for a key: its id and whether this call created it."""

    id: str
    created: bool
    change_key: str | None = None


class DraftWriter:
    """Draft operations for one Graph connection. ``kv`` keeps creation change keys and the
    keys of ambiguous creates (``SqlKeyValueStore``, namespace ``outlook-drafts``); ``now``
    gives the aware current time."""

    def __init__(self, con: GraphConnection, *, kv: Any, category: str, reply_all: bool, retry_policy: RetryPolicy,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.con = con
        self.kv = kv
        self.now = now
        self.ambiguous = AmbiguousKeys(kv)
        self.category = category
        self.reply_all = reply_all
        self.retry_policy = retry_policy

    def _url(self, mailbox: str, path: str) -> str:
        return f"{self.con.protocol.service_url}users/{mailbox}/{path}"

    # --- lookups --------------------------------------------------------------------------
    def find_by_key(self, mailbox: str, key: str) -> list[OurDraft]:
        """Messages (any folder) carrying ``key`` in draftguard's extended property: one request."""
        params = {
            "$filter": (
                f"singleValueExtendedProperties/any(ep: ep/id eq {odata_quote(KEY_PROP)} "
                f"and ep/value eq {odata_quote(key)})"
            ),
            "$select": "id,changeKey,isDraft,conversationId,createdDateTime,lastModifiedDateTime",
            "$expand": f"singleValueExtendedProperties($filter=id eq {odata_quote(KEY_PROP)})",
        }
        data = self.con.get(self._url(mailbox, "messages"), params=params).json()
        out = []
        for r in data.get("value") or []:
            if isinstance(r, dict) and isinstance(r.get("id"), str):
                out.append(OurDraft.from_graph(r, extended_value(r, KEY_PROP) or key))
        return out

    def drafts_in_conversation(self, mailbox: str, conversation_id: str) -> list[OurDraft]:
        """Our drafts in the Drafts folder for one conversation: one request."""
        params = {
            "$filter": f"conversationId eq {odata_quote(conversation_id)}",
            "$select": "id,changeKey,isDraft",
            "$expand": f"singleValueExtendedProperties($filter=id eq {odata_quote(KEY_PROP)})",
        }
        data = self.con.get(self._url(mailbox, "mailFolders/Drafts/messages"), params=params).json()
        out = []
        for r in data.get("value") or []:
            key = extended_value(r, KEY_PROP) if isinstance(r, dict) else None
            if key and r.get("isDraft", True):
                out.append(OurDraft(id=r["id"], key=key, change_key=r.get("changeKey"), conversation_id=conversation_id))
        return out

    # --- one AI draft per conversation -----------------------------------------------------
    def _kv_key(self, mailbox: str, draft_id: str) -> str:
        return f"{mailbox}/{draft_id}"[:300]

    def remember(self, mailbox: str, draft_id: str, change_key: str | None) -> None:
        """Keep the change key Graph gave the draft at creation (to tell edits later)."""
        if change_key:
            self.kv.put(self._kv_key(mailbox, draft_id), change_key)

    def is_unedited(self, mailbox: str, d: OurDraft) -> bool:
        """True when the draft's change key is still the one recorded at creation.

        Unknown drafts (no record) count as edited: they are never deleted."""
        recorded = self.kv.get(self._kv_key(mailbox, d.id))
        return bool(recorded) and recorded == d.change_key

    def _delete(self, mailbox: str, draft_id: str) -> None:
        """Delete our draft ``draft_id`` from ``mailbox`` (already gone, 404, is fine) and forget its
        recorded change key. Raises the Graph client's HTTPError for any other failure."""
        try:
            self.con.delete(self._url(mailbox, f"messages/{draft_id}"))
        except HTTPError as exc:
            if status_of(exc) != 404:
                raise
        self.kv.delete(self._kv_key(mailbox, draft_id))

    def replace_older(self, mailbox: str, older: list[OurDraft]) -> tuple[int, int]:
        """Delete our unedited older drafts, leave edited ones; returns ``(deleted, kept)``."""
        deleted = kept = 0
        for d in older:
            if not self.is_unedited(mailbox, d):
                kept += 1
                log.info("draft %s… in %s was edited by a person: left alone", d.id[:12], mailbox)
                continue
            self._delete(mailbox, d.id)
            deleted += 1
        return deleted, kept

    # --- exactly one draft per key (see connectors.outlook.duplicates) ---------------------
    def keep_one(self, mailbox: str, messages: list[OurDraft]) -> list[OurDraft]:
        """Delete the duplicates among ``messages`` (all carrying one key); returns those kept."""
        keep, extra = split_duplicates(messages, lambda i: self.kv.get(self._kv_key(mailbox, i)))
        for d in extra:
            self._delete(mailbox, d.id)
            log.warning("duplicate draft for key %s in %s deleted (a createReply completed after the client gave up); "
                        "kept %s…", d.key, mailbox, keep[0].id[:12] if keep else "?")
        if len(keep) > 1:
            log.warning("%d drafts with key %s in %s were edited by a person: all kept", len(keep), messages[0].key, mailbox)
        return keep

    def dedupe_snapshot(self, mailbox: str, drafts: list[OurDraft]) -> list[OurDraft]:
        """``drafts`` (of a conversation query) with the duplicates of any key deleted."""
        by_key: dict[str, list[OurDraft]] = {}
        for d in drafts:
            by_key.setdefault(d.key, []).append(d)
        if all(len(v) == 1 for v in by_key.values()):
            return drafts
        kept: set[str] = set()
        for group in by_key.values():
            kept |= {d.id for d in (self.keep_one(mailbox, group) if len(group) > 1 else group)}
        return [d for d in drafts if d.id in kept]

    def settle_ambiguous(self, mailbox: str, now: datetime) -> None:
        """Look up every key of a recent ambiguous create in ``mailbox`` and keep one draft each."""
        for key in self.ambiguous.watched(mailbox, now):
            found = self.find_by_key(mailbox, key)
            if len(found) > 1:
                self.keep_one(mailbox, found)

    # --- create ---------------------------------------------------------------------------
    def reply_payload(self, draft: ReplyDraft, body_html: str) -> dict:
        """The createReply request body: message with body, recipients, category, key."""
        message: dict[str, Any] = {
            "body": {"contentType": "HTML", "content": body_html},
            "categories": [self.category],
            "singleValueExtendedProperties": [{"id": KEY_PROP, "value": draft.idempotency_key}],
        }
        if draft.to:
            message["toRecipients"] = [_recipient_json(a) for a in draft.to]
        if draft.cc or not self.reply_all:
            message["ccRecipients"] = [_recipient_json(a) for a in draft.cc]
        return {"message": message}

    def create(
        self,
        mailbox: str,
        original_id: str,
        draft: ReplyDraft,
        body_html: str,
        *,
        original_unread: bool | None,
    ) -> CreatedDraft:
        """Create the reply draft (one POST), retrying as described in the module docstring.

        ``original_unread`` True restores the original's unread state after ``createReplyAll``
        (None: unknown, read it first). Raises ``requests`` errors after the last attempt."""
        action = "createReplyAll" if self.reply_all else "createReply"
        if self.reply_all and original_unread is None:
            meta = self.con.get(self._url(mailbox, f"messages/{original_id}"), params={"$select": "isRead"}).json()
            original_unread = meta.get("isRead") is False
        url = self._url(mailbox, f"messages/{original_id}/{action}")
        payload = self.reply_payload(draft, body_html)
        ambiguous = False

        def retryable(exc: BaseException) -> bool:
            nonlocal ambiguous
            if isinstance(exc, HTTPError):
                st = status_of(exc)
                if st in NOT_PROCESSED_STATUSES:
                    return True
                if st in RETRY_STATUSES:
                    ambiguous = True
                    return True
                return False
            if isinstance(exc, RequestsConnectionError | Timeout):
                ambiguous = True
                return True
            return False

        result: CreatedDraft | None = None
        for attempt in self.retry_policy.retrying(retryable, method="post", url=url):
            with attempt:
                if ambiguous:
                    found = self.keep_one(mailbox, self.find_by_key(mailbox, draft.idempotency_key))
                    if found:
                        result = CreatedDraft(id=found[0].id, created=False, change_key=found[0].change_key)
                        # made moments ago by our own timed-out request: unedited, ours
                        self.remember(mailbox, found[0].id, found[0].change_key)
                        break
                resp = self.con.post(url, data=payload, retry=False)
                data = resp.json()
                if not isinstance(data, dict) or not isinstance(data.get("id"), str):
                    raise ValueError("createReply answered without a message id")
                result = CreatedDraft(id=data["id"], created=True, change_key=data.get("changeKey"))
        assert result is not None
        if result.created:
            self.remember(mailbox, result.id, result.change_key)
        if ambiguous:
            # the request that timed out may still land after this one: watch the key for a
            # while (polls settle it) and settle what is already there
            self.ambiguous.add(mailbox, draft.idempotency_key, self.now())
            self.settle_ambiguous(mailbox, self.now())
        if self.reply_all and original_unread:
            self.con.patch(self._url(mailbox, f"messages/{original_id}"), data={"isRead": False})
        return result
