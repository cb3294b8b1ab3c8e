"""Fixtures of the tracing tests: an SDK provider with an in-memory exporter behind the same
gate as production (``jobs/tracing_sdk.py: build_provider``), installed for one test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agent import tracing
from agent.config import TracingConfig
from jobs.tracing_sdk import build_provider


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Finished spans of the test, as exported (after :class:`SafeSpanExporter`)."""
    memory = InMemorySpanExporter()
    provider = build_provider(TracingConfig(enabled=True, exporter="none"), [memory], batch=False)
    tracing.set_provider(provider)
    try:
        yield memory
    finally:
        tracing.set_provider(None)
        provider.shutdown()


def by_name(memory: InMemorySpanExporter) -> dict:
    """name -> the finished span (names must be unique in the test)."""
    out = {}
    for s in memory.get_finished_spans():
        assert s.name not in out, f"two spans named {s.name}"
        out[s.name] = s
    return out
