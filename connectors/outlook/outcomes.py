"""What became of our drafts: sent as is, edited then sent, deleted, or still waiting.

For each Outlook delivery without a final outcome (``deliveries.outcome`` NULL or
``"waiting"``, younger than ``max_age_days``) one Graph query reads the conversation's Sent
Items (``$filter=conversationId eq '…'``, sorted locally) with draftguard's extended property
expanded:

* a sent message carrying our idempotency key is our draft, sent: ``"sent"`` when its new
  text (``uniqueBody``, quote stripped) is at least :data:`UNCHANGED_SIMILARITY` similar to
  the draft we wrote, else ``"edited_sent"`` (edited, then sent);
* otherwise the draft is looked up by id (immutable ids keep it across moves): still a draft
  in a folder other than Deleted Items → ``"waiting"``; gone (404) or in Deleted Items →
  ``"deleted"``.

Similarity is ``rapidfuzz.fuzz.ratio`` / 100 on whitespace-normalised text (Indel distance
normalised to 0..1; 1.0 = identical), both texts reduced to the answer itself (quoted history
and sign-off stripped by ``mail-parser-reply``). For a deleted draft that was followed by a reply the
person wrote themselves, the similarity of that reply to ours is recorded too. Results go to
``deliveries.outcome``, ``outcome_similarity`` and ``outcome_checked_at`` with an ``outcome``
audit event (outcome and similarity only).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from rapidfuzz import fuzz
from requests.exceptions import HTTPError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from agent.mailtext import latest_reply
from connectors.outlook.drafts import KEY_PROP
from connectors.outlook.messages import body_of, odata_quote, parse_datetime
from connectors.outlook.retry import status_of
from connectors.outlook.thread import extended_value
from storage.models import Delivery, Draft, Item
from storage.repository import UnitOfWork

log = logging.getLogger(__name__)

OUTCOMES = ("sent", "edited_sent", "deleted", "waiting")
#: At or above this similarity a sent draft counts as sent unchanged (allows for Outlook's
#: whitespace and a signature line added by the person's client).
UNCHANGED_SIMILARITY = 0.95


def similarity(ours: str | None, theirs: str | None) -> float | None:
    """0..1 similarity of two texts (``rapidfuzz.fuzz.ratio`` / 100 after whitespace folding)."""
    if ours is None or theirs is None:
        return None
    a = re.sub(r"\s+", " ", ours).strip().lower()
    b = re.sub(r"\s+", " ", theirs).strip().lower()
    if not a and not b:
        return 1.0
    return round(fuzz.ratio(a, b) / 100.0, 4)


def _new_text(raw: dict) -> str:
    for field in ("uniqueBody", "body"):
        if isinstance(raw.get(field), dict):
            text, _h, _c = body_of(raw, "sent", field)
            return latest_reply(text)
    return ""


class OutcomeTracker:
    """Classifies the deliveries of one :class:`connectors.outlook.source.OutlookSource`."""

    def __init__(
        self,
        source: Any,
        session_factory: sessionmaker[Session],
        *,
        max_age_days: int = 30,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.source = source
        self.con = source.con
        self.session_factory = session_factory
        self.max_age = timedelta(days=max_age_days)
        self.now = now
        self._deleted_folder: dict[str, str | None] = {}

    def _url(self, mailbox: str, path: str) -> str:
        return f"{self.con.protocol.service_url}users/{mailbox}/{path}"

    def deleted_items_id(self, mailbox: str) -> str | None:
        """The id of the mailbox's Deleted Items folder (well-known name ``deleteditems``), cached."""
        if mailbox not in self._deleted_folder:
            try:
                data = self.con.get(self._url(mailbox, "mailFolders/deleteditems"), params={"$select": "id"}).json()
                self._deleted_folder[mailbox] = data.get("id")
            except HTTPError:
                self._deleted_folder[mailbox] = None
        return self._deleted_folder[mailbox]

    def classify(
        self, mailbox: str, conversation_id: str | None, draft_id: str, key: str, our_text: str | None,
        created_at: datetime | None,
    ) -> tuple[str, float | None]:
        """``(outcome, similarity)`` for one draft; similarity None when unknown.

        Both sides are compared after the same quote-and-signature stripping
        (:func:`agent.mailtext.latest_reply`), so only the answer itself counts."""
        our_text = latest_reply(our_text) if our_text is not None else None
        manual_reply: str | None = None
        if conversation_id:
            params = {
                "$filter": f"conversationId eq {odata_quote(conversation_id)}",
                "$select": "id,sentDateTime,uniqueBody,body",
                "$expand": f"singleValueExtendedProperties($filter=id eq {odata_quote(KEY_PROP)})",
            }
            rows = self.con.get(self._url(mailbox, "mailFolders/SentItems/messages"), params=params).json().get("value") or []
            rows = [r for r in rows if isinstance(r, dict)]
            rows.sort(key=lambda r: r.get("sentDateTime") or "")
            for r in rows:
                if extended_value(r, KEY_PROP) == key or r.get("id") == draft_id:
                    sim = similarity(our_text, _new_text(r))
                    if sim is None:
                        return "sent", None
                    return ("sent" if sim >= UNCHANGED_SIMILARITY else "edited_sent"), sim
            for r in rows:
                try:
                    sent = parse_datetime(r.get("sentDateTime"), "sentDateTime", "sent")
                except Exception:  # noqa: BLE001
                    continue
                if created_at is None or sent >= created_at:
                    manual_reply = _new_text(r)
                    break
        try:
            data = self.con.get(self._url(mailbox, f"messages/{draft_id}"), params={"$select": "id,isDraft,parentFolderId"}).json()
        except HTTPError as exc:
            if status_of(exc) == 404:
                return "deleted", similarity(our_text, manual_reply) if manual_reply is not None else None
            raise
        if data.get("parentFolderId") and data.get("parentFolderId") == self.deleted_items_id(mailbox):
            return "deleted", similarity(our_text, manual_reply) if manual_reply is not None else None
        if data.get("isDraft") is False:
            return "sent", None
        return "waiting", None

    def pending(self, limit: int) -> list[tuple[int, int]]:
        """``(delivery id, item id)`` of deliveries to check, least recently checked first."""
        since = self.now() - self.max_age
        with self.session_factory() as s:
            q = (
                select(Delivery.id, Delivery.item_id)
                .join(Item, Item.id == Delivery.item_id)
                .where(
                    Item.source == self.source.name,
                    Delivery.target.like("outlook:%"),
                    or_(Delivery.outcome.is_(None), Delivery.outcome == "waiting"),
                    Delivery.created_at >= since,
                )
                .order_by(Delivery.outcome_checked_at.is_not(None), Delivery.outcome_checked_at, Delivery.id)
                .limit(limit)
            )
            return [(d, i) for d, i in s.execute(q)]

    def run(self, limit: int = 200) -> dict[str, int]:
        """Check up to ``limit`` deliveries; returns counts per outcome (and ``"errors"``)."""
        counts = {o: 0 for o in OUTCOMES} | {"errors": 0}
        for delivery_id, _item_id in self.pending(limit):
            with UnitOfWork(self.session_factory) as uow:
                d = uow.session.get(Delivery, delivery_id)
                item = uow.session.get(Item, d.item_id)
                draft = uow.session.get(Draft, d.draft_id) if d.draft_id else None
                mailbox = d.target.split(":")[1] if d.target.count(":") >= 2 else ""
                try:
                    outcome, sim = self.classify(
                        mailbox,
                        item.thread_key,
                        d.target_ref,
                        d.idempotency_key,
                        draft.body_text if draft is not None else None,
                        _aware(d.created_at),
                    )
                except Exception as exc:  # noqa: BLE001 - one failing mailbox must not stop the job
                    counts["errors"] += 1
                    log.warning("outcome check for delivery %s failed: %s", delivery_id, exc)
                    continue
                d.outcome = outcome
                d.outcome_similarity = sim
                d.outcome_checked_at = self.now()
                uow.audit("outcome", item, {"outcome": outcome, "similarity": sim, "delivery_id": d.id})
                uow.commit()
                counts[outcome] += 1
        return counts


