"""The Inbox message delta of one mailbox, with the delta link kept in the cursor store.

Protocol (https://learn.microsoft.com/graph/delta-query-messages and
https://learn.microsoft.com/graph/api/message-delta):

* first round: ``GET /users/{mailbox}/mailFolders/Inbox/messages/delta`` with
  ``changeType=created``, a ``$select`` of the fields we read and
  ``$filter=receivedDateTime ge {start}`` (the only filter delta supports for messages), so
  the first run reads the configured look-back, not the whole mailbox;
* ``Prefer: odata.maxpagesize=N`` sets the page size; every page but the last carries an
  absolute ``@odata.nextLink``, the last an ``@odata.deltaLink``. Both are opaque URLs that
  already encode the query options; they are followed as they are;
* the next round starts from the stored delta link and returns only what changed;
* an expired or unknown state token answers ``410 Gone`` (error code ``SyncStateNotFound`` /
  ``syncStateNotFound`` or ``resyncRequired``). The round then restarts from the stored
  high-water mark of ``receivedDateTime`` minus a small overlap: items seen before come
  back and are dropped by the pipeline's dedupe on ``(source, external_id)``, which is stable
  because every request asks for immutable ids.

Cursor keys per mailbox: ``delta:{mailbox}`` (the next URL to call: a next link while a round
is in progress, the delta link between rounds) and ``watermark:{mailbox}`` (ISO time).
A page's link is stored only after the caller has consumed every item of that page, so a
crash re-reads the page instead of losing it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from requests.exceptions import HTTPError

from agent.errors import SourceError
from agent.ports import CursorStore
from connectors.outlook.auth import GraphConnection
from connectors.outlook.messages import MESSAGE_FIELDS
from connectors.outlook.retry import note_recovery, status_of

log = logging.getLogger(__name__)

#: Re-read this much before the high-water mark after a 410 restart (clock skew between
#: Exchange servers; duplicates are dropped by the pipeline).
RESTART_OVERLAP = timedelta(minutes=10)
SYNC_RESET_CODES = frozenset({"syncstatenotfound", "resyncrequired", "syncstateinvalid"})


def iso(dt: datetime) -> str:
    """``2024-05-01T10:00:00Z``: the UTC form Graph filters accept."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class DeltaPage:
    """One page of a delta round: raw items and the link to store once they are consumed."""

    items: list[dict]
    next_url: str
    is_last: bool
    restarted: bool = False


def is_sync_reset(exc: HTTPError) -> bool:
    """True for Graph's "start over" answer: 410 Gone, or an error code naming the sync state."""
    if status_of(exc) == 410:
        return True
    try:
        code = str((exc.response.json().get("error") or {}).get("code", "")).lower()
    except (ValueError, AttributeError):
        return False
    return code in SYNC_RESET_CODES


class InboxDelta:
    """Reads one mailbox's Inbox delta. ``page_size`` is ``Prefer: odata.maxpagesize``."""

    def __init__(
        self,
        con: GraphConnection,
        *,
        source: str,
        mailbox: str,
        cursors: CursorStore,
        lookback: timedelta,
        page_size: int = 50,
        now=lambda: datetime.now(UTC),
    ):
        self.con = con
        self.source = source
        self.mailbox = mailbox
        self.cursors = cursors
        self.lookback = lookback
        self.page_size = page_size
        self.now = now

    @property
    def cursor_key(self) -> str:
        return f"delta:{self.mailbox}"

    @property
    def watermark_key(self) -> str:
        return f"watermark:{self.mailbox}"

    def initial_url(self, since: datetime) -> tuple[str, dict]:
        """URL and query for a fresh round starting at ``since``."""
        base = self.con.protocol.service_url
        url = f"{base}users/{self.mailbox}/mailFolders/Inbox/messages/delta"
        params = {
            "changeType": "created",
            "$select": ",".join(MESSAGE_FIELDS),
            "$filter": f"receivedDateTime ge {iso(since)}",
        }
        return url, params

    def window_start(self) -> datetime:
        """Where a fresh round starts: the stored high-water mark minus the overlap, or the look-back."""
        stored = self.cursors.get(self.source, self.watermark_key)
        if stored:
            try:
                return datetime.fromisoformat(stored) - RESTART_OVERLAP
            except ValueError:
                log.warning("%s %s: unreadable watermark %r ignored", self.source, self.mailbox, stored)
        return self.now() - self.lookback

    def _get(self, url: str, params: dict | None) -> dict:
        headers = {"Prefer": f"odata.maxpagesize={self.page_size}"}
        resp = self.con.get(url, params=params, headers=headers)
        try:
            data = resp.json()
        except ValueError as exc:
            raise SourceError(self.source, f"{self.mailbox}: delta page is not JSON", transient=True) from exc
        if not isinstance(data, dict) or not isinstance(data.get("value", []), list):
            raise SourceError(self.source, f"{self.mailbox}: delta page has no value list", transient=True)
        return data

    def first_page(self, since: datetime) -> dict:
        """The first page of a fresh round from ``since``, nothing stored (``outlook check``)."""
        url, params = self.initial_url(since)
        return self._get(url, params)

    def pages(self) -> Iterator[DeltaPage]:
        """Pages of the current round, following next links to the delta link.

        After consuming a page's items, call :meth:`commit` with it. A 410 on a stored link
        restarts the round once from the high-water mark; a 410 on a fresh round raises
        :class:`SourceError` (transient)."""
        stored = self.cursors.get(self.source, self.cursor_key)
        restarted = False
        if stored:
            url, params = stored, None
        else:
            url, params = self.initial_url(self.window_start())
        while True:
            try:
                data = self._get(url, params)
            except HTTPError as exc:
                if is_sync_reset(exc) and not restarted:
                    note_recovery("get", url, exc, "delta state expired: restarting the round from the watermark")
                    self.cursors.set(self.source, self.cursor_key, None)
                    url, params = self.initial_url(self.window_start())
                    restarted = True
                    continue
                raise
            items = [i for i in data.get("value", []) if isinstance(i, dict)]
            next_link = data.get("@odata.nextLink")
            delta_link = data.get("@odata.deltaLink")
            if not next_link and not delta_link:
                raise SourceError(self.source, f"{self.mailbox}: delta page without nextLink or deltaLink", transient=True)
            yield DeltaPage(items=items, next_url=next_link or delta_link, is_last=not next_link, restarted=restarted)
            if not next_link:
                return
            url, params = next_link, None

    def commit(self, page: DeltaPage, newest: datetime | None) -> None:
        """Store the page's link (and the new high-water mark) after its items were consumed."""
        if newest is not None:
            old = self.cursors.get(self.source, self.watermark_key)
            try:
                old_dt = datetime.fromisoformat(old) if old else None
            except ValueError:
                old_dt = None
            if old_dt is None or newest > old_dt:
                self.cursors.set(self.source, self.watermark_key, newest.astimezone(UTC).isoformat())
        self.cursors.set(self.source, self.cursor_key, page.next_url)
