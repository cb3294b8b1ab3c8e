"""Runners: how a run's items are scheduled (inline, a thread pool; a task queue later).

:func:`runner_for` picks the runner from ``[limits] concurrency``. Every runner drives the same
item flow (:mod:`agent.flow`) and records through the same recorder (:mod:`agent.recorder`).
"""

from __future__ import annotations

from agent.runners.base import Batch, Runner, RunSummary, Tally
from agent.runners.inline import InlineRunner
from agent.runners.threaded import ThreadedRunner

__all__ = ["Batch", "InlineRunner", "RunSummary", "Runner", "Tally", "ThreadedRunner", "runner_for"]


def runner_for(concurrency: int, *args, **kwargs) -> Runner:
    """:class:`InlineRunner` for ``concurrency`` 1, else a :class:`ThreadedRunner` with that many
    items at the model at once. ``args``/``kwargs``: :class:`Runner`'s (flow, recorder, cursors,
    drafter)."""
    if concurrency <= 1:
        return InlineRunner(*args, **kwargs)
    return ThreadedRunner(*args, concurrency=concurrency, **kwargs)
