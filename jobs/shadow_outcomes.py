"""Shadow drafts against what a person actually sent (issue 15, docs/release.md).

A shadow source (``mode = "shadow"``) places nothing; its people keep answering by hand. The
outcome job (:func:`jobs.outcomes.track_outcomes`) calls :func:`score_shadow_drafts`: for each
shadow item without a final comparison, the reply a person sent to the same message is looked
up, and the shadow draft is compared with it by the measure used for placed drafts
(:func:`connectors.outlook.outcomes.similarity` on both texts reduced to the answer itself by
:func:`agent.mailtext.latest_reply`). Results are ``shadow_outcomes`` rows (``replied`` with a
similarity, or ``waiting``) and a ``shadow_outcome`` audit event per comparison (outcome and
similarity only).

Where the sent mail comes from: a Maildir source's ``sent_path`` (the mailbox's Sent Maildir,
matched by ``In-Reply-To`` / ``References``); an Outlook source's Sent Items in the item's
conversation, the first message sent after the client's (:mod:`connectors.outlook.shadow`); a
Salesforce source's case (the item's thread key), the first outbound, non-draft ``EmailMessage``
created after the client's (:mod:`connectors.salesforce.shadow`).

:func:`shadow_quality` is the one query for ``main.py status`` and the console dashboard.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from agent.config import Settings
from agent.mailtext import latest_reply
from jobs.release_stats import mean_ci, wilson
from storage.models import Draft, Item, ItemState, ShadowOutcome
from storage.repository import UnitOfWork

log = logging.getLogger("draftguard.release")

#: at or above this similarity a draft would have been sent unchanged (as for placed drafts)
UNCHANGED_SIMILARITY = 0.95


def _similarity(ours: str | None, theirs: str | None) -> float | None:
    from connectors.outlook.outcomes import similarity  # the measure of placed drafts

    return similarity(latest_reply(ours) if ours is not None else None, latest_reply(theirs) if theirs is not None else None)


def _pending(session_factory: sessionmaker[Session], name: str, since: datetime) -> list[tuple[int, str, str | None, str | None, datetime | None]]:
    """(item id, external id, Message-ID, thread key, received) of the source's shadow items not yet compared."""
    with session_factory() as s:
        done = select(ShadowOutcome.item_id).where(ShadowOutcome.outcome == "replied")
        return [
            tuple(r)
            for r in s.execute(
                select(Item.id, Item.external_id, Item.internet_message_id, Item.thread_key, Item.received_at)
                .where(Item.source == name, Item.state == ItemState.SHADOW, Item.created_at >= since, Item.id.not_in(done))
                .order_by(Item.id)
            )
        ]


def _record(session_factory: sessionmaker[Session], item_id: int, reply: tuple[str, str] | None, now: datetime, counts: dict[str, int]) -> None:
    """Write the comparison of item ``item_id``'s latest draft with ``reply`` ((ref, text) or None)."""
    with UnitOfWork(session_factory) as uow:
        draft = uow.session.execute(select(Draft).where(Draft.item_id == item_id).order_by(Draft.id.desc()).limit(1)).scalar_one_or_none()
        row = uow.session.execute(select(ShadowOutcome).where(ShadowOutcome.item_id == item_id)).scalar_one_or_none()
        if row is None:
            row = ShadowOutcome(item_id=item_id, outcome="waiting")
            uow.session.add(row)
        row.draft_id = draft.id if draft else None
        row.checked_at = now
        outcome = "waiting" if reply is None or draft is None else "replied"
        row.outcome = outcome
        if reply is not None and draft is not None:
            row.similarity = _similarity(draft.body_text, reply[1])
            row.sent_ref = reply[0][:998]
            uow.audit("shadow_outcome", uow.item(item_id), {"outcome": "replied", "similarity": row.similarity, "draft_id": draft.id})
        uow.commit()
    counts[outcome] += 1  # counted once written: a failed write counts as the source's error


def _reply_lookup(source_name: str) -> Any:
    """``sent_reply(source, external id, thread key, received)`` of the source's kind, or None
    for kinds looked up elsewhere (Maildir) or not at all."""
    kind = source_name.partition(":")[0]
    if kind == "outlook":
        from connectors.outlook.shadow import sent_reply
    elif kind == "salesforce":
        from connectors.salesforce.shadow import sent_reply
    else:
        return None
    return sent_reply


