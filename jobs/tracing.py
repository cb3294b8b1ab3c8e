"""Tracing for this process from ``[tracing]`` (docs/tracing.md); the API is ``agent/tracing.py``.

:func:`configure_tracing` is called once per process by the composition root
(``jobs/bootstrap.py``). Disabled (the default, or ``OTEL_SDK_DISABLED=true``) it returns None
without importing the SDK: the pipeline's spans stay the API's no-op spans, no exporter exists,
no socket is opened. Enabled, ``jobs/tracing_sdk.py`` builds the SDK provider (parent-based
ratio sampler, the item ids on every span, :class:`jobs.tracing_sdk.SafeSpanExporter` in front
of the exporter) and the exporter:

- ``otlp``: OTLP/HTTP protobuf (``POST .../v1/traces``) to :func:`resolve_endpoint` only,
  batched (a background thread; queued spans are sent at shutdown and at interpreter exit);
  ``OTEL_EXPORTER_OTLP_HEADERS`` / ``..._CERTIFICATE`` / ``..._COMPRESSION`` are honoured by
  the exporter itself;
- ``console``: one JSON object per span on stderr;
- ``none``: spans are recorded (trace ids in the logs) and sent nowhere.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from agent import tracing
from agent.config import TracingConfig
from agent.errors import ConfigError

if TYPE_CHECKING:  # the SDK is imported only when tracing is enabled
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

log = logging.getLogger(__name__)

TRACES_PATH = "/v1/traces"
ENV_TRACES_ENDPOINT = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
ENV_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT"
ENV_SDK_DISABLED = "OTEL_SDK_DISABLED"


def resolve_endpoint(cfg: TracingConfig) -> str:
    """The OTLP/HTTP traces URL: ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` as it is, else
    ``OTEL_EXPORTER_OTLP_ENDPOINT`` + ``/v1/traces`` (the OpenTelemetry exporter
    specification's rule for the two variables), else ``[tracing] endpoint`` (+ ``/v1/traces``
    unless it already ends so). The environment wins over the file, as for the project's other
    URLs (``DRAFTGUARD_BROKER_URL``).

    Raises ConfigError (``tracing.endpoint``) when none is set: no default address is used."""
    full = os.environ.get(ENV_TRACES_ENDPOINT, "").strip()
    if full:
        return full
    env_base = os.environ.get(ENV_ENDPOINT, "").strip()
    if env_base:
        return env_base.rstrip("/") + TRACES_PATH
    if not cfg.endpoint:
        raise ConfigError(f"tracing exporter 'otlp' needs an endpoint: set [tracing] endpoint or {ENV_ENDPOINT}", key="tracing.endpoint")
    base = cfg.endpoint.rstrip("/")
    return base if base.endswith(TRACES_PATH) else base + TRACES_PATH


def _make_exporter(cfg: TracingConfig, stream: TextIO | None) -> tuple[SpanExporter | None, str | None]:
    """(exporter, OTLP endpoint) for ``cfg.exporter``; (None, None) for ``none``."""
    if cfg.exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = resolve_endpoint(cfg)
        return OTLPSpanExporter(endpoint=endpoint, timeout=cfg.timeout_seconds), endpoint
    if cfg.exporter == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter(out=stream or sys.stderr), None
    return None, None


@dataclass
class TracingHandle:
    """Tracing as configured in this process: the SDK ``provider``, its ``exporter`` (None for
    ``exporter = "none"``) and the OTLP ``endpoint`` it sends to (None unless ``otlp``)."""

    provider: TracerProvider
    exporter: Any
    endpoint: str | None

    def shutdown(self) -> None:
        """Send what is queued (bounded by the exporter's timeout) and stop; draftguard's spans
        are no-op spans again. The SDK also flushes at interpreter exit."""
        global _handle
        self.provider.shutdown()
        tracing.set_provider(None)
        with _lock:
            if _handle is self:
                _handle = None


_lock = threading.Lock()
_handle: TracingHandle | None = None


def sdk_disabled() -> bool:
    """True when the environment says ``OTEL_SDK_DISABLED=true`` (the OpenTelemetry switch)."""
    return os.environ.get(ENV_SDK_DISABLED, "").strip().lower() == "true"


def configure_tracing(cfg: TracingConfig, *, stream: TextIO | None = None) -> TracingHandle | None:
    """Turn tracing on for this process as ``cfg`` says; idempotent (a later call returns the
    first handle: one configuration per process).

    Returns None, importing no SDK module, when ``cfg.enabled`` is false or
    ``OTEL_SDK_DISABLED=true``. Raises ConfigError for ``otlp`` without an endpoint
    (:func:`resolve_endpoint`). Also makes the provider the process's global one, for
    instrumentations that look there, when none was set. ``stream``: the console exporter's
    output (stderr)."""
    global _handle
    if not cfg.enabled or sdk_disabled():
        return None
    with _lock:
        if _handle is not None:
            return _handle
        from opentelemetry import trace

        from jobs.tracing_sdk import build_provider

        exporter, endpoint = _make_exporter(cfg, stream)
        provider = build_provider(cfg, [exporter] if exporter is not None else [])
        tracing.set_provider(provider)
        if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
            trace.set_tracer_provider(provider)
        _handle = TracingHandle(provider, exporter, endpoint)
    log.info("tracing on: exporter %s%s, sample ratio %s", cfg.exporter, f" to {endpoint}" if endpoint else "", cfg.sample_ratio)
    return _handle


def current_handle() -> TracingHandle | None:
    """The handle :func:`configure_tracing` returned in this process, or None (tracing off)."""
    return _handle
