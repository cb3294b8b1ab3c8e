"""Distributed scheduling (``[distributed] enabled``): the scheduler's side of a task queue.

The process that runs ``main.py run`` is the one scheduler (the run lock allows one per
database): it polls, ingests each message (the item is recorded ``new`` with its ``ingested``
event before the source is asked for the next one, exactly as in process) and sends the item's
**id** as a task (:class:`ItemQueue`; Celery: jobs/celery_app.py). Workers (jobs/worker.py) run
the same :class:`agent.flow.ItemFlow` on it and answer with the item's outcome, which is counted
here (progress bar, summary) as the in-process runners count theirs.

Order: :class:`agent.runners.lanes.Lanes`, as in process: a conversation's next item is sent only
when the one before it has answered, so two workers never hold one conversation. At most
``max_in_flight`` items of a run are sent and unanswered at once (the poll blocks, so a large
backlog is read as fast as the workers drain it).

Tracing: each item's trace starts here (its ``item`` span, linked to the poll) with an
``enqueue`` span whose context goes in the task's headers (W3C ``traceparent``); the worker's
``worker`` span continues that trace.

A task whose worker failed with an error (storage full on the worker, a bug) is logged and not
counted: its item stays open in the database and the next run resumes it. When the run ends with
an error, items waiting in their lanes are not sent (they stay ``new``); items already sent finish
on the workers.
"""

from __future__ import annotations

import abc
import logging
import time
from collections.abc import Callable

from agent import tracing
from agent.flow import ItemRun
from agent.runners.base import Batch, Runner, Tally
from agent.runners.lanes import Lanes

log = logging.getLogger("draftguard.runner")


class TaskFailed(Exception):
    """A worker answered an item's task with an error instead of an outcome; ``error`` is the
    error's type and text as the queue reports it (never message text: the flow quarantines
    item failures itself, only fatal errors reach here)."""

    def __init__(self, error: str) -> None:
        self.error = error
        super().__init__(f"the worker failed: {error}")


class ItemQueue(abc.ABC):
    """The port to the task queue (adapter: :class:`jobs.celery_app.CeleryItemQueue`)."""

    @abc.abstractmethod
    def send(self, item_id: int, headers: dict[str, str]) -> object:
        """Enqueue ``process_item(item_id)`` with ``headers`` (trace context); returns a handle
        for :meth:`answers`. Raises what the broker client raises when the broker is down."""

    @abc.abstractmethod
    def answers(self, handles: list[object], wait_seconds: float) -> list[tuple[object, str | TaskFailed]]:
        """The handles among ``handles`` whose task has answered, each with its outcome (a state
        or result code) or :class:`TaskFailed`; waits up to ``wait_seconds`` for the first."""

    def close(self) -> None:  # noqa: B027 - nothing to release by default
        """Release the broker connection."""


class DistributedBatch(Batch):
    """One run's items sent to the workers, conversation by conversation (module doc)."""

    POLL_SECONDS = 0.05
    QUIET_WARNING_SECONDS = 60.0  # a log line when no answer came for this long

    def __init__(self, queue: ItemQueue, tally: Tally, max_in_flight: int) -> None:
        self._queue = queue
        self._tally = tally
        self._limit = max_in_flight
        self._lanes = Lanes()
        self._sent: dict[object, ItemRun] = {}  # handle -> run, sent and not answered
        self._in_batch = 0  # submitted (sent or waiting in a lane) and not answered
        self._stopping = False

    def submit(self, run: ItemRun) -> None:
        self._collect(0.0)
        while self._in_batch >= self._limit:
            self._collect(self.POLL_SECONDS * 10)
        self._in_batch += 1
        ready = self._lanes.enter(run)
        if ready is not None:
            self._send(ready)

    def settle(self) -> None:
        quiet_since = time.monotonic()
        while self._in_batch:
            if not self._sent:
                raise RuntimeError(f"distributed batch: {self._in_batch} items in lanes, none sent")
            before = self._in_batch
            self._collect(self.POLL_SECONDS * 10)
            if self._in_batch != before:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= self.QUIET_WARNING_SECONDS:
                log.warning("no worker answered for %.0f s: %d items sent and waiting (is `main.py worker` running?)", time.monotonic() - quiet_since, len(self._sent))
                quiet_since = time.monotonic()

    def close(self, error: BaseException | None) -> None:
        if error is not None:
            self._stopping = True  # lanes' waiting items are not sent; they stay `new`

    def _send(self, run: ItemRun) -> None:
        with tracing.item_span(item_id=run.item_id, correlation_id=run.correlation_id, source=run.msg.source):
            with tracing.stage("enqueue"):
                handle = self._queue.send(run.item_id, tracing.inject({}))
        self._sent[handle] = run

    def _collect(self, wait_seconds: float) -> None:
        """Count the answers that arrived (waiting up to ``wait_seconds`` for one) and send the
        next item of each answered item's conversation."""
        if not self._sent:  # nothing sent, nothing to wait for (a lane's head is always sent)
            return
        for handle, answer in self._queue.answers(list(self._sent), wait_seconds):
            run = self._sent.pop(handle)
            self._in_batch -= 1
            if isinstance(answer, TaskFailed):
                log.error("item %s: %s; the item stays open and the next run resumes it", run.item_id, answer)
            else:
                run.outcome = answer
                self._tally.count(answer)
            nxt = self._lanes.leave(run)
            if nxt is not None:
                if self._stopping:
                    self._drop(nxt)
                else:
                    self._send(nxt)

    def _drop(self, run: ItemRun) -> None:
        """A lane's waiting run not sent (the batch is stopping); the rest of its lane too."""
        self._in_batch -= 1
        nxt = self._lanes.leave(run)
        while nxt is not None:
            self._in_batch -= 1
            nxt = self._lanes.leave(nxt)


class DistributedRunner(Runner):
    """The scheduler's runner: items go to the workers as task ids (module doc).

    ``queue``: a callable returning a connected :class:`ItemQueue` (opened per batch, closed by
    the batch's end; the broker is reached only when a run has items)."""

    def __init__(self, *args, queue: Callable[[], ItemQueue], max_in_flight: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._queue_factory = queue
        self._queue: ItemQueue | None = None
        self.max_in_flight = max_in_flight

    def queue(self) -> ItemQueue:
        """The runner's queue, connected on first use and kept for the process."""
        if self._queue is None:
            self._queue = self._queue_factory()
        return self._queue

    def batch(self, tally: Tally) -> Batch:
        return DistributedBatch(self.queue(), tally, self.max_in_flight)

    def close(self) -> None:
        """Release the broker connection (idempotent)."""
        q, self._queue = self._queue, None
        if q is not None:
            q.close()
