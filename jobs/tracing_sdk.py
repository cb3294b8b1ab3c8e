"""The SDK side of tracing (imported only when ``[tracing] enabled``): the provider, the span
processor that puts an item's ids on every span, and the gate every exported span passes.

:class:`SafeSpanExporter` is the last gate before spans leave the process, whoever made them
(``agent/tracing.py``'s stage spans or a library's instrumentation, such as the model client's
HTTP spans): attributes outside :data:`EXPORTED_KEYS` (plus the ``draftguard.`` and ``gen_ai.``
names, whose values get ``agent/tracing.py``'s identifier rule again) are dropped, URL query
strings and fragments cut, status descriptions removed (the SDK writes ``Type: message`` there),
``exception`` events reduced to ``exception.type`` (no message, no stack trace), links without
attributes, span and event names that are not identifiers renamed ``span`` / ``event``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import Link, Status

from agent import tracing
from agent.config import TracingConfig

#: Attribute keys of other instrumentations (HTTP semantic conventions, old and new names) that
#: may leave the process; the values of the URL keys lose their query string and fragment.
EXPORTED_KEYS = frozenset(
    {
        "http.method",
        "http.request.method",
        "http.status_code",
        "http.response.status_code",
        "http.url",
        "url.full",
        "url.scheme",
        "http.scheme",
        "http.host",
        "http.flavor",
        "server.address",
        "server.port",
        "net.peer.name",
        "net.peer.port",
        "network.protocol.version",
        "error.type",
    }
)
_URL_KEYS = frozenset({"http.url", "url.full"})
_VETTED_PREFIXES = ("draftguard.", "gen_ai.")


def safe_attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    """The attributes of ``attributes`` that may be exported (module doc)."""
    out: dict[str, Any] = {}
    for key, value in (attributes or {}).items():
        if key.startswith(_VETTED_PREFIXES):
            safe = tracing.safe_value(value)
            if safe is not None:
                out[key] = safe
        elif key in EXPORTED_KEYS:
            out[key] = value.split("?", 1)[0].split("#", 1)[0] if key in _URL_KEYS and isinstance(value, str) else value
    return out


def _name(name: str, fallback: str) -> str:
    return name if tracing.is_token(name) else fallback


def safe_span(span: ReadableSpan) -> ReadableSpan:
    """A copy of ``span`` holding only what may leave the process (module doc)."""
    events = []
    for ev in span.events:
        if ev.name == "exception":
            attrs = {"exception.type": _name(str((ev.attributes or {}).get("exception.type", "")), "")}
        else:
            attrs = safe_attributes(ev.attributes)
        events.append(Event(_name(ev.name, "event"), attrs, ev.timestamp))
    return ReadableSpan(
        name=_name(span.name, "span"),
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=safe_attributes(span.attributes),
        events=events,
        links=[Link(link.context) for link in span.links],
        kind=span.kind,
        status=Status(span.status.status_code),
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class SafeSpanExporter(SpanExporter):
    """Wraps ``inner``: every span goes through :func:`safe_span` before ``inner`` sees it."""

    def __init__(self, inner: SpanExporter) -> None:
        self.inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Export the gated copies of ``spans``; ``inner``'s result."""
        return self.inner.export([safe_span(s) for s in spans])

    def shutdown(self) -> None:
        """Shut ``inner`` down."""
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Flush ``inner``."""
        return self.inner.force_flush(timeout_millis)


class ItemIdsSpanProcessor(SpanProcessor):
    """Puts the current item's ids (:func:`agent.tracing.current_item`: correlation id, item
    id, source) on every span that starts inside an item's ``stage_span`` without them,
    such as the model client's HTTP spans."""

    def on_start(self, span, parent_context=None) -> None:
        """Add the missing ids (no-op outside an item)."""
        ids = tracing.current_item()
        if ids is None:
            return
        have = span.attributes or {}
        for key, value in (("item_id", ids.item_id), ("correlation_id", ids.correlation_id), ("source", ids.source)):
            name = tracing.ATTRIBUTES[key]
            if value is not None and name not in have:
                span.set_attribute(name, tracing.safe_value(value))


def build_provider(cfg: TracingConfig, exporters: Sequence[SpanExporter] = (), *, batch: bool = True) -> TracerProvider:
    """An SDK ``TracerProvider`` for ``cfg``: resource ``service.name`` (plus the environment's
    ``OTEL_RESOURCE_ATTRIBUTES``), sampler ``ParentBased(TraceIdRatioBased(sample_ratio))``,
    :class:`ItemIdsSpanProcessor`, and each of ``exporters`` behind :class:`SafeSpanExporter`
    (batch processor; a simple, synchronous one with ``batch=False``, for tests)."""
    provider = TracerProvider(
        resource=Resource.create({SERVICE_NAME: cfg.service_name}),
        sampler=ParentBased(TraceIdRatioBased(cfg.sample_ratio)),
    )
    provider.add_span_processor(ItemIdsSpanProcessor())
    for exporter in exporters:
        gate = SafeSpanExporter(exporter)
        provider.add_span_processor(BatchSpanProcessor(gate) if batch else SimpleSpanProcessor(gate))
    return provider
