"""W3C trace context on a plain dict carrier (what Celery task headers will be): the consumer
continues the producer's trace across a thread and across a process boundary."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path

from agent import tracing
from tests.tracing.conftest import by_name

WORKER = Path(__file__).with_name("trace_worker.py")
ITEM = {"item_id": 42, "correlation_id": "c-42", "source": "maildir:local"}


def test_the_carrier_is_a_w3c_traceparent_of_the_current_span(spans):
    with tracing.item_span(**ITEM), tracing.stage_span("enqueue", **ITEM) as enqueue:
        headers = tracing.inject({"task": "draft_item"})
    assert headers["task"] == "draft_item"  # the carrier's own keys are kept
    version, trace_id, span_id, flags = headers["traceparent"].split("-")
    assert (version, trace_id, span_id) == ("00", enqueue.trace_id, enqueue.span_id)
    assert int(flags, 16) & 1  # sampled
    assert json.loads(json.dumps(headers)) == headers  # plain strings: serialisable as task headers


def test_a_consumer_thread_continues_the_producers_trace(spans):
    handoff: queue.Queue[dict] = queue.Queue()

    def producer():
        with tracing.item_span(**ITEM), tracing.stage_span("enqueue", **ITEM):
            handoff.put(tracing.inject({}))

    def consumer():
        headers = handoff.get(timeout=10)
        with tracing.stage_span("worker", **ITEM, parent=tracing.extract(headers)), tracing.stage_span("redact", **ITEM):
            pass

    threads = [threading.Thread(target=producer), threading.Thread(target=consumer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    got = by_name(spans)
    trace_id = got["item"].context.trace_id
    assert {s.context.trace_id for s in got.values()} == {trace_id}
    assert got["worker"].parent.span_id == got["enqueue"].context.span_id
    assert got["worker"].parent.is_remote
    assert got["redact"].parent.span_id == got["worker"].context.span_id


def test_a_worker_process_continues_the_producers_trace(spans):
    with tracing.item_span(**ITEM), tracing.stage_span("enqueue", **ITEM) as enqueue:
        headers = tracing.inject({})
    proc = subprocess.run([sys.executable, str(WORKER), "continue"], input=json.dumps(headers), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    worker = next(s for s in out["spans"] if s["name"] == "worker")
    redact = next(s for s in out["spans"] if s["name"] == "redact")
    assert worker["trace_id"] == redact["trace_id"] == enqueue.trace_id
    assert worker["parent_id"] == enqueue.span_id and worker["remote_parent"]
    assert redact["parent_id"] == worker["span_id"]
    assert worker["correlation_id"] == redact["correlation_id"] == "c-42"
    assert out["sockets"] == []  # propagation needs no network


def test_without_a_recorded_span_inject_writes_nothing_and_extract_starts_a_new_trace(spans):
    assert tracing.inject({}) == {}  # no current span
    for carrier in ({}, None, {"traceparent": "not-a-traceparent"}, {"traceparent": "00-" + "0" * 32 + "-" + "0" * 16 + "-01"}):
        with tracing.stage_span("worker", **ITEM, parent=tracing.extract(carrier)) as s:
            assert s.recording and s.trace_id
    assert all(s.parent is None for s in spans.get_finished_spans())
    assert len({s.context.trace_id for s in spans.get_finished_spans()}) == 4


def test_with_tracing_off_inject_writes_nothing():
    with tracing.item_span(**ITEM), tracing.stage_span("enqueue", **ITEM) as s:
        assert not s.recording
        assert tracing.inject({}) == {}
