"""Threaded scheduling (``[limits] concurrency = N`` > 1): up to N items at the model at once.

Three bounded pools, one per kind of work (the phases of :mod:`agent.flow`):

* ``prepare`` — **one** thread: claim, skip check, validate, route before drafting, context,
  Presidio redaction, prompt. This is CPU-bound Python (spaCy, regexes): the GIL lets one thread
  run it at a time, so more threads would only contend (measured: two threads redact the same
  items no faster than one), and a model thread never waits on it;
* ``model`` — N threads: the drafter's request and the risk reviewer's (the risk stage's local
  signals are a few ms). These threads sleep on sockets; the model endpoint's shared rate limit
  (connectors/limits/) holds however many there are;
* ``finish`` — min(N, 4) threads: restore, policy (Presidio on the draft), routing, recording,
  delivery and escalation: CPU plus storage and connector I/O (4, like Graph's requests in
  flight per mailbox). A resumed ``routed`` item goes straight here.

Order: :class:`agent.runners.lanes.Lanes` keeps one item per conversation in progress, in
arrival order. The thread that polls (the caller of ``run_source``) records each message first
(ingest), submits it, and counts finished items (so ``on_item`` - the progress bar, the
service's stop check - runs in that thread only); it blocks while ``2 N + 4`` items are in the
batch, so a large backlog is read from the source as fast as it is processed, not into memory.

Storage: each phase writes through :class:`agent.recorder.Recorder` (one writer at a time on
SQLite). A fatal error in an item (storage full, a crash) stops new items from starting; those
in progress finish; the error is raised in the polling thread. Items recorded but not started
stay ``new`` and are resumed by the next run.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import ThreadPoolExecutor

from agent.flow import ItemRun
from agent.runners.base import Batch, Runner, Tally
from agent.runners.lanes import Lanes

PREPARE_THREADS = 1  # CPU-bound phase: one thread (GIL; see module doc)
FINISH_THREADS = 4  # record / deliver / escalate: storage and connector I/O


class ThreadedBatch(Batch):
    """One run's items on the three pools (see module doc)."""

    def __init__(self, runner: Runner, tally: Tally, concurrency: int) -> None:
        self._flow = runner.flow
        self._tally = tally
        self._prepare = ThreadPoolExecutor(PREPARE_THREADS, thread_name_prefix="draftguard-prepare")
        self._model = ThreadPoolExecutor(concurrency, thread_name_prefix="draftguard-model")
        self._finish = ThreadPoolExecutor(min(FINISH_THREADS, concurrency), thread_name_prefix="draftguard-finish")
        self._lanes = Lanes()
        self._done: queue.SimpleQueue[tuple[ItemRun, BaseException | None]] = queue.SimpleQueue()
        self._limit = 2 * concurrency + 4
        self._in_batch = 0  # submitted and not yet taken back (touched by the polling thread only)
        self._stopping = threading.Event()
        self._error: BaseException | None = None
        self._raised = False

    # ------------------------------------------------------------------ polling thread
    def submit(self, run: ItemRun) -> None:
        while self._take(block=False):
            pass
        while self._in_batch >= self._limit:
            self._take(block=True)
        self._raise()
        self._in_batch += 1
        ready = self._lanes.enter(run)
        if ready is not None:
            self._start(ready)

    def settle(self) -> None:
        while self._in_batch:
            self._take(block=True)
        self._raise()

    def close(self, error: BaseException | None) -> None:
        if error is not None:
            self._stopping.set()
        try:
            while self._in_batch:
                try:
                    self._take(block=True)
                except Exception:  # noqa: BLE001 - on_item asked to stop already: keep counting quietly
                    pass
        finally:
            for pool in (self._prepare, self._model, self._finish):
                pool.shutdown(wait=True)
        if error is None:
            self._raise()

    def _take(self, *, block: bool) -> bool:
        """Take one finished run back and count it; False when none was ready (``block`` False)."""
        try:
            run, exc = self._done.get(block=block)
        except queue.Empty:
            return False
        self._in_batch -= 1
        if exc is not None:
            if self._error is None:
                self._error = exc
            self._stopping.set()
        elif run.outcome is not None:  # None: not started (the batch is stopping); it stays `new`
            self._tally.count(run.outcome)
        return True

    def _raise(self) -> None:
        if self._error is not None and not self._raised:
            self._raised = True
            raise self._error

    # ------------------------------------------------------------------ pool threads
    def _start(self, run: ItemRun) -> None:
        (self._finish if run.deliver_only else self._prepare).submit(self._step, run, "begin")

    def _step(self, run: ItemRun, phase: str) -> None:
        if phase == "begin" and self._stopping.is_set():
            self._end(run, None)  # not started
            return
        try:
            getattr(self._flow, phase)(run)
        except BaseException as exc:  # noqa: BLE001 - handed to the polling thread, raised there
            self._end(run, exc)
            return
        if run.done:
            self._end(run, None)
        elif phase == "begin":
            self._model.submit(self._step, run, "draft")
        elif phase == "draft":
            self._finish.submit(self._step, run, "finish")
        else:
            self._end(run, RuntimeError(f"item {run.item_id}: the flow ended without an outcome"))

    def _end(self, run: ItemRun, exc: BaseException | None) -> None:
        self._done.put((run, exc))
        nxt = self._lanes.leave(run)
        if nxt is not None:
            self._start(nxt)


class ThreadedRunner(Runner):
    """Items on bounded thread pools, ``concurrency`` of them at the model at once."""

    def __init__(self, *args, concurrency: int, **kwargs) -> None:
        if concurrency < 2:
            raise ValueError("ThreadedRunner needs concurrency >= 2 (1 is the inline runner)")
        super().__init__(*args, **kwargs)
        self.concurrency = concurrency

    def batch(self, tally: Tally) -> Batch:
        return ThreadedBatch(self, tally, self.concurrency)
