"""The Salesforce :class:`agent.ports.Source`: unanswered inbound case emails in, draft
EmailMessages / internal CaseComments and case actions out.

poll
    One SOQL query (:func:`connectors.salesforce.soql.poll_query`) pages through the cases
    that got an inbound email, or changed themselves, since the watermark (minus the overlap
    window): a follow-up email is found by its own ``SystemModstamp`` even when its case is
    not touched. For each case the newest inbound
    ``EmailMessage`` that no outgoing email followed (``reply_to = "latest"``; every such
    email with ``"each"``) becomes an :class:`InboundMessage`: ``external_id`` = EmailMessage
    Id, ``conversation_id`` = Case Id, ``crm_fields`` = allow-listed Case fields plus the
    account and contact names, ``thread`` = earlier emails and public comments, ``link`` =
    the case's Lightning URL. The watermark cursor stores the highest change stamp (the
    case's or its newest inbound email's ``SystemModstamp``) and the (Id, stamp) pairs inside
    the overlap window, so a case is handed on once per change.
deliver
    Looks for draftguard's earlier write with the same idempotency key (in the poll's
    snapshot, or by one query after a failed/ambiguous write or in a fresh process), and
    only then creates ``EmailMessage`` (Status ``"5"`` = Draft, Incoming false, ParentId,
    ReplyToEmailMessageId) or ``CaseComment`` (IsPublished false). One AI draft per case
    (with ``reply_to = "latest"``): draftguard's older drafts / internal comments on the case
    that nobody edited (``LastModifiedDate`` = ``CreatedDate``) are deleted, edited ones kept.
apply_case_actions
    Case field updates and an owner change to a queue in one PATCH, and an optional Chatter
    ``FeedItem``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.parser import HeaderParser
from email.utils import getaddresses
from typing import Any

from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceResourceNotFound

from agent.config import SalesforceSourceConfig
from agent.errors import DeliveryError, SourceError, SourceThrottledError
from agent.mailtext import html_to_text, latest_reply
from agent.models import Address, DeliveryReceipt, InboundMessage, ReplyDraft, ThreadMessage
from agent.ports import BadItem, CursorStore, Source
from connectors.salesforce import soql
from connectors.salesforce.auth import SalesforceClient
from connectors.salesforce.errors import SalesforceLimitExceeded
from connectors.salesforce.limits import PollPause
from rules.skip import skip_headers

log = logging.getLogger(__name__)

WATERMARK_KEY = "watermark"
EMAIL_STATUS_DRAFT = "5"  # EmailMessage.Status picklist: 0 New, 1 Read, 2 Replied, 3 Sent, 4 Forwarded, 5 Draft
EMAIL_STATUS_REPLIED = "2"
COMMENT_BODY_MAX = 4000  # CaseComment.CommentBody is a 4,000-character textarea [Object Reference, CaseComment]
CURSOR_SAVE_EVERY = 50  # cases between intermediate cursor saves

_TEXT_MARKER = re.compile(r"\[draftguard:([^\]\s]+)\]")
_HTML_MARKER = re.compile(r"<!-- draftguard:(\S+) -->")


def text_marker(key: str) -> str:
    """The marker line put at the end of an internal CaseComment: ``[draftguard:KEY]``."""
    return f"[draftguard:{key}]"


def html_marker(key: str) -> str:
    """The marker put at the end of a draft's HtmlBody: an HTML comment, invisible to the customer."""
    return f"<!-- draftguard:{key} -->"


def parse_sf_datetime(value: str | None) -> datetime | None:
    """Salesforce ``"2024-05-01T10:00:00.000+0000"`` (or ISO 8601) → aware datetime; None if empty/bad."""
    if not value:
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            pass
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _children(record: dict[str, Any], rel: str) -> list[dict[str, Any]]:
    """Child records of a relationship; Salesforce sends ``null`` (not an empty list) when none."""
    value = record.get(rel)
    if not value:
        return []
    return list(value.get("records") or [])


