"""The scheduler's side of the distributed mode (agent/runners/distributed.py) against an
in-memory queue (the pipeline-unit fake the project allows; the real broker is in
test_worker_tasks.py and tests/e2e/test_distributed.py): conversation order, the in-flight bound,
counting, failed tasks, stopping."""

from __future__ import annotations

import pytest

from agent.flow import ItemRun
from agent.runners.base import RunSummary, Tally
from agent.runners.distributed import DistributedBatch, ItemQueue, TaskFailed
from tests.unit.fakes import FakeSource, message


class ScriptedQueue(ItemQueue):
    """Records what is sent; a task answers when the test says so (``finish``), or at once for
    ids in ``auto`` (with the outcome ``auto[id]``)."""

    def __init__(self, auto: dict[int, str | TaskFailed] | None = None) -> None:
        self.sent: list[tuple[int, dict]] = []
        self.auto = dict(auto or {})
        self.ready: list[tuple[object, str | TaskFailed]] = []
        self.in_flight: set[int] = set()
        self.peak = 0

    def send(self, item_id, headers):
        handle = ("task", len(self.sent), item_id)
        self.sent.append((item_id, headers))
        self.in_flight.add(item_id)
        self.peak = max(self.peak, len(self.in_flight))
        if item_id in self.auto:
            self.finish(handle, self.auto[item_id])
        return handle

    def finish(self, handle, outcome) -> None:
        self.in_flight.discard(handle[2])
        self.ready.append((handle, outcome))

    def answers(self, handles, wait_seconds):
        out = [(h, o) for h, o in self.ready if h in handles]
        self.ready = [(h, o) for h, o in self.ready if h not in handles]
        return out


def _run(item_id: int, conversation: str) -> ItemRun:
    msg = message(f"m{item_id}", conversation_id=conversation)
    return ItemRun(FakeSource([msg]), msg, item_id, f"corr-{item_id}")


def test_a_conversation_is_sent_one_item_at_a_time_in_arrival_order():
    queue = ScriptedQueue()
    summary = RunSummary()
    batch = DistributedBatch(queue, Tally(summary, None), max_in_flight=100)
    for i, conv in enumerate(["a", "b", "a", "a", "b", "c"], start=1):
        batch.submit(_run(i, conv))
    assert [i for i, _ in queue.sent] == [1, 2, 6]  # the heads of a, b, c; 3, 4, 5 wait behind them
    first = {h[2]: h for h in [("task", n, i) for n, (i, _) in enumerate(queue.sent)]}
    queue.auto = {3: "escalated", 4: "drafted", 5: "skipped"}
    queue.finish(first[1], "drafted")
    batch._collect(0)
    assert [i for i, _ in queue.sent] == [1, 2, 6, 3]  # a's next one, only after its first answered
    queue.finish(first[2], "drafted")
    queue.finish(first[6], "held")
    batch.settle()
    sent = [i for i, _ in queue.sent]
    assert sorted(sent) == [1, 2, 3, 4, 5, 6]
    assert [i for i in sent if i in (1, 3, 4)] == [1, 3, 4] and [i for i in sent if i in (2, 5)] == [2, 5]
    assert summary.counts == {"drafted": 3, "escalated": 1, "skipped": 1, "held": 1}


def test_at_most_max_in_flight_items_are_in_the_batch():
    queue = ScriptedQueue(auto={})
    batch = DistributedBatch(queue, Tally(RunSummary(), None), max_in_flight=3)
    for i in range(1, 4):
        batch.submit(_run(i, f"c{i}"))
    assert len(queue.sent) == 3
    queue.auto = {i: "drafted" for i in range(1, 20)}
    for n, (i, _) in enumerate(list(queue.sent)):
        queue.finish(("task", n, i), "drafted")
    for i in range(4, 12):
        batch.submit(_run(i, f"c{i}"))
        assert len(queue.in_flight) <= 3
    batch.settle()
    assert queue.peak <= 3 and len(queue.sent) == 11


def test_a_failed_task_is_not_counted_and_frees_its_conversation(caplog):
    queue = ScriptedQueue(auto={1: TaskFailed("StorageFullError: disk full"), 2: "drafted"})
    summary = RunSummary()
    batch = DistributedBatch(queue, Tally(summary, None), max_in_flight=10)
    batch.submit(_run(1, "a"))
    batch.submit(_run(2, "a"))
    batch.settle()
    assert summary.counts == {"drafted": 1}
    assert "item 1: the worker failed: StorageFullError: disk full; the item stays open" in caplog.text


def test_on_item_raising_stops_sending_the_waiting_items():
    queue = ScriptedQueue()
    summary = RunSummary()

    def stop(_outcome):
        raise KeyboardInterrupt  # e.g. the service's stop flag

    batch = DistributedBatch(queue, Tally(summary, stop), max_in_flight=10)
    batch.submit(_run(1, "a"))
    batch.submit(_run(2, "a"))
    queue.finish(("task", 0, 1), "drafted")
    with pytest.raises(KeyboardInterrupt):
        batch.settle()
    batch.close(KeyboardInterrupt())
    assert [i for i, _ in queue.sent] == [1]  # item 2 stays `new` for the next run


def test_the_enqueue_carries_the_trace_context_when_tracing_is_on():
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from agent import tracing
    from agent.config import TracingConfig
    from jobs.tracing_sdk import build_provider

    memory = InMemorySpanExporter()
    provider = build_provider(TracingConfig(enabled=True, exporter="none"), [memory], batch=False)
    tracing.set_provider(provider)
    try:
        queue = ScriptedQueue(auto={7: "drafted"})
        batch = DistributedBatch(queue, Tally(RunSummary(), None), max_in_flight=10)
        batch.submit(_run(7, "a"))
        batch.settle()
    finally:
        tracing.set_provider(None)
    (_, headers), = queue.sent
    spans = {s.name: s for s in memory.get_finished_spans()}
    enqueue = spans["enqueue"]
    assert headers["traceparent"].startswith(f"00-{enqueue.context.trace_id:032x}-{enqueue.context.span_id:016x}-")
    assert enqueue.parent.span_id == spans["item"].context.span_id
    assert spans["item"].attributes["draftguard.item_id"] == 7
