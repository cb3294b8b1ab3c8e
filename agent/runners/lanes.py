"""Conversation lanes: one item of a conversation in progress at a time, in arrival order.

Two messages of one thread must not be analysed and delivered at once: the second answers a
thread the first may still be drafting into, and connectors keep one AI draft per
conversation (Outlook, Maildir remove our older draft of the thread). The key is
:attr:`agent.flow.ItemRun.conversation` (Graph ``conversationId``, Salesforce case id, the root of
``References`` for mail). Two runs of one item (a file seen twice in one poll) share the lane of
the first, so an item is never in progress twice either.
"""

from __future__ import annotations

import threading
from collections import deque

from agent.flow import ItemRun


class Lanes:
    """FIFO per conversation key; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[str, deque[ItemRun]] = {}  # key -> runs waiting behind the one in progress
        self._item_lane: dict[int, list] = {}  # item id -> [lane key, runs of it in the lanes]
        self._lane_of: dict[int, str] = {}  # id(run) -> its lane key

    def enter(self, run: ItemRun) -> ItemRun | None:
        """Queue ``run`` in its lane; returns it when it may start now (its lane was idle), else
        None (it starts when :meth:`leave` hands it out)."""
        with self._lock:
            held = self._item_lane.get(run.item_id)
            key = held[0] if held else run.conversation
            if held:
                held[1] += 1
            else:
                self._item_lane[run.item_id] = [key, 1]
            self._lane_of[id(run)] = key
            if key in self._waiting:
                self._waiting[key].append(run)
                return None
            self._waiting[key] = deque()
            return run

    def leave(self, run: ItemRun) -> ItemRun | None:
        """``run`` is finished (or will not start): the next run of its lane, which may start
        now, or None when the lane is empty."""
        with self._lock:
            key = self._lane_of.pop(id(run))
            held = self._item_lane[run.item_id]
            held[1] -= 1
            if held[1] == 0:
                del self._item_lane[run.item_id]
            queue = self._waiting[key]
            if queue:
                return queue.popleft()
            del self._waiting[key]
            return None

    def __len__(self) -> int:
        """Runs in the lanes (in progress or waiting)."""
        with self._lock:
            return len(self._lane_of)