def _path(record: dict[str, Any], dotted: str) -> Any:
    cur: Any = record
    for part in dotted.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def _addresses(value: str | None) -> list[Address]:
    """``"a@x.com; Bo <b@y.com>"`` → addresses (Salesforce separates with ``;``)."""
    if not value:
        return []
    out = []
    for name, email in getaddresses([value.replace(";", ",")]):
        if "@" in email:
            out.append(Address(name=name, email=email.strip().lower()))
    return out


def _body_text(rec: dict[str, Any]) -> str:
    text = rec.get("TextBody") or ""
    if not text.strip() and rec.get("HtmlBody"):
        text = html_to_text(rec["HtmlBody"])
    return text.strip()


def change_stamp(case: dict[str, Any]) -> str:
    """What makes a polled case new to us: the newest ``SystemModstamp`` of the case itself
    and of its inbound EmailMessages (as returned by the poll's subquery), as Salesforce wrote
    it (``"2024-05-01T10:00:00.000+0000"``); ``""`` when none is readable.

    A follow-up email moves it even when its case is not touched (module docstring of
    :mod:`connectors.salesforce.soql`)."""
    candidates = [case.get("SystemModstamp")]
    candidates += [e.get("SystemModstamp") for e in _children(case, "EmailMessages") if e.get("Incoming")]
    best, best_dt = "", None
    for raw in candidates:
        dt = parse_sf_datetime(raw)
        if dt is not None and (best_dt is None or dt > best_dt):
            best, best_dt = str(raw), dt
    return best


def _change_order(case: dict[str, Any]) -> tuple[datetime, str]:
    return parse_sf_datetime(change_stamp(case)) or datetime.min.replace(tzinfo=UTC), str(case.get("Id") or "")


def _stamp(rec: dict[str, Any]) -> datetime:
    return parse_sf_datetime(rec.get("MessageDate")) or parse_sf_datetime(rec.get("CreatedDate")) or datetime.min.replace(tzinfo=UTC)


class _Watermark:
    """The poll cursor: highest change stamp handled plus (case Id → change stamp) inside the
    overlap (:func:`change_stamp`: the case's or its newest inbound email's SystemModstamp)."""

    def __init__(self, raw: str | None, overlap: timedelta):
        self.overlap = overlap
        self.watermark: datetime | None = None
        self.seen: dict[str, str] = {}
        if raw:
            try:
                data = json.loads(raw)
                self.watermark = parse_sf_datetime(data.get("watermark"))
                self.seen = dict(data.get("seen") or {})
            except (ValueError, AttributeError):
                log.warning("unreadable Salesforce watermark cursor ignored")

    def since(self, now: datetime, initial_lookback: timedelta) -> datetime:
        if self.watermark is None:
            self.watermark = now - initial_lookback
        return self.watermark - self.overlap

    def is_seen(self, case_id: str, stamp: str) -> bool:
        return self.seen.get(case_id) == stamp

    def mark(self, case_id: str, stamp: str) -> None:
        self.seen[case_id] = stamp
        dt = parse_sf_datetime(stamp)
        if dt is not None and (self.watermark is None or dt > self.watermark):
            self.watermark = dt

    def dump(self) -> str:
        floor = (self.watermark - self.overlap) if self.watermark else None
        if floor is not None:
            self.seen = {k: v for k, v in self.seen.items() if (parse_sf_datetime(v) or floor) >= floor}
        return json.dumps(
            {"watermark": self.watermark.isoformat() if self.watermark else None, "seen": self.seen}, sort_keys=True
        )


@dataclass(frozen=True)
class OwnWrite:
    """One of draftguard's drafts (``EmailMessage``) or internal comments on a case.

    ``unedited`` is True when ``LastModifiedDate`` still equals ``CreatedDate``: nobody
    changed the record since draftguard created it (draftguard never updates one)."""

    id: str
    unedited: bool


