"""Spans of one item with the SDK's in-memory exporter, behind the production gate
(jobs/tracing_sdk.py): nesting, ids on every span, no personal values, errors by type only,
the model client's spans against the local OpenAI-compatible server."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from agent import tracing
from agent.config import ModelConfig, TracingConfig
from agent.errors import DrafterError
from agent.models import Prompt
from agent.outbound_guard import OutboundGuard
from agent.redaction import PlaceholderMap
from connectors.llm_openai import OpenAIModelClient
from jobs.tracing_sdk import build_provider
from tests.servers.openai_server import OpenAIServer
from tests.tracing.conftest import by_name

ITEM = {"item_id": 17, "correlation_id": "0b6c2f0e-5d1c-4c4e-9a51-2f7c1d3e8a90", "source": "maildir:local"}
# Values of a client message: none may appear anywhere in an exported span.
PERSONAL = ["Quinzia Oyelaran", "quinzia.o@client.example", "14 Lark Rise", "GB29NWBK60161331926819", "Refund of my deposit"]


def exported_text(memory: InMemorySpanExporter) -> str:
    """Every name, attribute, event and status of the exported spans as one string."""
    parts = []
    for s in memory.get_finished_spans():
        parts.append(s.name)
        parts.append(json.dumps(dict(s.attributes or {}), default=str))
        parts.append(str(s.status.description))
        for ev in s.events:
            parts.append(ev.name)
            parts.append(json.dumps(dict(ev.attributes or {}), default=str))
    return "\n".join(parts)


def test_an_items_stages_nest_in_one_trace_with_its_ids_on_every_span(spans):
    with tracing.stage_span("poll", item_id=None, correlation_id=None, source="maildir:local"):
        with tracing.item_span(**ITEM):
            for stage in ("skip", "validate", "context", "redact", "prompt"):
                with tracing.stage_span(stage, **ITEM):
                    pass
            with tracing.stage_span("draft", **ITEM):
                with tracing.span("model", purpose="draft", model="gpt-4o-mini"):
                    pass
            for stage in ("policy", "route", "record", "deliver"):
                with tracing.stage_span(stage, **ITEM):
                    pass
    got = by_name(spans)
    item, poll = got["item"], got["poll"]
    stages = [n for n in got if n not in ("item", "poll", "model")]
    assert stages == ["skip", "validate", "context", "redact", "prompt", "draft", "policy", "route", "record", "deliver"]
    # one trace for the item, not the poll's: linked to the poll instead
    assert item.parent is None and item.context.trace_id != poll.context.trace_id
    assert [link.context.span_id for link in item.links] == [poll.context.span_id]
    for name in [*stages, "model"]:
        s = got[name]
        assert s.context.trace_id == item.context.trace_id, name
        assert s.attributes["draftguard.correlation_id"] == ITEM["correlation_id"], name
        assert s.attributes["draftguard.item_id"] == ITEM["item_id"], name
        assert s.attributes["draftguard.source"] == "maildir:local", name
    for name in stages:
        assert got[name].parent.span_id == item.context.span_id, name
        assert got[name].attributes["draftguard.stage"] == name
    assert got["model"].parent.span_id == got["draft"].context.span_id
    assert got["model"].attributes["gen_ai.request.model"] == "gpt-4o-mini"


def test_free_text_in_an_attribute_is_withheld_and_unknown_keys_are_refused(spans):
    with tracing.stage_span("policy", **ITEM, rule_ids=["commitment_refund", PERSONAL[1]], findings=2) as s:
        s.set(outcome=PERSONAL[4], group="complaints-team", language="en")
        with pytest.raises(ValueError, match="subject"):
            s.set(subject=PERSONAL[4])
    with pytest.raises(ValueError, match="body"), tracing.stage_span("redact", **ITEM, body=PERSONAL[0]):
        pass
    with pytest.raises(ValueError, match="unknown stage"), tracing.stage_span("send_mail", **ITEM):
        pass
    attrs = by_name(spans)["policy"].attributes
    assert list(attrs["draftguard.rule_ids"]) == ["commitment_refund", tracing.WITHHELD]
    assert attrs["draftguard.outcome"] == tracing.WITHHELD
    assert attrs["draftguard.group"] == "complaints-team" and attrs["draftguard.findings"] == 2
    text = exported_text(spans)
    for value in PERSONAL:
        assert value not in text


def test_an_exception_is_recorded_by_its_type_only_and_re_raised(spans):
    error = DrafterError(f"model answer unusable: {PERSONAL[0]} lives at {PERSONAL[2]}")
    with pytest.raises(DrafterError) as raised, tracing.item_span(**ITEM), tracing.stage_span("draft", **ITEM):
        raise error
    assert raised.value is error
    got = by_name(spans)
    for name in ("draft", "item"):
        s = got[name]
        assert s.status.status_code == StatusCode.ERROR and not s.status.description
        assert s.attributes["error.type"] == "DrafterError"
        assert [(e.name, dict(e.attributes)) for e in s.events] == [("exception", {"exception.type": "DrafterError"})]
    text = exported_text(spans)
    for value in PERSONAL[:3]:
        assert value not in text


def test_the_export_gate_strips_what_another_instrumentation_records(spans):
    """A library span (not ours) with a message in its exception, status and attributes."""
    tracer = tracing.provider().get_tracer("some.library")
    with pytest.raises(RuntimeError), tracing.stage_span("deliver", **ITEM):
        with tracer.start_as_current_span("POST", kind=SpanKind.CLIENT) as s:
            s.set_attribute("http.request.method", "POST")
            s.set_attribute("url.full", f"https://graph.example/v1/me/messages?$filter=from eq '{PERSONAL[1]}'")
            s.set_attribute("db.statement", f"UPDATE drafts SET body='{PERSONAL[4]}'")
            s.set_attribute("draftguard.outcome", PERSONAL[0])  # a vetted prefix with free text
            s.add_event("request body", {"body": PERSONAL[4]})
            raise RuntimeError(f"409 conflict for {PERSONAL[1]}")
    lib = by_name(spans)["POST"]
    assert lib.attributes["url.full"] == "https://graph.example/v1/me/messages"
    assert "db.statement" not in lib.attributes
    assert lib.attributes["draftguard.outcome"] == tracing.WITHHELD
    assert lib.attributes["draftguard.correlation_id"] == ITEM["correlation_id"]  # from the span processor
    assert lib.status.status_code == StatusCode.ERROR and not lib.status.description
    exc = [dict(e.attributes) for e in lib.events if e.name == "exception"]
    assert exc == [{"exception.type": "RuntimeError"}]  # no exception.message, no stack trace
    assert [e.name for e in lib.events if e.name != "exception"] == ["event"]  # a free-text event name renamed
    text = exported_text(spans)
    for value in PERSONAL:
        assert value not in text


def test_the_model_clients_call_and_each_http_attempt_are_spans_of_the_item(spans):
    prompt = Prompt(template_id="reply/v1", template_hash="x", system="You draft replies.", user=f"Please answer {PERSONAL[0]} about: {PERSONAL[4]}.")
    with OpenAIServer() as server:
        server.fail_next.append((503, {}))  # the client retries once: two attempts on the wire
        client = OpenAIModelClient(ModelConfig(base_url=server.base_url, name="gpt-4o-mini", max_retries=2))
        try:
            with OutboundGuard().scope(PlaceholderMap(mapping={})), tracing.item_span(**ITEM), tracing.stage_span("draft", **ITEM):
                _, tokens = client.complete(prompt)
        finally:
            client.close()
    assert len(server.raw_bodies) == 2
    finished = spans.get_finished_spans()
    model = next(s for s in finished if s.name == "model")
    draft = next(s for s in finished if s.name == "draft")
    http = [s for s in finished if s.kind == SpanKind.CLIENT]
    assert model.parent.span_id == draft.context.span_id
    assert model.attributes["gen_ai.request.model"] == "gpt-4o-mini"
    assert model.attributes["draftguard.model.purpose"] == "draft"
    assert model.attributes["gen_ai.usage.input_tokens"] == tokens["prompt_tokens"] == server.usage["prompt_tokens"]
    assert model.attributes["gen_ai.usage.output_tokens"] == tokens["completion_tokens"]
    assert len(http) == 2
    statuses = [s.attributes.get("http.status_code", s.attributes.get("http.response.status_code")) for s in http]
    assert statuses == [503, 200]
    for s in http:
        assert s.parent.span_id == model.context.span_id
        assert s.context.trace_id == draft.context.trace_id
        assert s.attributes["draftguard.correlation_id"] == ITEM["correlation_id"]
    text = exported_text(spans)
    for value in (PERSONAL[0], PERSONAL[4], "Please answer"):
        assert value not in text


def test_a_model_endpoint_error_is_a_model_span_error_of_type_only(spans):
    prompt = Prompt(template_id="reply/v1", template_hash="x", system="s", user="Please answer <PERSON_1>.")
    with OpenAIServer() as server:
        server.down = 400
        client = OpenAIModelClient(ModelConfig(base_url=server.base_url, max_retries=0))
        try:
            with OutboundGuard().scope(PlaceholderMap(mapping={})), tracing.stage_span("draft", **ITEM), pytest.raises(DrafterError):
                client.complete(prompt)
        finally:
            client.close()
    model = by_name(spans)["model"]
    assert model.status.status_code == StatusCode.ERROR
    assert model.attributes["error.type"] == "DrafterError"
    assert "injected fault" not in exported_text(spans)  # the endpoint's error message


def test_work_handed_to_a_thread_pool_stays_in_the_items_trace(spans):
    def redact() -> str:
        with tracing.stage_span("redact", **ITEM) as s:
            return s.trace_id

    with tracing.item_span(**ITEM) as root, ThreadPoolExecutor(2) as pool:
        carried = pool.submit(tracing.in_current_context(redact)).result()
        bare = pool.submit(redact).result()
    assert carried == root.trace_id
    assert bare != root.trace_id  # without the context a thread starts its own trace


def test_sampling_follows_the_ratio_for_new_traces_and_the_parent_for_continued_ones():
    memory = InMemorySpanExporter()
    provider = build_provider(TracingConfig(enabled=True, exporter="none", sample_ratio=0.0), [memory], batch=False)
    tracing.set_provider(provider)
    try:
        with tracing.item_span(**ITEM) as root:
            assert not root.recording
        sampled = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}
        with tracing.stage_span("worker", **ITEM, parent=tracing.extract(sampled)) as worker:
            assert worker.recording and worker.trace_id == "0af7651916cd43dd8448eb211c80319c"
        not_sampled = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"}
        with tracing.stage_span("worker", **ITEM, parent=tracing.extract(not_sampled)) as worker:
            assert not worker.recording
    finally:
        tracing.set_provider(None)
        provider.shutdown()
    assert [s.name for s in memory.get_finished_spans()] == ["worker"]
