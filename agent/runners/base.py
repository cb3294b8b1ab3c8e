"""A run over one source, whatever schedules its items: pauses, resumes, the poll, the counts.

:class:`Runner` holds what every mode shares (``run_source``: a paused source is left alone,
items earlier runs left open are finished first, then the poll; a refusal met on the way parks
the rest of the poll as ``new``); a :class:`Batch` decides how the items it is given run —
:mod:`agent.runners.inline` one after the other in the calling thread,
:mod:`agent.runners.threaded` on bounded thread pools, conversation by conversation.
"""

from __future__ import annotations

import abc
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from agent import tracing
from agent.drafting import Drafter
from agent.errors import SourceThrottledError
from agent.flow import ItemFlow, ItemRun
from agent.pause import SourcePause
from agent.ports import BadItem, CursorStore, Source
from agent.recorder import Recorder
from agent.stages.types import PAUSED


@dataclass
class RunSummary:
    """Counts per outcome for one run over one or more sources; ``seconds`` is wall time;
    ``pauses`` are the sources paused at the end of the run, by name; ``circuit_open_drafts``
    counts items the template drafter wrote because the model's circuit breaker was open."""

    counts: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    pauses: dict[str, SourcePause] = field(default_factory=dict)
    circuit_open_drafts: int = 0

    @property
    def seen(self) -> int:
        return sum(self.counts.values())

    def add(self, outcome: str) -> None:
        self.counts[outcome] += 1

    def merge(self, other: RunSummary) -> None:
        self.counts.update(other.counts)
        self.seconds += other.seconds
        self.pauses.update(other.pauses)
        self.circuit_open_drafts += other.circuit_open_drafts

    def model_line(self) -> str | None:
        """``"model unavailable: 37 items drafted by the template drafter (circuit open)"``, or
        None when the circuit breaker kept no item from the model in this run."""
        n = self.circuit_open_drafts
        if not n:
            return None
        return f"model unavailable: {n} item{'s' if n != 1 else ''} drafted by the template drafter (circuit open)"


class Tally:
    """Counts finished items into a :class:`RunSummary` and calls ``on_item`` (in the thread that
    runs the source: a progress bar, the service's metrics and stop check). ``paused`` turns
    True at the first :data:`PAUSED` outcome. ``on_item`` may raise to stop the run."""

    def __init__(self, summary: RunSummary, on_item: Callable[[str], None] | None) -> None:
        self.summary = summary
        self.on_item = on_item
        self.paused = False

    def count(self, outcome: str) -> None:
        self.summary.add(outcome)
        if outcome == PAUSED:
            self.paused = True
        if self.on_item:
            self.on_item(outcome)


class Batch(abc.ABC):
    """The items of one run over one source, scheduled by a runner. Used by one thread (the one
    that polls); :meth:`close` is always called, with the error that ended the run if any."""

    @abc.abstractmethod
    def submit(self, run: ItemRun) -> None:
        """Schedule ``run``; its outcome is counted on the :class:`Tally` when it finishes (at
        once, or at a later :meth:`submit` / :meth:`settle`). Raises a fatal error an earlier
        item met (storage full, a crash)."""

    @abc.abstractmethod
    def settle(self) -> None:
        """Wait until every submitted item is finished and counted; raises a fatal error one met."""

    def close(self, error: BaseException | None) -> None:  # noqa: B027 - nothing to release inline
        """Release the batch; ``error`` (the run is ending with it): stop starting items, let the
        ones in progress finish."""


class Runner(abc.ABC):
    """Runs sources through the item flow; :meth:`batch` is the scheduling mode."""

    def __init__(self, flow: ItemFlow, recorder: Recorder, *, cursors: CursorStore, drafter: Drafter) -> None:
        self.flow = flow
        self.recorder = recorder
        self.cursors = cursors
        self.drafter = drafter

    @abc.abstractmethod
    def batch(self, tally: Tally) -> Batch:
        """A new batch for one run over one source."""

    def run_source(self, source: Source, on_item: Callable[[str], None] | None = None) -> RunSummary:
        """Poll ``source`` once and process every item it yields; resumes interrupted deliveries first.

        While the source is paused nothing is sent to it and the summary carries the pause
        (``summary.pauses[source.name]``). A refusal met in this run (``SourceThrottledError``
        from the poll, a fetch, a delivery or case actions) pauses the source: the item stays
        pending and the rest of the poll is recorded as ``new`` (outcome :data:`PAUSED`).
        Another poll failure (source down) is raised as SourceError after the items already
        yielded were processed; item failures never escape."""
        summary = RunSummary()
        started = time.perf_counter()
        open_before = self.drafter.circuit_open_drafts
        try:
            if self.recorder.source_pause(source.name) is None:
                with tracing.stage_span("poll", item_id=None, correlation_id=None, source=source.name):
                    self._run(source, Tally(summary, on_item))
            pause = self.recorder.source_pause(source.name)
            if pause is not None:
                summary.pauses[source.name] = pause
        finally:
            summary.seconds = time.perf_counter() - started
            summary.circuit_open_drafts = self.drafter.circuit_open_drafts - open_before
        return summary

    def _run(self, source: Source, tally: Tally) -> None:
        batch = self.batch(tally)
        error: BaseException | None = None
        try:
            resumed = self._resume(source, tally, batch)
            if tally.paused:
                return
            try:
                for entry in source.poll(self.cursors):
                    if entry.external_id in resumed:  # already counted above
                        continue
                    if isinstance(entry, BadItem):
                        tally.count(self.flow.arrive_bad(entry))
                    elif tally.paused:
                        tally.count(self.flow.park(entry))
                    else:
                        self._submit(batch, tally, self.flow.arrive(source, entry))
            except SourceThrottledError as exc:
                self.recorder.pause_source(source.name, exc)
            batch.settle()
        except BaseException as exc:
            error = exc
            raise
        finally:
            batch.close(error)

    def _resume(self, source: Source, tally: Tally, batch: Batch) -> set[str]:
        """Finish what earlier runs left open (:meth:`Recorder.pending`), before the poll: sources
        with a cursor (delta link, watermark) would never yield those items again. Returns their
        external ids (the poll skips them)."""
        resumed: set[str] = set()
        for item_id, external_id, state, correlation_id in self.recorder.pending(source.name):
            if tally.paused:
                break
            resumed.add(external_id)
            self._submit(batch, tally, self.flow.resumed(source, item_id, external_id, state, correlation_id))
        batch.settle()
        return resumed

    @staticmethod
    def _submit(batch: Batch, tally: Tally, entry: ItemRun | str) -> None:
        if isinstance(entry, str):
            tally.count(entry)
        else:
            batch.submit(entry)
