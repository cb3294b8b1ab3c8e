"""The Outlook :class:`agent.ports.Source`: Microsoft 365 mailboxes in, reply drafts out.

One source per ``[[sources.outlook]]`` entry; it serves every mailbox in the entry with one
Graph connection and one token. Per poll and mailbox:

1. the Inbox delta (:mod:`connectors.outlook.delta`), page by page;
2. change events and ``@removed`` entries dropped; unreadable messages yielded as
   :class:`agent.ports.BadItem` (quarantined by the pipeline, never lost);
3. skipped here, never yielded: drafts, messages sent by the mailbox itself, and messages
   whose conversation already has a newer message from us (Sent Items, our addresses and
   domains);
4. thread context for replies (:mod:`connectors.outlook.thread`), up to ``max_concurrency``
   conversation queries in parallel (the connection never has more than that in flight per
   mailbox);
5. the page's delta link stored once its items were consumed.

A mailbox that fails (access denied, a broken answer) is reported in one
:class:`agent.errors.SourceError` (transient) raised after the other mailboxes were polled, and
skipped with exponential backoff (``interval_seconds`` doubling, capped at
``mailbox_backoff_max_seconds``) until it answers again. A mailbox Graph throttles past the
retry budget (429, or 503 with ``Retry-After``) is skipped until its ``Retry-After`` and the
poll ends with :class:`agent.errors.SourceThrottledError` (the pipeline pauses the source);
delivery and re-reads raise the same error, so a throttled item stays pending instead of
being quarantined.

External ids are ``"{mailbox}/{immutable Graph id}"``.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from requests.exceptions import HTTPError, RequestException

from agent.config import OrganisationConfig, OutlookSourceConfig
from agent.errors import BadInputError, DeliveryError, DraftguardError, SourceError, SourceThrottledError
from agent.models import DeliveryReceipt, InboundMessage, ReplyDraft
from agent.ports import BadItem, CursorStore, Source
from connectors.outlook.auth import GraphConnection, build_account
from connectors.outlook.delta import InboxDelta
from connectors.outlook.drafts import KEY_PROP, DraftWriter, OurDraft, compose_reply_html
from connectors.outlook.messages import (
    is_change_event,
    is_conversation_root,
    split_external_id,
    to_inbound,
)
from connectors.outlook.retry import RETRY_STATUSES, RetryPolicy, redact_urls, status_of, throttled_until
from connectors.outlook.thread import ThreadSnapshot, fetch_thread, sent_conversations_since
from rules.skip import SKIP_HEADER_NAMES

log = logging.getLogger(__name__)

#: A thread snapshot taken while polling stands in for the look-before-create query for at most
#: this long (seconds); older ones are re-checked with the extended-property filter.
SNAPSHOT_MAX_AGE_SECONDS = 300.0
MAX_REMEMBERED = 10_000
TOKEN_NAMESPACE = "outlook-token"
DRAFTS_NAMESPACE = "outlook-drafts"


@dataclass
class _Meta:
    """What poll learnt about a message that deliver needs (not in :class:`InboundMessage`)."""

    is_read: bool | None
    root: bool | None
    snapshot: ThreadSnapshot | None


@dataclass
class MailboxHealth:
    """Consecutive failures of one mailbox and when it may be polled again (monotonic seconds)."""

    failures: int = 0
    next_attempt: float = 0.0
    last_error: str = ""

    def blocked(self, now: float) -> bool:
        return now < self.next_attempt

    def failed(self, now: float, error: str, base: float, cap: float) -> float:
        self.failures += 1
        self.last_error = error
        delay = min(cap, base * (2 ** (self.failures - 1)))
        self.next_attempt = now + delay
        return delay

    def paused(self, now: float, error: str, seconds: float) -> float:
        """Throttled: no attempt for ``seconds`` (the server's Retry-After); returns the delay."""
        self.last_error = error
        delay = max(0.0, seconds)
        self.next_attempt = now + delay
        return delay

    def ok(self) -> None:
        self.failures = 0
        self.next_attempt = 0.0
        self.last_error = ""


class OutlookSource(Source):
    """:class:`agent.ports.Source` over Microsoft Graph for the mailboxes of one config entry.

    ``kv_factory(namespace)`` returns a key-value store (``SqlKeyValueStore``); the msal token
    cache and the draft change keys live there. ``account`` may be injected (tests). ``limits``
    (a :class:`connectors.limits.LimitsBackend`) counts Graph requests in flight per mailbox
    (default: the process-wide in-memory backend)."""

    def __init__(
        self,
        cfg: OutlookSourceConfig,
        *,
        kv_factory: Callable[[str], Any],
        organisation: OrganisationConfig | None = None,
        max_body_bytes: int = 1_000_000,
        account: Any = None,
        retry_policy: RetryPolicy | None = None,
        limits: Any = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.cfg = cfg
        self.config = cfg  # the scheduler reads config.interval_seconds
        self.name = f"outlook:{cfg.name}"
        self.organisation = organisation or OrganisationConfig()
        self.max_body_bytes = max_body_bytes
        self.retry_policy = retry_policy or RetryPolicy(
            max_attempts=cfg.retry_max_attempts, max_wait_seconds=cfg.retry_max_wait_seconds
        )
        self.account = account or build_account(cfg, kv_factory(TOKEN_NAMESPACE), retry_policy=self.retry_policy, limits=limits)
        self.con: GraphConnection = self.account.con
        self.writer = DraftWriter(
            self.con,
            kv=kv_factory(DRAFTS_NAMESPACE),
            category=cfg.category,
            reply_all=cfg.reply_all,
            retry_policy=self.retry_policy,
            now=now,
        )
        self.clock = clock
        self.now = now
        self.keep_headers = SKIP_HEADER_NAMES  # the skip rules' one list (rules/skip.py)
        self.health: dict[str, MailboxHealth] = {m: MailboxHealth() for m in cfg.mailboxes}
        self._meta: OrderedDict[str, _Meta] = OrderedDict()
        self._attempted: set[str] = set()
        #: (mailbox, conversation id) → clock time of our last draft there (snapshots older
        #: than that no longer show every draft of ours in the conversation)
        self._conv_writes: dict[tuple[str, str], float] = {}
        self._ours = {a.lower() for a in self.organisation.own_addresses} | set(cfg.mailboxes)
        self._our_domains = {d.lower().lstrip("@") for d in self.organisation.domains}
        #: Read by the pipeline: our addresses (never a reply recipient) and reply-all mode.
        self.own_addresses = tuple(sorted(self._ours))
        self.reply_all = cfg.reply_all
        self.stats = {"yielded": 0, "bad": 0, "skipped": 0, "thread_queries": 0, "header_queries": 0}

    # --- poll -----------------------------------------------------------------------------
    def poll(self, cursors: CursorStore) -> Iterator[InboundMessage | BadItem]:
        """New client messages of every mailbox (see the module docstring).

        Raises, at the end, when one or more mailboxes failed: :class:`SourceThrottledError`
        when Graph throttled one past the retry budget (``until`` = the earliest end of a
        throttled mailbox's pause; that mailbox is not asked again before its own end), else
        :class:`SourceError` (transient)."""
        failures: list[str] = []
        paused: list[datetime] = []
        for mailbox in self.cfg.mailboxes:
            h = self.health[mailbox]
            now = self.clock()
            if h.blocked(now):
                log.info("%s: %s backing off for %.0fs after %d failures (%s)", self.name, mailbox,
                         h.next_attempt - now, h.failures, h.last_error)
                continue
            try:
                yield from self._poll_mailbox(mailbox, cursors)
            except Exception as exc:  # noqa: BLE001 - one mailbox never stops the others
                if not isinstance(exc, DraftguardError | RequestException | ValueError):
                    log.exception("%s: unexpected error polling %s", self.name, mailbox)
                problem = _describe(exc)
                until = self._throttled_until(exc)
                if until is not None:
                    delay = h.paused(self.clock(), problem, (until - self.now()).total_seconds())
                    paused.append(until)
                    failures.append(f"{mailbox}: throttled ({problem}), paused until {until.isoformat()}")
                else:
                    delay = h.failed(self.clock(), problem, float(self.cfg.interval_seconds), self.cfg.mailbox_backoff_max_seconds)
                    failures.append(f"{mailbox}: {problem} (failure {h.failures}, next try in {delay:.0f}s)")
                log.warning("%s: mailbox %s failed (%s); next try in %.0fs", self.name, mailbox, problem, delay)
            else:
                h.ok()
        if paused:
            raise SourceThrottledError(self.name, "; ".join(failures), until=min(paused))
        if failures:
            raise SourceError(self.name, "; ".join(failures), transient=True)

    def _throttled_until(self, exc: BaseException) -> datetime | None:
        """The end of the pause when ``exc`` is Graph throttling past the retry budget (see
        :func:`connectors.outlook.retry.throttled_until`; no Retry-After: ``retry_max_wait_seconds``)."""
        return throttled_until(exc, now=self.now(), fallback_seconds=self.cfg.retry_max_wait_seconds)

    def _throttled(self, mailbox: str, what: str, exc: BaseException) -> SourceThrottledError | None:
        until = self._throttled_until(exc)
        if until is None:
            return None
        return SourceThrottledError(self.name, f"{mailbox}: {what}: Graph throttled the request ({_describe(exc)}); "
                                               f"paused until {until.isoformat()}", until=until)

    def _own(self, mailbox: str, email: str) -> bool:
        return email == mailbox or email in {a.lower() for a in self.organisation.own_addresses}

    def _poll_mailbox(self, mailbox: str, cursors: CursorStore) -> Iterator[InboundMessage | BadItem]:
        delta = InboxDelta(
            self.con,
            source=self.name,
            mailbox=mailbox,
            cursors=cursors,
            lookback=timedelta(days=self.cfg.lookback_days),
            page_size=self.cfg.page_size,
            now=self.now,
        )
        self.writer.settle_ambiguous(mailbox, self.now())  # a createReply that landed after a timeout
        sent_index: dict[str, datetime] | None = None
        sent_since: datetime | None = None
        for page in delta.pages():
            newest: datetime | None = None
            parsed: list[tuple[dict, InboundMessage]] = []
            for raw in page.items:
                if is_change_event(raw):
                    continue
                try:
                    msg = to_inbound(raw, source=self.name, mailbox=mailbox, keep_headers=self.keep_headers,
                                     max_body_bytes=self.max_body_bytes)
                except BadInputError as exc:
                    gid = raw.get("id") if isinstance(raw.get("id"), str) else None
                    ext = f"{mailbox}/{gid}" if gid else f"{mailbox}/unidentified-{_digest(raw)}"
                    self.stats["bad"] += 1
                    yield BadItem(source=self.name, external_id=ext, error=str(exc))
                    continue
                if newest is None or (msg.received_at and msg.received_at > newest):
                    newest = msg.received_at
                if raw.get("isDraft") is True:
                    self._skip(msg, "draft")
                    continue
                if self._own(mailbox, msg.sender.email):
                    self._skip(msg, "sent by the mailbox itself")
                    continue
                parsed.append((raw, msg))
            if parsed:
                earliest = min(m.received_at for _, m in parsed if m.received_at)
                if sent_index is None or (sent_since and earliest < sent_since):
                    sent_since = earliest
                    sent_index = sent_conversations_since(self.con, mailbox=mailbox, since=earliest)
                snaps = self._snapshots(mailbox, parsed)
                for snap in snaps.values():  # two drafts with one key: keep exactly one
                    snap.our_drafts = self.writer.dedupe_snapshot(mailbox, snap.our_drafts)
                for raw, msg in parsed:
                    out = self._finish(mailbox, raw, msg, snaps.get(msg.conversation_id or ""), sent_index or {})
                    if out is not None:
                        self.stats["yielded"] += 1
                        yield out
            delta.commit(page, newest)

    def _skip(self, msg: InboundMessage, why: str) -> None:
        self.stats["skipped"] += 1
        log.info("%s: %s… skipped: %s", self.name, msg.external_id[:40], why)

    def _snapshots(self, mailbox: str, parsed: list[tuple[dict, InboundMessage]]) -> dict[str, ThreadSnapshot]:
        """Thread snapshots for the conversations of replies on this page (parallel, bounded)."""
        wanted: dict[str, tuple[str, datetime | None]] = {}
        for raw, msg in parsed:
            if msg.conversation_id and is_conversation_root(raw) is not True:
                wanted.setdefault(msg.conversation_id, (raw["id"], msg.received_at))
        if not wanted:
            return {}

        def one(cid: str) -> tuple[str, ThreadSnapshot]:
            self.stats["thread_queries"] += 1
            return cid, fetch_thread(
                self.con, mailbox=mailbox, conversation_id=cid, ours=self._ours, our_domains=self._our_domains, key_prop=KEY_PROP, clock=self.clock,
            )

        if len(wanted) == 1:
            return dict([one(next(iter(wanted)))])
        with ThreadPoolExecutor(max_workers=self.cfg.max_concurrency, thread_name_prefix="graph-thread") as pool:
            return dict(pool.map(one, list(wanted)))

    def _finish(
        self, mailbox: str, raw: dict, msg: InboundMessage, snap: ThreadSnapshot | None, sent_index: dict[str, datetime]
    ) -> InboundMessage | None:
        cid = msg.conversation_id or ""
        newest_us = max(
            [t for t in (sent_index.get(cid), snap.newest_from_us if snap else None) if t is not None],
            default=None,
        )
        if newest_us is not None and msg.received_at is not None and newest_us > msg.received_at:
            self._skip(msg, "the thread has a newer reply from us")
            return None
        if snap is not None:
            msg.thread = [
                t.model_copy()
                for tid, t in snap.messages
                if tid != raw["id"] and (t.sent_at is None or msg.received_at is None or t.sent_at < msg.received_at)
            ]
        if "internetMessageHeaders" not in raw:
            msg.headers = self._fetch_headers(mailbox, raw["id"])
        self._remember(msg.external_id, _Meta(is_read=raw.get("isRead"), root=is_conversation_root(raw), snapshot=snap))
        return msg

    def _fetch_headers(self, mailbox: str, gid: str) -> dict[str, str]:
        """``internetMessageHeaders`` of one message, when the delta page left them out."""
        from connectors.outlook.messages import headers_of

        self.stats["header_queries"] += 1
        url = f"{self.con.protocol.service_url}users/{mailbox}/messages/{gid}"
        data = self.con.get(url, params={"$select": "internetMessageHeaders"}).json()
        return headers_of(data, self.keep_headers, gid)

    def _remember(self, external_id: str, meta: _Meta) -> None:
        self._meta[external_id] = meta
        self._meta.move_to_end(external_id)
        while len(self._meta) > MAX_REMEMBERED:
            self._meta.popitem(last=False)

    def fetch(self, external_id: str) -> InboundMessage:
        """Re-read one message by its external id (one request; no thread context).

        Used by the pipeline to resume an interrupted delivery. Raises :class:`SourceThrottledError`
        when Graph throttles past the retry budget, else :class:`SourceError`: not transient when
        the message is gone (404) or unreadable, transient otherwise."""
        from connectors.outlook.messages import MESSAGE_FIELDS

        try:
            mailbox, gid = split_external_id(external_id)
        except ValueError as exc:
            raise SourceError(self.name, str(exc)) from exc
        url = f"{self.con.protocol.service_url}users/{mailbox}/messages/{gid}"
        try:
            raw = self.con.get(url, params={"$select": ",".join(MESSAGE_FIELDS)}).json()
            msg = to_inbound(raw, source=self.name, mailbox=mailbox, keep_headers=self.keep_headers,
                             max_body_bytes=self.max_body_bytes)
        except HTTPError as exc:
            st = status_of(exc)
            throttled = self._throttled(mailbox, "cannot re-read message", exc)
            if throttled is not None:
                raise throttled from exc
            raise SourceError(self.name, f"{mailbox}: cannot re-read message: {_describe(exc)}",
                              transient=st not in (400, 403, 404)) from exc
        except RequestException as exc:
            raise SourceError(self.name, f"{mailbox}: cannot re-read message: {_describe(exc)}", transient=True) from exc
        except BadInputError as exc:
            raise SourceError(self.name, str(exc)) from exc
        self._remember(msg.external_id, _Meta(is_read=raw.get("isRead"), root=is_conversation_root(raw), snapshot=None))
        return msg

    def track_outcomes(self, session_factory, *, limit: int = 200) -> dict[str, int]:
        """Check what became of this source's drafts (see :mod:`connectors.outlook.outcomes`)."""
        from connectors.outlook.outcomes import OutcomeTracker

        return OutcomeTracker(self, session_factory, now=self.now).run(limit=limit)

    # --- deliver --------------------------------------------------------------------------
    def deliver(self, message: InboundMessage, draft: ReplyDraft) -> DeliveryReceipt:
        """Place the reply draft in the mailbox's Drafts folder, once per idempotency key.

        Returns ``created=False`` when a draft with the key already exists. Raises
        :class:`SourceThrottledError` when Graph throttles past the retry budget (the pipeline
        pauses the source and keeps the item pending), else :class:`DeliveryError` (transient
        for 5xx and network faults)."""
        try:
            mailbox, gid = split_external_id(message.external_id)
        except ValueError as exc:
            raise DeliveryError(self.name, str(exc)) from exc
        target = f"outlook:{mailbox}:Drafts"
        if mailbox not in self.cfg.mailboxes:
            raise DeliveryError(target, f"mailbox {mailbox} is not configured for {self.name}")
        key = draft.idempotency_key
        meta = self._meta.get(message.external_id)
        snap = meta.snapshot if meta else None
        conv = (mailbox, message.conversation_id or "")
        fresh = snap is not None and key not in self._attempted and self.clock() - snap.taken_at <= SNAPSHOT_MAX_AGE_SECONDS
        try:
            older: list[OurDraft] | None
            if fresh:
                assert snap is not None
                existing = [d for d in snap.our_drafts if d.key == key]
                # we wrote in this conversation after the snapshot: ask Graph for the current drafts
                stale = self._conv_writes.get(conv, -1.0) >= snap.taken_at
                older = None if stale else [d for d in snap.our_drafts if d.key != key]
            else:
                existing = self.writer.find_by_key(mailbox, key)
                if len(existing) > 1:
                    existing = self.writer.keep_one(mailbox, existing)
                older = None
            if existing:
                log.info("%s: draft for key %s already exists (%s…)", self.name, key, existing[0].id[:12])
                return DeliveryReceipt(target=target, ref=existing[0].id, created=False)
            if older is None:
                root = meta.root if meta else None
                older = (
                    self.writer.drafts_in_conversation(mailbox, message.conversation_id)
                    if message.conversation_id and root is not True
                    else []
                )
            older = [d for d in older if d.key != key]
            if older:
                deleted, kept = self.writer.replace_older(mailbox, older)
                log.info("%s: %d older draft(s) replaced, %d edited left alone", self.name, deleted, kept)
            body = compose_reply_html(draft, message, signature=self.organisation.signature)
            self._attempted.add(key)
            created = self.writer.create(
                mailbox, gid, draft, body, original_unread=(meta.is_read is False) if meta and meta.is_read is not None else None
            )
            self._conv_writes[conv] = self.clock()
        except HTTPError as exc:
            throttled = self._throttled(mailbox, "draft not placed", exc)
            if throttled is not None:
                raise throttled from exc
            st = status_of(exc)
            transient = st in RETRY_STATUSES or (st is not None and st >= 500) or st == 401
            raise DeliveryError(target, _describe(exc), transient=transient) from exc
        except RequestException as exc:
            raise DeliveryError(target, _describe(exc), transient=True) from exc
        except SourceError as exc:
            raise DeliveryError(target, str(exc), transient=exc.transient) from exc
        self._meta.pop(message.external_id, None)
        return DeliveryReceipt(target=target, ref=created.id, created=created.created)

    def close(self) -> None:
        """Close the HTTP session (the connector never uses O365's unauthenticated one)."""
        if self.con.session is not None:
            self.con.session.close()


def _digest(raw: dict) -> str:
    """A stable id for a delta entry that has none (sha256 of its canonical JSON, 16 hex chars)."""
    import hashlib
    import json

    return hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _describe(exc: BaseException) -> str:
    """A short, body-free description of a Graph failure: status, Graph error code, message."""
    if isinstance(exc, HTTPError) and exc.response is not None:
        try:
            err = exc.response.json().get("error") or {}
        except ValueError:
            err = {}
        code = err.get("code", "")
        msg = str(err.get("message", ""))[:200]
        return redact_urls(f"HTTP {exc.response.status_code} {code} {msg}".strip())
    return f"{type(exc).__name__}: {redact_urls(str(exc))[:300]}"