def score_shadow_drafts(
    settings: Settings, session_factory: sessionmaker[Session], *, sources: Sequence[Any] = (), max_age_days: int = 30, now: datetime | None = None
) -> dict[str, dict[str, int]]:
    """Compare every not yet compared shadow draft with the reply a person sent: of each Maildir
    source with a ``sent_path``, and of each Outlook or Salesforce source among ``sources``
    (the runtime's, whose Graph or Salesforce connection is used) in shadow mode. Returns
    ``{source name: {"replied": n, "waiting": n, "errors": n}}`` (``"errors"`` for a Maildir
    source only when it failed). An Outlook or Salesforce
    lookup that failed counts under ``"errors"`` and is tried again next time; a source whose
    scoring fails as a whole (its database reads or writes, its sent folder) is logged, keeps
    the counts it reached plus one under ``"errors"``, and the sources after it are still
    scored. Items older than ``max_age_days`` are no longer looked at. Never raises for one
    source's failure."""
    now = now or datetime.now(UTC)
    since = now - timedelta(days=max_age_days)
    out: dict[str, dict[str, int]] = {}
    jobs: list[tuple[str, dict[str, int], Callable[[dict[str, int]], bool]]] = []
    for cfg in settings.sources.maildir:
        if cfg.sent_path is not None:
            jobs.append((f"maildir:{cfg.name}", {"replied": 0, "waiting": 0}, functools.partial(_score_maildir, settings, session_factory, cfg, since, now)))
    for source in sources:
        sent_reply = _reply_lookup(source.name)
        if sent_reply is not None and settings.shadow(source.name):
            jobs.append((source.name, {"replied": 0, "waiting": 0, "errors": 0}, functools.partial(_score_source, session_factory, source, sent_reply, since, now)))
    for name, counts, run in jobs:
        try:
            if not run(counts):
                continue  # nothing pending
        except Exception as exc:  # noqa: BLE001 - one source's failure must not stop the others
            counts["errors"] = counts.get("errors", 0) + 1
            log.warning("shadow scoring of source %s failed: %s", name, type(exc).__name__)
        out[name] = counts
    return out


def _score_maildir(settings: Settings, session_factory: sessionmaker[Session], cfg: Any, since: datetime, now: datetime, counts: dict[str, int]) -> bool:
    """Score the pending items of Maildir source ``cfg`` against its sent folder into ``counts``;
    False when none is pending. Raises what the database or the folder raise."""
    from connectors.maildir.sent import read_sent, reply_to

    items = _pending(session_factory, f"maildir:{cfg.name}", since)
    if not items:
        return False
    replies = read_sent(settings.resolve(cfg.sent_path))
    for item_id, _ext, message_id, _thread, _received in items:
        found = reply_to(replies, message_id)
        _record(session_factory, item_id, (found.ref, found.text) if found else None, now, counts)
    return True


def _score_source(session_factory: sessionmaker[Session], source: Any, sent_reply: Any, since: datetime, now: datetime, counts: dict[str, int]) -> bool:
    """Score the pending items of an Outlook or Salesforce ``source`` into ``counts`` (a failed
    lookup counts under ``"errors"``); False when none is pending. Raises what the database raises."""
    items = _pending(session_factory, source.name, since)
    if not items:
        return False
    for item_id, ext, _mid, thread, received in items:
        try:
            reply = sent_reply(source, ext, thread, received)
        except Exception as exc:  # noqa: BLE001 - one failing lookup must not stop the others
            counts["errors"] += 1
            log.warning("shadow scoring of item %s failed: %s", item_id, type(exc).__name__)
            continue
        _record(session_factory, item_id, reply, now, counts)
    return True


def shadow_quality(session_factory: sessionmaker[Session], source: str | None = None) -> dict[str, dict]:
    """How good the shadow drafts would have been, per source (or only ``source``):
    ``{"items": shadow items, "replied": compared with a sent reply, "waiting": not yet,
    "similarity": mean with its 95 % bootstrap interval, "unchanged": Wilson rate of replies at
    least :data:`UNCHANGED_SIMILARITY` similar (would have been sent as written)}``. The one
    query ``main.py status`` and the console dashboard read."""
    with session_factory() as s:
        q = select(Item.source, func.count()).where(Item.state == ItemState.SHADOW).group_by(Item.source)
        if source is not None:
            q = q.where(Item.source == source)
        totals = dict(s.execute(q).all())
        q2 = select(Item.source, ShadowOutcome.outcome, ShadowOutcome.similarity).join(Item, Item.id == ShadowOutcome.item_id)
        if source is not None:
            q2 = q2.where(Item.source == source)
        rows = s.execute(q2).all()
    out: dict[str, dict] = {}
    for src in sorted(set(totals) | {r[0] for r in rows}):
        sims = [float(sim) for s_, o, sim in rows if s_ == src and o == "replied" and sim is not None]
        replied = sum(1 for s_, o, _ in rows if s_ == src and o == "replied")
        out[src] = {
            "items": totals.get(src, 0),
            "replied": replied,
            "waiting": totals.get(src, 0) - replied,
            "similarity": mean_ci(sims),
            "unchanged": wilson(sum(1 for x in sims if x >= UNCHANGED_SIMILARITY), len(sims)),
        }
    return out
