"""The worker's task on the real broker, in this process (RabbitMQ, PostgreSQL, Redis on
127.0.0.1): the scheduler's runner (``Pipeline.run_source`` with ``[distributed] enabled``) sends
item ids, an embedded Celery worker (threads, as ``main.py worker`` runs it) processes them.

* one trace per item across scheduler and worker: the ``traceparent`` rides in the task headers
  (in-memory exporter);
* an item whose earlier attempts all died mid-item (attempts counted in the database) is
  quarantined by the next delivery of its task, not run again;
* a task whose item another worker holds (the item's advisory lock) waits and runs only after it
  is released."""

from __future__ import annotations

import contextlib
import time

import pytest
from sqlalchemy import create_engine, select, text, update

from agent import tracing
from agent.config import TracingConfig, load_config
from evaluation.scripted_model import answer
from storage.models import Item, QuarantineEntry
from tests.conftest import new_pg_database
from tests.distributed.kit import (
    delete_queues,
    delete_redis_keys,
    distributed_config,
    env,
    require_services,
    unique,
)
from tests.e2e.backlog import write_backlog
from tests.servers.openai_server import OpenAIServer


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """(settings, worker runtime, in-memory exporter) with an embedded worker running."""
    require_services()
    from celery.contrib.testing.worker import start_worker
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from jobs import worker as worker_mod
    from jobs.celery_app import configure
    from jobs.tracing_sdk import build_provider

    tmp = tmp_path_factory.mktemp("dist")
    write_backlog(tmp / "mailbox", 6, 2)
    queue, namespace = unique("dg.test.items"), unique("dgtest")
    with contextlib.ExitStack() as stack:
        pg = stack.enter_context(new_pg_database("dg_dist"))
        server = stack.enter_context(OpenAIServer(answer))
        cfg = distributed_config(tmp, base_url=server.base_url, mailbox=tmp / "mailbox", storage_url=pg, queue=queue, namespace=namespace)
        mp = stack.enter_context(pytest.MonkeyPatch.context())
        for k, v in env().items():
            mp.setenv(k, v)
        settings = load_config(cfg)
        memory = InMemorySpanExporter()
        provider = build_provider(TracingConfig(enabled=True, exporter="none"), [memory], batch=False)
        tracing.set_provider(provider)
        stack.callback(tracing.set_provider, None)
        w = worker_mod.WorkerRuntime.open(settings, 2)
        stack.callback(w.close)
        worker_mod.install(w)
        stack.callback(worker_mod.install, None)
        app = configure(settings)
        stack.enter_context(start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, queues=[queue], shutdown_timeout=30))
        stack.callback(delete_redis_keys, namespace)
        stack.callback(delete_queues, queue)
        yield settings, w, memory


def test_one_trace_per_item_from_the_scheduler_through_the_task_headers_to_the_worker(world):
    settings, w, memory = world
    rt = w.runtime
    summary = rt.pipeline.run_source(rt.sources[0])  # the scheduler's side: enqueue and wait for the answers
    assert summary.seen == 6 and sum(summary.counts.values()) == 6
    spans = memory.get_finished_spans()
    by_trace: dict[int, list] = {}
    for s in spans:
        by_trace.setdefault(s.context.trace_id, []).append(s)
    with rt.session_factory() as s:
        ids = [i for (i,) in s.execute(select(Item.id))]
    assert len(ids) == 6
    for item_id in ids:
        traces = {s.context.trace_id for s in spans if s.attributes.get("draftguard.item_id") == item_id}
        assert len(traces) == 1, f"item {item_id} is in {len(traces)} traces"
        trace_spans = {s.name: s for s in by_trace[traces.pop()]}
        root, enqueue, worker = trace_spans["item"], trace_spans["enqueue"], trace_spans["worker"]
        assert root.parent is None and root.links and trace_spans.get("poll") is None  # its own trace, linked to the poll
        assert enqueue.parent.span_id == root.context.span_id
        assert worker.parent.span_id == enqueue.context.span_id  # through the broker's message headers
        assert trace_spans["ingest"].parent.span_id == worker.context.span_id
        assert {"item", "enqueue", "worker", "ingest", "skip", "validate", "record"} <= set(trace_spans)
        assert worker.attributes["draftguard.correlation_id"] == enqueue.attributes["draftguard.correlation_id"]
        if worker.attributes.get("draftguard.outcome") in ("drafted", "escalated"):
            assert "model" in trace_spans  # the model call is in the item's trace too


def _new_item(w, name: str, tmp_path) -> int:
    """One more message in the Maildir, recorded ``new`` (the scheduler's ingest); its id."""
    rt = w.runtime
    write_backlog(tmp_path / "one", 1, 1)
    (path,) = (tmp_path / "one" / "new").iterdir()
    raw = path.read_bytes().replace(b"<c0000-0@client.example>", f"<{name}@client.example>".encode())
    (rt.settings.resolve(rt.settings.sources.maildir[0].path) / "new" / f"1900000000.M1P1.{name}").write_bytes(raw)
    source = rt.sources[0]
    runs = [rt.pipeline.flow.arrive(source, m) for m in source.poll(rt.pipeline.cursors)]
    (run,) = [r for r in runs if not isinstance(r, str)]
    return run.item_id


def test_an_item_whose_attempts_died_mid_item_is_quarantined_by_the_next_delivery(world, tmp_path):
    settings, w, _ = world
    from jobs.celery_app import process_item

    item_id = _new_item(w, "poison", tmp_path)
    with w.runtime.session_factory() as s:  # three workers died while holding it (claimed, never finished)
        s.execute(update(Item).where(Item.id == item_id).values(state="processing", attempts=settings.limits.item_attempts))
        s.commit()
    assert process_item.apply_async((item_id,)).get(timeout=60) == "quarantined"
    with w.runtime.session_factory() as s:
        item = s.get(Item, item_id)
        assert (item.state, item.attempts) == ("quarantined", settings.limits.item_attempts)
        (entry,) = s.execute(select(QuarantineEntry).where(QuarantineEntry.item_id == item_id)).scalars()
        assert (entry.stage, entry.attempts) == ("ingest", settings.limits.item_attempts)
        assert "gave up after 3 interrupted attempts" in entry.error
    assert process_item.apply_async((item_id,)).get(timeout=60) == "quarantined"  # never run again


def test_a_task_waits_while_another_worker_holds_its_item(world, tmp_path):
    settings, w, _ = world
    from jobs.celery_app import process_item
    from jobs.scheduler import advisory_key

    item_id = _new_item(w, "held", tmp_path)
    other = create_engine(settings.storage_url())
    try:
        with other.connect() as conn:
            assert conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": advisory_key(f"draftguard:item:{item_id}")}).scalar()
            result = process_item.apply_async((item_id,))
            time.sleep(2.0)
            with w.runtime.session_factory() as s:
                assert s.get(Item, item_id).state == "new"  # not touched while held
            assert not result.ready()
            conn.invalidate()  # the holder's connection closes (a worker that died): the server frees the lock
        # the retried task runs the item now
        assert result.get(timeout=60) in ("drafted", "escalated", "skipped", "held")
    finally:
        other.dispose()
    with w.runtime.session_factory() as s:
        assert s.get(Item, item_id).attempts == 1