def _own_write(rec: dict[str, Any]) -> OwnWrite:
    created, modified = rec.get("CreatedDate"), rec.get("LastModifiedDate")
    return OwnWrite(id=rec["Id"], unedited=bool(created) and parse_sf_datetime(created) == parse_sf_datetime(modified))


class SalesforceSource(Source):
    """:class:`agent.ports.Source` for one ``[[sources.salesforce]]`` entry; ``name`` is
    ``"salesforce:{cfg.name}"``. ``client`` may be injected (tests, benchmark)."""

    def __init__(self, cfg: SalesforceSourceConfig, *, client: SalesforceClient | None = None):
        self.cfg = cfg
        self.name = f"salesforce:{cfg.name}"
        self.interval_seconds = cfg.interval_seconds  # read by jobs.scheduler
        self.client = client or SalesforceClient(cfg, source_name=self.name)
        self._pause = PollPause(self.name, cfg.limit_pause_seconds)
        self._cursors: CursorStore | None = None  # the pipeline's cursor store, known from the first poll
        self._paused: tuple[datetime, str] | None = None  # (until, reason) of a pause met outside a poll
        # case Id -> {idempotency key -> our write} on the case, as seen by the last poll
        self._written: dict[str, dict[str, OwnWrite]] = {}
        # cases whose snapshot is stale (a write was attempted): look up by query instead
        self._stale: set[str] = set()
        self._queue_ids: dict[str, str] = {}
        #: our own sending address: the pipeline's skip rules never answer it
        self.own_addresses: tuple[str, ...] = (cfg.from_address.lower(),) if cfg.from_address else ()
        for f in cfg.case_fields_allow_list:
            soql.check_field(f)

    # --- poll ------------------------------------------------------------------------
    @property
    def write_object(self) -> str:
        """``"EmailMessage"`` or ``"CaseComment"`` per ``reply_mode``."""
        return "CaseComment" if self.cfg.reply_mode == "case_comment" else "EmailMessage"

    def _pages(self, query: str) -> Iterator[dict[str, Any]]:
        """Records of ``query``, one page per call, following ``nextRecordsUrl``.

        A paged child relationship of a record is completed before the next parent page is
        requested: "A queryMore() call on a parent object invalidates all child cursors in
        the previous result set" [SOAP API Developer Guide, "QueryLocator"]."""
        result = self._call(lambda sf: sf.query(query), sobject="Case", action="query")
        while True:
            records = result.get("records") or []
            for record in records:
                self._complete_children(record, "EmailMessages")
                self._complete_children(record, "CaseComments")
            yield from records
            next_url = result.get("nextRecordsUrl")
            if result.get("done", True) or not next_url:
                return
            result = self._call(
                lambda sf, u=next_url: sf.query_more(u, identifier_is_url=True), sobject="Case", action="query"
            )

    def _complete_children(self, record: dict[str, Any], rel: str) -> None:
        """Fetch the rest of a child relationship when Salesforce paged it (``done`` false)."""
        value = record.get(rel)
        while value and not value.get("done", True) and value.get("nextRecordsUrl"):
            url = value["nextRecordsUrl"]
            more = self._call(lambda sf, u=url: sf.query_more(u, identifier_is_url=True), sobject=rel, action="query")
            value["records"] = list(value.get("records") or []) + list(more.get("records") or [])
            value["done"] = more.get("done", True)
            value["nextRecordsUrl"] = more.get("nextRecordsUrl")

    # --- API limit pause ---------------------------------------------------------------
    def _active_pause(self, now: datetime | None = None) -> tuple[datetime, str] | None:
        """``(until, reason)`` of the pause in force, else None: the cursor store's once the
        source has polled, before that the pause met in this process."""
        now = now or datetime.now(UTC)
        if self._cursors is not None:
            return self._pause.active(self._cursors, now)
        if self._paused is not None and self._paused[0] <= now:
            self._paused = None
        return self._paused

    def _raise_if_paused(self, now: datetime | None = None) -> None:
        """Raise :class:`SourceThrottledError` (no request sent) while a pause is in force."""
        found = self._active_pause(now)
        if found is not None:
            until, reason = found
            raise SourceThrottledError(self.name, f"Salesforce calls paused until {until.isoformat()}: {reason}", until=until, reason=reason)

    def _call(self, fn, *, sobject: str, action: str, record_id: str | None = None, delivery: bool = False):
        """:meth:`SalesforceClient.call` unless a pause is in force; a ``REQUEST_LIMIT_EXCEEDED``
        starts one (kept in the cursor store when the source has polled in this process, in
        memory otherwise) and raises :class:`SalesforceLimitExceeded` with its ``until``."""
        self._raise_if_paused()
        try:
            return self.client.call(fn, sobject=sobject, action=action, record_id=record_id, delivery=delivery)
        except SalesforceLimitExceeded as exc:
            reason = f"REQUEST_LIMIT_EXCEEDED on {action} {sobject}" + (f" ({exc.sf_message})" if exc.sf_message else "")
            if self._cursors is not None:
                self._pause.store(self._cursors, exc.until, reason)
            else:
                self._paused = (exc.until, reason)
                log.warning("%s: %s; Salesforce calls paused until %s", self.name, reason, exc.until.isoformat())
            raise

    def poll(self, cursors: CursorStore) -> Iterator[InboundMessage | BadItem]:
        """Yield unanswered inbound emails of changed cases (see the module docstring).

        While a pause is in force (``REQUEST_LIMIT_EXCEEDED`` met earlier, or fewer than
        ``reserve_api_calls`` left) nothing is sent and :class:`SourceThrottledError` names
        the pause's end and reason, every time. Hitting the limit stores the pause and raises
        :class:`~connectors.salesforce.errors.SalesforceLimitExceeded` (a
        ``SourceThrottledError``). Other failures raise :class:`SourceError`."""
        self._cursors = cursors
        now = datetime.now(UTC)
        if self._paused is not None:  # met before the first poll (resuming a delivery): keep it
            if self._paused[0] > now and self._pause.active(cursors, now) is None:
                self._pause.store(cursors, *self._paused)
            self._paused = None
        self._raise_if_paused(now)
        usage = self.client.tracker.last
        if self.cfg.reserve_api_calls and usage is not None and usage.remaining <= self.cfg.reserve_api_calls:
            reason = f"only {usage.remaining} daily API calls left (reserve_api_calls = {self.cfg.reserve_api_calls})"
            until = self._pause.start(cursors, reason, now)
            raise SourceThrottledError(self.name, f"Salesforce calls paused until {until.isoformat()}: {reason}", until=until, reason=reason)
        state = _Watermark(cursors.get(self.name, WATERMARK_KEY), timedelta(seconds=self.cfg.overlap_seconds))
        since = state.since(now, timedelta(hours=self.cfg.initial_lookback_hours))
        query = soql.poll_query(self.cfg, since)
        handled = 0
        try:
            # All pages are read before the first item is handed on, so drafting (minutes per
            # page with a model) never sits between two page requests of one query.
            # Handled in change-stamp order, so an intermediate cursor save never moves the
            # watermark past a case not yet handed on.
            records = sorted(self._pages(query), key=_change_order)
            for record in records:
                case_id, stamp = record.get("Id"), change_stamp(record)
                if not case_id or state.is_seen(case_id, stamp):
                    continue
                yield from self._items(record)
                state.mark(case_id, stamp)
                handled += 1
                if handled % CURSOR_SAVE_EVERY == 0:
                    cursors.set(self.name, WATERMARK_KEY, state.dump())
        finally:
            cursors.set(self.name, WATERMARK_KEY, state.dump())

    def _own_keys(self, rec: dict[str, Any]) -> list[str]:
        """Idempotency keys draftguard left on a record (external-id field or markers)."""
        keys = []
        if self.cfg.idempotency_field and rec.get(self.cfg.idempotency_field):
            keys.append(str(rec[self.cfg.idempotency_field]))
        for body, rx in ((rec.get("HtmlBody"), _HTML_MARKER), (rec.get("TextBody"), _TEXT_MARKER), (rec.get("CommentBody"), _TEXT_MARKER)):
            if body:
                keys.extend(rx.findall(body))
        return keys

    def _scan(self, case: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], set[str]]:
        """Emails oldest first, comments, and the Ids of draftguard's own writes on the case.

        Refreshes the look-before-write snapshot for the case, unless a write is in doubt or
        the subquery hit its LIMIT (then an older write might not be in view)."""
        case_id = case["Id"]
        emails = _children(case, "EmailMessages")
        comments = _children(case, "CaseComments")
        email_mode = self.cfg.reply_mode == "email_draft"
        written: dict[str, OwnWrite] = {}
        own_ids: set[str] = set()
        for rec in emails if email_mode else comments:
            if email_mode and (rec.get("Incoming") or rec.get("Status") != EMAIL_STATUS_DRAFT):
                continue
            if not email_mode and rec.get("IsPublished"):
                continue
            for key in self._own_keys(rec):
                written[key] = _own_write(rec)
                own_ids.add(rec["Id"])
        complete = len(emails if email_mode else comments) <= self.cfg.thread_max_messages
        if case_id not in self._stale:
            if complete:
                self._written[case_id] = written
            else:
                self._written.pop(case_id, None)
        return sorted(emails, key=_stamp), comments, own_ids

    def _items(self, case: dict[str, Any]) -> Iterator[InboundMessage | BadItem]:
        case_id = case["Id"]
        ordered, comments, own_ids = self._scan(case)
        unanswered = []
        for i, rec in enumerate(ordered):
            if not rec.get("Incoming") or rec.get("Status") == EMAIL_STATUS_REPLIED:
                continue
            # answered = an outgoing email (sent, or a person's draft) after it; our own drafts do not count
            later_out = [o for o in ordered[i + 1 :] if not o.get("Incoming") and o["Id"] not in own_ids]
            if not later_out:
                unanswered.append(rec)
        if not unanswered:
            return
        targets = unanswered[::-1] if self.cfg.reply_to == "each" else [unanswered[-1]]
        for rec in targets:
            try:
                yield self._message(case, rec, ordered, comments, own_ids)
            except Exception as exc:  # noqa: BLE001 - one bad record never stops the poll
                log.warning("%s: EmailMessage %s unreadable: %s", self.name, rec.get("Id"), exc)
                yield BadItem(self.name, str(rec.get("Id") or case_id), f"EmailMessage {rec.get('Id')} on Case {case_id}: {exc}")

    def fetch(self, external_id: str) -> InboundMessage:
        """Re-read one inbound EmailMessage (by Id) with its case context: one query.

        Used by the pipeline to resume a delivery or deliver an approved draft; also
        refreshes the look-before-write snapshot of the case. Raises :class:`SourceError`
        when the email is gone or no longer among the case's newest messages, and
        :class:`SourceThrottledError` (with ``until``) while the org's API limit pauses us."""
        query = soql.fetch_query(self.cfg, external_id)
        result = self._call(lambda sf: sf.query(query), sobject="Case", action="query")
        for case in result.get("records") or []:
            self._complete_children(case, "EmailMessages")
            self._complete_children(case, "CaseComments")
            ordered, comments, own_ids = self._scan(case)
            for rec in ordered:
                if rec.get("Id") == external_id:
                    try:
                        return self._message(case, rec, ordered, comments, own_ids)
                    except ValueError as exc:
                        raise SourceError(self.name, f"EmailMessage {external_id}: {exc}") from exc
        raise SourceError(self.name, f"EmailMessage {external_id} not found among the newest messages of its case")

    def _message(
        self,
        case: dict[str, Any],
        rec: dict[str, Any],
        ordered: list[dict[str, Any]],
        comments: list[dict[str, Any]],
        own_ids: set[str],
    ) -> InboundMessage:
        from_address = (rec.get("FromAddress") or "").strip()
        if "@" not in from_address:
            raise ValueError("no FromAddress")
        headers_raw = rec.get("Headers") or ""
        parsed = HeaderParser().parsestr(headers_raw) if headers_raw else None
        in_reply_to = None
        references: list[str] = []
        # Only the headers the skip rules read (their one list: rules/skip.py).
        headers = skip_headers(parsed.items()) if parsed is not None else {}
        if parsed is not None:
            in_reply_to = (parsed.get("In-Reply-To") or "").strip() or None
            references = (parsed.get("References") or "").split()
        text = _body_text(rec)
        html = rec.get("HtmlBody") or None
        mine_at = _stamp(rec)
        thread: list[tuple[datetime, ThreadMessage]] = []
        for other in ordered:
            if other["Id"] == rec["Id"] or other["Id"] in own_ids or other.get("Status") == EMAIL_STATUS_DRAFT:
                continue
            at = _stamp(other)
            if at >= mine_at:
                continue
            sender = (other.get("FromAddress") or "").strip().lower()
            thread.append(
                (
                    at,
                    ThreadMessage(
                        sender=Address(name=other.get("FromName") or "", email=sender) if "@" in sender else None,
                        sent_at=at,
                        text=latest_reply(_body_text(other)),
                        from_us=not other.get("Incoming"),
                    ),
                )
            )
        for c in comments:
            at = parse_sf_datetime(c.get("CreatedDate")) or mine_at
            if not c.get("IsPublished") or at >= mine_at or not (c.get("CommentBody") or "").strip():
                continue
            thread.append((at, ThreadMessage(sender=None, sent_at=at, text=c["CommentBody"].strip(), from_us=True)))
        thread.sort(key=lambda t: t[0])
        crm: dict[str, str] = {}
        for f in self.cfg.case_fields_allow_list:
            v = _path(case, f)
            if v is not None and not isinstance(v, dict):
                crm[f] = str(v)
        for f in ("Account.Name", "Contact.Name"):
            v = _path(case, f)
            if v:
                crm[f] = str(v)
        return InboundMessage(
            source=self.name,
            external_id=rec["Id"],
            internet_message_id=(rec.get("MessageIdentifier") or "").strip() or None,
            conversation_id=case["Id"],
            in_reply_to=in_reply_to,
            references=references,
            subject=rec.get("Subject") or case.get("Subject") or "",
            sender=Address(name=rec.get("FromName") or "", email=from_address.lower()),
            to=_addresses(rec.get("ToAddress")),
            cc=_addresses(rec.get("CcAddress")),
            received_at=parse_sf_datetime(rec.get("MessageDate")) or parse_sf_datetime(rec.get("CreatedDate")),
            headers=headers,
            content_type="text/plain" if (rec.get("TextBody") or "").strip() else ("text/html" if html else "text/plain"),
            text_body=text,
            html_body=html,
            thread=[t for _, t in thread[-self.cfg.thread_max_messages :]],
            crm_fields=crm,
            link=self.case_link(case["Id"]),
            size_bytes=len((rec.get("TextBody") or "").encode()) + len((html or "").encode()),
        )

    def case_link(self, case_id: str) -> str:
        """The case's Lightning Experience URL on the org's My Domain: ``https://{domain}/lightning/r/Case/{Id}/view``."""
        return f"https://{self.cfg.domain}/lightning/r/Case/{case_id}/view"

    # --- deliver ---------------------------------------------------------------------
    def _lookup(self, sf: Salesforce, case_id: str) -> dict[str, OwnWrite]:
        """draftguard's writes on the case by query: ``{idempotency key: OwnWrite}``."""
        result = sf.query(soql.draft_lookup_query(self.cfg, case_id))
        records = list(result.get("records") or [])
        while not result.get("done", True) and result.get("nextRecordsUrl"):
            result = sf.query_more(result["nextRecordsUrl"], identifier_is_url=True)
            records.extend(result.get("records") or [])
        found: dict[str, OwnWrite] = {}
        for rec in records:
            for key in self._own_keys(rec):
                found.setdefault(key, _own_write(rec))
        return found

    def _replace_older(self, case_id: str, key: str, writes: dict[str, OwnWrite]) -> tuple[int, int]:
        """One AI draft per case (Outlook's rule): delete draftguard's other drafts on the case
        that nobody edited, keep edited ones. Only with ``reply_to = "latest"``, where the item
        being delivered is the case's newest unanswered email; with ``"each"`` every email has
        its own draft by configuration. Returns ``(deleted, kept)``; a record already gone
        (404) counts as deleted. Raises what :meth:`_call` raises."""
        if self.cfg.reply_to != "latest":
            return 0, 0
        deleted = kept = 0
        for other_key, w in list(writes.items()):
            if other_key == key:
                continue
            if not w.unedited:
                kept += 1
                log.info("%s: %s %s on Case %s was edited by a person: left alone", self.name, self.write_object, w.id, case_id)
                continue

            def remove(sf: Salesforce, rec_id: str = w.id) -> None:
                try:
                    getattr(sf, self.write_object).delete(rec_id)
                except SalesforceResourceNotFound:
                    pass  # already gone (ENTITY_IS_DELETED / NOT_FOUND)

            self._call(remove, sobject=self.write_object, action="delete", record_id=w.id, delivery=True)
            writes.pop(other_key, None)
            deleted += 1
        if deleted or kept:
            log.info("%s: Case %s: %d superseded draft(s) removed, %d edited kept", self.name, case_id, deleted, kept)
        return deleted, kept

    def _payload(self, message: InboundMessage, draft: ReplyDraft) -> dict[str, Any]:
        key = draft.idempotency_key
        if self.cfg.reply_mode == "case_comment":
            marker = text_marker(key)
            body = f"{draft.text.rstrip()}\n\n{marker}"
            if len(body) > COMMENT_BODY_MAX:
                raise DeliveryError(
                    f"{self.name} CaseComment",
                    f"CaseComment field CommentBody: draft is {len(body)} characters, Salesforce allows {COMMENT_BODY_MAX}",
                )
            return {"ParentId": message.conversation_id, "CommentBody": body, "IsPublished": False}
        to = draft.to or [message.sender]
        payload: dict[str, Any] = {
            "ParentId": message.conversation_id,
            "Status": EMAIL_STATUS_DRAFT,
            "Incoming": False,
            "Subject": draft.subject,
            "TextBody": draft.text,
            "HtmlBody": f"{draft.html}\n{html_marker(key)}",
            "ToAddress": "; ".join(a.email for a in to),
            "ReplyToEmailMessageId": message.external_id,
        }
        if draft.cc:
            payload["CcAddress"] = "; ".join(a.email for a in draft.cc)
        if self.cfg.from_address:
            payload["FromAddress"] = self.cfg.from_address
        if self.cfg.idempotency_field:
            payload[self.cfg.idempotency_field] = key
        return payload

    def deliver(self, message: InboundMessage, draft: ReplyDraft) -> DeliveryReceipt:
        """Place the draft on the case (never sends); idempotent on ``draft.idempotency_key``.

        Returns ``DeliveryReceipt(target="salesforce:NAME:EmailMessage", ref=record Id,
        created=False when the key was already there)``. Raises :class:`DeliveryError`
        (``SalesforceFieldError`` for a field/validation error: not transient), and
        :class:`SourceThrottledError` (``SalesforceLimitExceeded``, with ``until``) when the
        org's API limit is hit or a pause is in force: nothing was written, the item stays
        pending."""
        case_id = message.conversation_id
        if not case_id:
            raise DeliveryError(self.name, f"item {message.external_id} has no Case Id")
        key = draft.idempotency_key
        obj = self.write_object
        payload = self._payload(message, draft)

        writes: dict[str, OwnWrite] = {}

        def look_then_write(sf: Salesforce) -> tuple[str, bool]:
            nonlocal writes
            if case_id in self._written and case_id not in self._stale:
                writes = dict(self._written[case_id])
            else:
                writes = self._lookup(sf, case_id)
            existing = writes.get(key)
            if existing:
                return existing.id, False
            self._stale.add(case_id)  # from here on the snapshot may be wrong: a retry must query
            result = getattr(sf, obj).create(payload)
            return str(result["id"]), True

        ref, created = self._call(look_then_write, sobject=obj, action="create", record_id=case_id, delivery=True)
        writes[key] = OwnWrite(id=ref, unedited=True)
        self._written[case_id] = writes
        self._stale.discard(case_id)
        if not created:
            log.info("%s: %s %s already holds key %s; not writing again", self.name, obj, ref, key)
        self._replace_older(case_id, key, writes)
        return DeliveryReceipt(target=f"{self.name}:{obj}", ref=ref, created=created)

    # --- case actions ----------------------------------------------------------------
    def _queue_id(self, developer_name: str) -> str:
        if developer_name not in self._queue_ids:
            result = self._call(lambda sf: sf.query(soql.queue_query(developer_name)), sobject="Group", action="query", delivery=True)
            records = result.get("records") or []
            if not records:
                raise DeliveryError(f"{self.name} Group", f"no queue with DeveloperName {developer_name!r}")
            self._queue_ids[developer_name] = records[0]["Id"]
        return self._queue_ids[developer_name]

    @staticmethod
    def _coerce(value: str) -> Any:
        low = value.strip().lower()
        if low in ("true", "false"):
            return low == "true"
        if low in ("", "null"):
            return None
        return value

    def apply_case_actions(self, message: InboundMessage, actions: dict[str, str]) -> list[str]:
        """Apply routing case actions to the item's case; returns what was done (short, no bodies).

        Keys: ``owner_queue`` = queue DeveloperName (OwnerId := that queue's Group Id);
        ``chatter_post`` = text of a Chatter ``FeedItem`` on the case (posted once per item);
        any other key = a Case field API name set to the value (``"true"``/``"false"`` become
        booleans, ``""`` clears). Field updates and the owner change go in one PATCH.
        Raises :class:`DeliveryError` (``SalesforceFieldError`` names object, field, message),
        and :class:`SourceThrottledError` (with ``until``) on the org's API limit."""
        case_id = message.conversation_id
        if not case_id or not actions:
            return []
        done: list[str] = []
        updates: dict[str, Any] = {}
        chatter: str | None = None
        for k, v in actions.items():
            if k == "owner_queue":
                updates["OwnerId"] = self._queue_id(v)
                done.append(f"Case.OwnerId=queue:{v}")
            elif k == "chatter_post":
                chatter = v
            else:
                try:
                    soql.check_field(k)
                except ValueError as exc:
                    raise DeliveryError(f"{self.name} Case", f"case action {k!r}: {exc}") from exc
                updates[k] = self._coerce(v)
                done.append(f"Case.{k}={v[:80]}")
        if updates:
            self._call(lambda sf: sf.Case.update(case_id, updates), sobject="Case", action="update", record_id=case_id, delivery=True)
        if chatter:
            marker = text_marker(f"escalation:{message.external_id}")

            def post(sf: Salesforce) -> tuple[str, bool]:
                for rec in sf.query(soql.feed_lookup_query(case_id)).get("records") or []:
                    if marker in (rec.get("Body") or ""):
                        return rec["Id"], False
                res = sf.FeedItem.create({"ParentId": case_id, "Body": f"{chatter}\n{marker}", "Type": "TextPost"})
                return str(res["id"]), True

            feed_id, created = self._call(post, sobject="FeedItem", action="create", record_id=case_id, delivery=True)
            done.append(f"FeedItem:{feed_id}" + ("" if created else " (existing)"))
        return done

    def close(self) -> None:
        """Close the HTTP session."""
        self.client.close()


__all__ = ["SalesforceSource", "html_marker", "parse_sf_datetime", "text_marker"]
