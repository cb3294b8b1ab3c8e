"""Tracing API of the pipeline: one trace per item, one span per stage (OpenTelemetry API only).

This module imports ``opentelemetry-api`` and nothing of the SDK, so ``agent/`` stays free of
exporters and networks (ports and adapters, ARCHITECTURE.md). The SDK, the exporter and the
sampler are set up by ``jobs/tracing.py: configure_tracing`` from ``[tracing]``; until then (and
always when ``[tracing] enabled = false``, the default) every span here is the API's no-op span:
nothing is recorded, nothing is exported, no socket is opened.

What a span may carry is decided here, not by each caller (docs/tracing.md):

- attribute keys come from :data:`ATTRIBUTES` (ids, stage, outcome, rule ids, model name, token
  counts, counts); an unknown key raises ``ValueError`` (a programming error, found by tests);
- string values must look like an identifier (:data:`_TOKEN`: no spaces, no ``@``, at most 128
  characters), else they are replaced by :data:`WITHHELD`: free text (a subject, a name, an
  address, an error message) cannot enter a span through a mistaken argument;
- an exception ending a span is recorded by its type name only (``error.type`` and an
  ``exception`` event with ``exception.type``); its message, which can quote client text
  (``agent/error_text.py``), never is.

Propagation (:func:`inject` / :func:`extract`) uses the W3C Trace Context propagator
(``traceparent``/``tracestate``) on a plain ``dict`` carrier, e.g. Celery task headers: the
producer calls ``inject(headers)``, the consumer ``stage_span(..., parent=extract(headers))``.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Link, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

__all__ = [
    "ATTRIBUTES",
    "STAGES",
    "StageSpan",
    "current_ids",
    "current_item",
    "extract",
    "in_current_context",
    "inject",
    "is_token",
    "item_span",
    "provider",
    "safe_value",
    "set_provider",
    "span",
    "stage",
    "stage_span",
]

TRACER_NAME = "draftguard"
WITHHELD = "<withheld>"

#: Span names of an item's stages (ARCHITECTURE.md, "The stages, in order"): ``item`` is the
#: root of one item's trace; ``enqueue``/``worker`` the two sides of a task queue (issue 12).
STAGES: frozenset[str] = frozenset(
    {
        "item",
        "poll",
        "parse",
        "ingest",
        "skip",
        "validate",
        "route_before_draft",
        "analyse",
        "context",
        "redact",
        "prompt",
        "draft",
        "risk",
        "restore",
        "policy",
        "route",
        "record",
        "deliver",
        "escalate",
        "notify",
        "quarantine",
        "enqueue",
        "worker",
        "model",
    }
)

#: Attribute keys a span may carry, and their names on the span. Values are ids, names from the
#: config, counts and versions: never message text, names, addresses or error messages.
ATTRIBUTES: Mapping[str, str] = {
    "item_id": "draftguard.item_id",
    "correlation_id": "draftguard.correlation_id",
    "source": "draftguard.source",
    "stage": "draftguard.stage",
    "outcome": "draftguard.outcome",  # a state or result code: drafted, escalated, duplicate, paused
    "action": "draftguard.action",  # routing action: draft, escalate, skip, hold
    "rule_id": "draftguard.rule_id",
    "rule_ids": "draftguard.rule_ids",  # policy findings' / skip rules' ids
    "group": "draftguard.group",  # reviewer group name (config)
    "attempt": "draftguard.attempt",
    "findings": "draftguard.findings",  # count
    "entities": "draftguard.entities",  # count of redacted entities
    "language": "draftguard.language",
    "template_id": "draftguard.template_id",
    "prompt_sha256": "draftguard.prompt_sha256",
    "fallback": "draftguard.fallback",  # bool: the template drafter wrote the draft
    "risk_categories": "draftguard.risk_categories",
    "risk_score": "draftguard.risk_score",
    "purpose": "draftguard.model.purpose",  # draft | review
    "provider": "gen_ai.system",
    "model": "gen_ai.request.model",
    "prompt_tokens": "gen_ai.usage.input_tokens",
    "completion_tokens": "gen_ai.usage.output_tokens",
    "error_type": "error.type",
}

#: What a string value must look like: an id, a config name, a model name, a hash, a version.
_TOKEN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:/+#=-]{0,127}$")

_PROPAGATOR = TraceContextTextMapPropagator()


@dataclass(frozen=True)
class _ItemIds:
    item_id: int | str | None
    correlation_id: str | None
    source: str | None


_item: contextvars.ContextVar[_ItemIds | None] = contextvars.ContextVar("draftguard_trace_item", default=None)


# --- provider indirection ----------------------------------------------------------------
class _SwitchableTracer(trace.Tracer):
    """A tracer that asks :func:`set_provider`'s current provider at every span start, so
    clients built before tracing was configured (the model client's HTTP instrumentation) use
    the provider configured later, and tests can swap providers."""

    def __init__(self, name: str, version: str | None, schema_url: str | None, attributes: Any) -> None:
        self._args = (name, version, schema_url, attributes)

    def _tracer(self) -> trace.Tracer:
        name, version, schema_url, attributes = self._args
        return _current_provider().get_tracer(name, version, schema_url, attributes)

    def start_span(self, name, context=None, kind=SpanKind.INTERNAL, attributes=None, links=None, start_time=None, record_exception=True, set_status_on_exception=True):  # noqa: D102
        return self._tracer().start_span(name, context, kind, attributes, links, start_time, record_exception, set_status_on_exception)

    @contextlib.contextmanager
    def start_as_current_span(self, name, context=None, kind=SpanKind.INTERNAL, attributes=None, links=None, start_time=None, record_exception=True, set_status_on_exception=True, end_on_exit=True):  # noqa: D102
        with self._tracer().start_as_current_span(
            name, context, kind, attributes, links, start_time, record_exception, set_status_on_exception, end_on_exit
        ) as s:
            yield s


class _SwitchableProvider(trace.TracerProvider):
    def get_tracer(self, instrumenting_module_name, instrumenting_library_version=None, schema_url=None, attributes=None):  # noqa: D102
        return _SwitchableTracer(instrumenting_module_name, instrumenting_library_version, schema_url, attributes)


_PROVIDER = _SwitchableProvider()
_installed: trace.TracerProvider | None = None


def _current_provider() -> trace.TracerProvider:
    return _installed if _installed is not None else trace.get_tracer_provider()


def set_provider(tracer_provider: trace.TracerProvider | None) -> None:
    """Make ``tracer_provider`` (an SDK ``TracerProvider``) the one draftguard's spans use;
    None goes back to the process's global provider (the API's no-op one unless set).
    Called by ``jobs/tracing.py`` and by tests."""
    global _installed
    _installed = tracer_provider


def provider() -> trace.TracerProvider:
    """The provider to hand to an instrumentation (``tracer_provider=``): it follows
    :func:`set_provider` at every span start."""
    return _PROVIDER


# --- attributes ---------------------------------------------------------------------------
def is_token(text: str) -> bool:
    """True when ``text`` looks like an identifier (:data:`_TOKEN`) and may stand on a span."""
    return bool(_TOKEN.match(text))


def safe_value(value: Any) -> Any:
    """An attribute value as OpenTelemetry accepts it, free text withheld (see module doc):
    bool/int/float as they are, a string that matches :data:`_TOKEN` as it is, any other
    string :data:`WITHHELD`; a list/tuple/set becomes a list of such values (all strings when
    the kinds are mixed); None stays None (dropped); anything else is taken as ``str()``."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if _TOKEN.match(value) else WITHHELD
    if isinstance(value, list | tuple | set | frozenset):
        items = [safe_value(v) for v in (sorted(value, key=str) if isinstance(value, set | frozenset) else value)]
        items = [v for v in items if v is not None]
        if len({type(v) for v in items}) > 1:
            items = [safe_value(str(v)) if not isinstance(v, str) else v for v in items]
        return items
    if isinstance(value, bytes | bytearray):
        return WITHHELD
    return safe_value(str(value))


