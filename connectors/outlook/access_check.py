"""``main.py outlook check``: per mailbox, the requests poll and delivery really make, and
nothing left behind.

1. **Read** (poll): the first page of an Inbox delta round (``GET
   /users/{m}/mailFolders/Inbox/messages/delta`` with the poll's ``changeType``, ``$select``,
   ``$filter`` and ``Prefer: odata.maxpagesize=1``); no delta link is stored.
2. **Write** (delivery): a probe draft made the way delivery makes drafts:
   ``POST /users/{m}/messages/{id}/createReply`` on an Inbox message (never createReplyAll,
   which marks the original read) with draftguard's category and extended property carrying a
   throw-away probe key. With an empty Inbox there is nothing to reply to, so the probe is a
   new draft (``POST /users/{m}/mailFolders/Drafts/messages``) with the same property.
3. **Find by key** (look-before-create): ``$filter=singleValueExtendedProperties/any(...)``
   with the probe key must return the probe.
4. **Clean up**: ``POST /users/{m}/messages/{probe}/permanentDelete`` (to the mailbox's
   Recoverable Items; no folder a client shows, no trace in Deleted Items,
   https://learn.microsoft.com/graph/api/message-permanentdelete). Where Graph does not offer
   it (US Government and China clouds) the probe is deleted twice: to Deleted Items, then out
   of it (Recoverable Items again). A probe that cannot be removed is reported with its subject.

Every request goes through the connector's own connection (retries, token refresh, logging).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from requests.exceptions import HTTPError

from agent.config import OutlookSourceConfig
from connectors.outlook.auth import GraphConnection
from connectors.outlook.delta import InboxDelta
from connectors.outlook.drafts import KEY_PROP, DraftWriter
from connectors.outlook.retry import status_of

PROBE_SUBJECT = "draftguard access check (deleted at once)"
#: Answers meaning "permanentDelete is not offered here" (sovereign clouds).
NO_PERMANENT_DELETE = frozenset({400, 404, 405, 501})


@dataclass
class MailboxCheck:
    """The result for one mailbox. ``read_inbox`` (delta), ``write_drafts`` (createReply with
    the key), ``find_by_key`` ($filter on the key): True, False, or None (not tried);
    ``cleaned`` False when the probe draft could not be removed."""

    source: str
    mailbox: str
    signed_in: bool
    read_inbox: bool | None = None
    write_drafts: bool | None = None
    find_by_key: bool | None = None
    cleaned: bool = True
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.signed_in and bool(self.read_inbox) and bool(self.write_drafts) and bool(self.find_by_key) and self.cleaned

    def fail(self, what: str, exc: BaseException | str) -> None:
        text = exc if isinstance(exc, str) else _why(exc)
        self.error = (self.error + "; " if self.error else "") + f"{what}: {text}"


def _why(exc: BaseException) -> str:
    from connectors.outlook.source import _describe

    return _describe(exc)


class _NoCursors:
    """A cursor store that remembers nothing: the check never moves the poll's delta link."""

    def get(self, source: str, key: str) -> str | None:
        return None

    def set(self, source: str, key: str, value: str | None) -> None:
        return None


def check_mailboxes(cfg: OutlookSourceConfig, account: Any) -> list[MailboxCheck]:
    """Sign in once, then check each mailbox of ``cfg`` as described in the module docstring."""
    name = f"outlook:{cfg.name}"
    con: GraphConnection = account.con
    try:
        con.acquire_token()
    except Exception as exc:  # noqa: BLE001 - reported per mailbox
        return [MailboxCheck(name, m, signed_in=False, error=_why(exc)) for m in cfg.mailboxes]
    writer = DraftWriter(con, kv=None, category=cfg.category, reply_all=False, retry_policy=con.retry_policy)
    return [_check_one(cfg, con, writer, name, m) for m in cfg.mailboxes]


def _check_one(cfg: OutlookSourceConfig, con: GraphConnection, writer: DraftWriter, name: str, mailbox: str) -> MailboxCheck:
    res = MailboxCheck(name, mailbox, signed_in=True)
    delta = InboxDelta(con, source=name, mailbox=mailbox, cursors=_NoCursors(),
                       lookback=timedelta(days=cfg.lookback_days), page_size=1)
    try:
        page = delta.first_page(datetime.now(UTC) - timedelta(days=cfg.lookback_days))
        res.read_inbox = True
    except Exception as exc:  # noqa: BLE001
        res.read_inbox = False
        res.fail("read Inbox (delta)", exc)
        return res  # no access to the mailbox: nothing is written either
    base = f"{con.protocol.service_url}users/{mailbox}/"
    key = "dg-check-" + secrets.token_hex(12)
    message = {
        "subject": PROBE_SUBJECT,
        "body": {"contentType": "HTML", "content": "<p>draftguard checked that it can place reply drafts here.</p>"},
        "categories": [cfg.category],
        "singleValueExtendedProperties": [{"id": KEY_PROP, "value": key}],
    }
    try:
        original = _reply_target(con, base, page)
        if original:
            message.pop("subject")  # a reply keeps Graph's own "RE:" subject
            probe = con.post(f"{base}messages/{original}/createReply", data={"message": message}).json()
        else:
            probe = con.post(f"{base}mailFolders/Drafts/messages", data={**message, "toRecipients": []}).json()
        probe_id = probe["id"]
        res.write_drafts = True
    except Exception as exc:  # noqa: BLE001
        res.write_drafts = False
        res.fail("write Drafts (createReply)", exc)
        return res
    try:
        res.find_by_key = [d.id for d in writer.find_by_key(mailbox, key)] == [probe_id]
        if not res.find_by_key:
            res.fail("find by key", "the $filter on draftguard's extended property did not return the probe draft")
    except Exception as exc:  # noqa: BLE001
        res.find_by_key = False
        res.fail("find by key", exc)
    try:
        _purge(con, f"{base}messages/{probe_id}")
    except Exception as exc:  # noqa: BLE001
        res.cleaned = False
        res.fail("remove the probe", f"{_why(exc)}; delete the draft '{PROBE_SUBJECT}' by hand")
    return res


def _reply_target(con: GraphConnection, base: str, page: dict) -> str | None:
    """The id of a received Inbox message to reply to (from the delta page, else the newest)."""
    for item in page.get("value") or []:
        if isinstance(item, dict) and isinstance(item.get("id"), str) and item.get("isDraft") is False:
            return item["id"]
    data = con.get(f"{base}mailFolders/Inbox/messages", params={"$top": "1", "$select": "id,isDraft"}).json()
    for item in data.get("value") or []:
        if isinstance(item, dict) and isinstance(item.get("id"), str) and item.get("isDraft") is False:
            return item["id"]
    return None


def _purge(con: GraphConnection, url: str) -> None:
    """Delete permanently; without ``permanentDelete``, delete twice (Deleted Items, then out)."""
    try:
        con.post(f"{url}/permanentDelete")
        return
    except HTTPError as exc:
        if status_of(exc) not in NO_PERMANENT_DELETE:
            raise
    con.delete(url)
    con.delete(url)


__all__ = ["MailboxCheck", "check_mailboxes"]
