"""Inline scheduling (``[limits] concurrency = 1``, the default): each item runs every phase in
the calling thread before the source is asked for the next one."""

from __future__ import annotations

from agent.flow import ItemRun
from agent.runners.base import Batch, Runner, Tally


class InlineBatch(Batch):
    """Runs each submitted item at once, to its end, and counts its outcome."""

    def __init__(self, runner: Runner, tally: Tally) -> None:
        self._flow = runner.flow
        self._tally = tally

    def submit(self, run: ItemRun) -> None:
        self._tally.count(self._flow.run(run))

    def settle(self) -> None:
        return None


class InlineRunner(Runner):
    """One item at a time, in the calling thread."""

    def batch(self, tally: Tally) -> Batch:
        return InlineBatch(self, tally)