def _attributes(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` under their span names (:data:`ATTRIBUTES`), None dropped.

    Raises ValueError for a key that is not in :data:`ATTRIBUTES`."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        name = ATTRIBUTES.get(key)
        if name is None:
            raise ValueError(f"span attribute {key!r} is not allowed (agent/tracing.py ATTRIBUTES)")
        safe = safe_value(value)
        if safe is not None:
            out[name] = safe
    return out


class StageSpan:
    """The handle a ``with stage_span(...) as s`` block gets: :meth:`set` adds allowed
    attributes (same rules as the keyword arguments); ``trace_id`` / ``span_id`` as hex
    (empty when the span is not recorded)."""

    def __init__(self, otel_span: trace.Span) -> None:
        self._span = otel_span

    def set(self, **values: Any) -> None:
        """Add attributes; raises ValueError for a key not in :data:`ATTRIBUTES`."""
        attrs = _attributes(values)
        if self._span.is_recording():
            self._span.set_attributes(attrs)

    @property
    def recording(self) -> bool:
        """True when the span is recorded (tracing on and sampled)."""
        return self._span.is_recording()

    @property
    def trace_id(self) -> str:
        ctx = self._span.get_span_context()
        return format(ctx.trace_id, "032x") if ctx.is_valid else ""

    @property
    def span_id(self) -> str:
        ctx = self._span.get_span_context()
        return format(ctx.span_id, "016x") if ctx.is_valid else ""


def _record_error(otel_span: trace.Span, exc: BaseException) -> None:
    """The exception's type on the span, never its message or traceback."""
    if otel_span.is_recording():
        kind = type(exc).__qualname__
        otel_span.set_attribute("error.type", kind)
        otel_span.add_event("exception", {"exception.type": kind})
        otel_span.set_status(Status(StatusCode.ERROR))


_NOOP = trace.NoOpTracer()
_cached: tuple[trace.TracerProvider | None, trace.Tracer] = (None, _NOOP)


def _tracer() -> trace.Tracer:
    """The tracer of the current provider (cached per provider object); the API's no-op tracer
    itself while nothing is configured (the global is still the API's proxy)."""
    global _cached
    current = _current_provider()
    if _cached[0] is not current:
        tracer = _NOOP if isinstance(current, trace.ProxyTracerProvider) else current.get_tracer(TRACER_NAME)
        _cached = (current, tracer)
    return _cached[1]


class _Scope:
    """``with``-block of one span (a class, not a generator: a few microseconds per stage
    matter when tracing is off). Makes the span current, sets the item ids for nested spans and
    log lines, records an exception by type, ends the span, restores both contexts."""

    __slots__ = ("_name", "_values", "_context", "_links", "_kind", "_ids", "_span", "_token", "_item_token")

    def __init__(self, name: str, values: dict[str, Any], context: otel_context.Context | None, links: list[Link] | None, kind: SpanKind, ids: _ItemIds | None) -> None:
        for key in values:
            if key not in ATTRIBUTES:
                raise ValueError(f"span attribute {key!r} is not allowed (agent/tracing.py ATTRIBUTES)")
        self._name, self._values, self._context, self._links, self._kind, self._ids = name, values, context, links, kind, ids

    def __enter__(self) -> StageSpan:
        tracer = _tracer()
        attrs = None if tracer is _NOOP else _attributes(self._values)
        self._span = tracer.start_span(
            self._name, context=self._context, kind=self._kind, attributes=attrs, links=self._links, record_exception=False, set_status_on_exception=False
        )
        self._token = otel_context.attach(trace.set_span_in_context(self._span, self._context))
        self._item_token = _item.set(self._ids) if self._ids is not None else None
        return StageSpan(self._span)

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc is not None:
                _record_error(self._span, exc)
            self._span.end()
        finally:
            if self._item_token is not None:
                _item.reset(self._item_token)
            otel_context.detach(self._token)


def stage_span(
    stage: str,
    *,
    item_id: int | str | None,
    correlation_id: str | None,
    source: str | None,
    parent: otel_context.Context | None = None,
    **attributes: Any,
) -> contextlib.AbstractContextManager[StageSpan]:
    """One span for ``stage`` of one item (``with stage_span(...) as s:``), the child of the
    current span (or of ``parent``, a context from :func:`extract`: the worker side of a task
    queue).

    ``stage``: a name from :data:`STAGES` (ValueError otherwise). ``item_id``,
    ``correlation_id``, ``source`` go on the span (and on every span opened inside the block,
    through ``jobs/tracing_sdk.py``'s span processor, and on every log line:
    :func:`current_ids`). ``attributes``: more keys of :data:`ATTRIBUTES` (ValueError for
    others). An exception leaving the block marks the span as an error with the exception's
    type only, and is re-raised unchanged."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r} (agent/tracing.py STAGES)")
    values = {"stage": stage, "item_id": item_id, "correlation_id": correlation_id, "source": source, **attributes}
    return _Scope(stage, values, parent, None, SpanKind.INTERNAL, _ItemIds(item_id, correlation_id, source))


def item_span(
    *,
    item_id: int | str | None,
    correlation_id: str | None,
    source: str | None,
    parent: otel_context.Context | None = None,
    **attributes: Any,
) -> contextlib.AbstractContextManager[StageSpan]:
    """The root span of one item's trace (stage ``item``): a new trace, linked to the span
    that is current when it starts (a poll), so each item is one trace however many a poll
    yields. With ``parent`` (from :func:`extract`) it continues that trace instead.

    Same attributes and errors as :func:`stage_span`."""
    values = {"stage": "item", "item_id": item_id, "correlation_id": correlation_id, "source": source, **attributes}
    links = None
    context = parent
    if parent is None:
        current = trace.get_current_span().get_span_context()
        links = [Link(current)] if current.is_valid else None
        context = otel_context.Context()  # empty: no parent, a new trace id
    return _Scope("item", values, context, links, SpanKind.INTERNAL, _ItemIds(item_id, correlation_id, source))


def span(name: str, *, kind: SpanKind = SpanKind.INTERNAL, **attributes: Any) -> contextlib.AbstractContextManager[StageSpan]:
    """A child span inside the current item (e.g. the model call, name ``model``), carrying
    the current item's ids (from the enclosing :func:`stage_span`) and ``attributes`` (keys of
    :data:`ATTRIBUTES`). ``name`` must be in :data:`STAGES` (ValueError otherwise)."""
    if name not in STAGES:
        raise ValueError(f"unknown span name {name!r} (agent/tracing.py STAGES)")
    ids = _item.get()
    base = {"item_id": ids.item_id, "correlation_id": ids.correlation_id, "source": ids.source} if ids else {}
    return _Scope(name, {**base, **attributes}, None, None, kind, None)


def stage(name: str, **attributes: Any) -> contextlib.AbstractContextManager[StageSpan]:
    """A stage span inside the current item: :func:`span` with ``draftguard.stage`` = ``name``
    (the stage functions do not know the item's ids; the enclosing :func:`item_span` does).
    ``name`` must be in :data:`STAGES` (ValueError otherwise)."""
    return span(name, stage=name, **attributes)


# --- propagation --------------------------------------------------------------------------
def inject(carrier: dict[str, str], context: otel_context.Context | None = None) -> dict[str, str]:
    """Write the current span's W3C ``traceparent`` (and ``tracestate``) into ``carrier`` (e.g.
    Celery task headers) and return it. Writes nothing when no span is recorded (tracing off):
    the consumer then starts its own trace."""
    _PROPAGATOR.inject(carrier, context=context)
    return carrier


def extract(carrier: Mapping[str, str] | None) -> otel_context.Context:
    """The context carried by ``carrier`` (from :func:`inject`), to pass as ``parent=``.
    A carrier without (or with a malformed) ``traceparent`` gives an empty context: a new trace."""
    return _PROPAGATOR.extract(dict(carrier or {}))


T = TypeVar("T")


def in_current_context(fn: Callable[..., T]) -> Callable[..., T]:
    """``fn`` bound to a copy of the calling thread's context (current span, item ids, log
    binding): hand the result to a thread pool so the work there stays in the item's trace.
    ``ThreadPoolExecutor.submit(in_current_context(work), ...)``."""
    ctx = contextvars.copy_context()

    def run(*args: Any, **kwargs: Any) -> T:
        return ctx.run(fn, *args, **kwargs)

    return run


# --- log correlation ----------------------------------------------------------------------
def current_ids() -> dict[str, Any]:
    """What the current log line should carry: ``correlation_id`` and ``item_id`` of the item
    in the current :func:`stage_span` (absent outside one), ``trace_id`` (32 hex) and
    ``span_id`` (16 hex) when a recorded span is current."""
    out: dict[str, Any] = {}
    ids = _item.get()
    if ids is not None:
        if ids.correlation_id is not None:
            out["correlation_id"] = ids.correlation_id
        if ids.item_id is not None:
            out["item_id"] = ids.item_id
    ctx = trace.get_current_span().get_span_context()
    if ctx.is_valid:
        out["trace_id"] = format(ctx.trace_id, "032x")
        out["span_id"] = format(ctx.span_id, "016x")
    return out


def current_item() -> _ItemIds | None:
    """The item ids of the enclosing :func:`stage_span` (None outside one); for
    ``jobs/tracing.py``'s span processor."""
    return _item.get()
