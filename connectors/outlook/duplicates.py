"""Exactly one draft per idempotency key, also after an ambiguous ``createReply``.

A ``createReply`` that times out (or whose connection breaks after the request was sent) may
still be carried out by Graph, seconds later. The retry looks the key up before posting again
(:mod:`connectors.outlook.drafts`), but when that look-up runs before the slow request has
finished, Graph ends up with two drafts carrying the same key. So:

* the key of every ambiguous failure is recorded per mailbox in ``kv_store`` (namespace
  ``outlook-drafts``, key ``ambiguous:{mailbox}``) and checked right after the create and on
  every poll of that mailbox for :data:`WATCH_SECONDS` afterwards (one ``$filter`` request
  on the extended property per recorded key);
* a conversation query that shows two drafts with one key (:mod:`connectors.outlook.thread`)
  and the look-before-create settle it too.

Which one is kept (:func:`split_duplicates`): a message a person sent or edited is never
deleted; otherwise the draft whose creation was recorded (the delivery's reference), else the
oldest. The others are deleted (moved to Deleted Items, as replaced drafts are). "Edited":
for a recorded draft its ``changeKey`` differs from the one Graph returned at creation; for a
draft whose creation answer never arrived, ``lastModifiedDateTime`` is more than
:data:`EDIT_GRACE_SECONDS` after ``createdDateTime`` (Graph sets both when createReply
creates the draft with its body in one call).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.outlook.thread import OurDraft

#: How long after an ambiguous failure each poll looks for a late duplicate (seconds).
WATCH_SECONDS = 600.0
#: A draft whose creation answer was lost counts as edited when it was modified this long after
#: it was created.
EDIT_GRACE_SECONDS = 5.0
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def is_edited(d: OurDraft, recorded_change_key: str | None) -> bool:
    """True when a person changed the draft (see the module docstring for the rule)."""
    if not d.is_draft:
        return True  # sent: certainly a person's decision
    if recorded_change_key:
        return d.change_key != recorded_change_key
    if d.created_at is None or d.modified_at is None:
        return True  # cannot tell: treat as a person's work, never delete it
    return (d.modified_at - d.created_at).total_seconds() > EDIT_GRACE_SECONDS


def split_duplicates(
    drafts: list[OurDraft], recorded: Callable[[str], str | None]
) -> tuple[list[OurDraft], list[OurDraft]]:
    """``(keep, delete)`` for messages carrying one key. ``recorded(id)`` gives the change key
    recorded when draftguard created that draft (None: creation answer never seen).

    Keeps every sent or edited message; when there is none, the recorded draft (the first one
    if several), else the oldest by ``createdDateTime`` (then id). Deletes the rest."""
    if len(drafts) <= 1:
        return list(drafts), []
    known = {d.id: recorded(d.id) for d in drafts}
    keep = [d for d in drafts if is_edited(d, known[d.id])]
    if not keep:
        mine = [d for d in drafts if known[d.id]]
        pool = mine or drafts
        keep = [min(pool, key=lambda d: (d.created_at is None, d.created_at or _EPOCH, d.id))]
    kept = {d.id for d in keep}
    return keep, [d for d in drafts if d.id not in kept]


class AmbiguousKeys:
    """Keys whose ``createReply`` failed ambiguously, per mailbox, kept in ``kv`` (a
    ``SqlKeyValueStore``) as a JSON list ``[{"key", "at"}]`` under ``ambiguous:{mailbox}``."""

    def __init__(self, kv: Any):
        self.kv = kv
        self._lock = threading.Lock()

    @staticmethod
    def _name(mailbox: str) -> str:
        return f"ambiguous:{mailbox}"[:300]

    def _load(self, mailbox: str) -> list[dict]:
        raw = self.kv.get(self._name(mailbox))
        try:
            data = json.loads(raw) if raw else []
        except ValueError:
            return []
        return [r for r in data if isinstance(r, dict) and isinstance(r.get("key"), str) and isinstance(r.get("at"), str)]

    def add(self, mailbox: str, key: str, at: datetime) -> None:
        """Record ``key`` (again: the watch restarts at ``at``, aware)."""
        with self._lock:
            rows = [r for r in self._load(mailbox) if r["key"] != key]
            rows.append({"key": key, "at": at.isoformat()})
            self.kv.put(self._name(mailbox), json.dumps(rows))

    def watched(self, mailbox: str, now: datetime) -> list[str]:
        """The keys to check now; records older than :data:`WATCH_SECONDS` are dropped."""
        with self._lock:
            rows = self._load(mailbox)
            if not rows:
                return []
            horizon = now - timedelta(seconds=WATCH_SECONDS)
            live = []
            for r in rows:
                try:
                    at = datetime.fromisoformat(r["at"])
                except ValueError:
                    continue
                if at >= horizon:
                    live.append(r)
            if len(live) != len(rows):
                if live:
                    self.kv.put(self._name(mailbox), json.dumps(live))
                else:
                    self.kv.delete(self._name(mailbox))
            return [r["key"] for r in live]