def _aware(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def acceptance_figures(session_factory: sessionmaker[Session], *, target_prefix: str = "outlook:") -> dict[str, Any]:
    """Acceptance of placed drafts for ``main.py status``.

    Returns counts per outcome (``unchecked`` for none yet), ``acceptance_rate`` = (sent +
    edited_sent) / decided drafts (None when nothing is decided), ``unchanged_rate`` = sent /
    decided, and ``mean_similarity`` over sent drafts."""
    with session_factory() as s:
        rows = s.execute(
            select(Delivery.outcome, func.count(), func.avg(Delivery.outcome_similarity))
            .where(Delivery.target.like(f"{target_prefix}%"))
            .group_by(Delivery.outcome)
        ).all()
    counts = {o: 0 for o in OUTCOMES} | {"unchecked": 0}
    sims: list[tuple[int, float]] = []
    for outcome, n, avg in rows:
        counts[outcome or "unchecked"] = counts.get(outcome or "unchecked", 0) + n
        if outcome in ("sent", "edited_sent") and avg is not None:
            sims.append((n, float(avg)))
    decided = counts["sent"] + counts["edited_sent"] + counts["deleted"]
    total_sim = sum(n for n, _ in sims)
    return {
        **counts,
        "acceptance_rate": round((counts["sent"] + counts["edited_sent"]) / decided, 4) if decided else None,
        "unchanged_rate": round(counts["sent"] / decided, 4) if decided else None,
        "mean_similarity": round(sum(n * a for n, a in sims) / total_sim, 4) if total_sim else None,
    }
