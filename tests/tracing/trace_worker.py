"""One process of the cross-process tracing tests (tests/tracing/), started by the tests.

Every mode records the process's socket activity with an audit hook (``socket.connect``,
``socket.bind``, ``socket.getaddrinfo``, ``socket.sendto``; installed by :func:`main`, so
importing this module for :data:`SECRET_TEXT` hooks nothing) before importing draftguard, and
prints one JSON object on stdout at the end with ``"sockets"`` (the events seen) and the
mode's findings.

``python trace_worker.py off``: tracing as a default config leaves it (``[tracing]`` absent):
spans, inject, a log line; reports what was imported and created.

``python trace_worker.py continue``: reads a carrier (JSON object: Celery-style headers) on
stdin, opens ``worker`` and ``redact`` spans under ``extract(carrier)`` with an in-memory
exporter, reports their trace ids and parents.

``python trace_worker.py otlp CONFIG_TOML``: loads the config file, runs ``jobs.bootstrap``
(which configures tracing from ``[tracing]``: the OTLP/HTTP exporter), runs one item's spans (one stage fails with a message that must not
leave), shuts tracing down (flush) and reports the trace id.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SOCKET_EVENTS = ("socket.connect", "socket.bind", "socket.getaddrinfo", "socket.sendto")
seen: list[list] = []


def _hook(event: str, args: tuple) -> None:
    if event in SOCKET_EVENTS:
        # connect/bind: (socket, address); getaddrinfo: (host, port, ...); sendto: (socket, address)
        where = args[1] if event != "socket.getaddrinfo" else (args[0], args[1])
        seen.append([event, repr(where)])


sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

SECRET_TEXT = "Mrs Quinzia Oyelaran-Brandt at 14 Lark Rise"  # a message no span may carry


def mode_off() -> dict:
    import logging

    from agent import tracing
    from agent.config import Settings
    from jobs.observability import install_log_correlation
    from jobs.tracing import configure_tracing, current_handle

    settings = Settings()
    handle = configure_tracing(settings.tracing)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    install_log_correlation()
    recording = []
    with tracing.item_span(item_id=1, correlation_id="c-off", source="maildir:local") as root:
        recording.append(root.recording)
        with tracing.stage_span("redact", item_id=1, correlation_id="c-off", source="maildir:local") as s:
            recording.append(s.recording)
            logging.getLogger("draftguard.test").info("inside an item")
            carrier = tracing.inject({})
    from opentelemetry import trace

    return {
        "handle": handle is not None or current_handle() is not None,
        "recording": recording,
        "carrier": carrier,
        "provider": type(trace.get_tracer_provider()).__name__,
        "sdk_modules": sorted(m for m in sys.modules if m.startswith(("opentelemetry.sdk", "opentelemetry.exporter"))),
    }


def mode_continue() -> dict:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from agent import tracing
    from agent.config import TracingConfig
    from jobs.tracing_sdk import build_provider

    carrier = json.loads(sys.stdin.read())
    memory = InMemorySpanExporter()
    tracing.set_provider(build_provider(TracingConfig(enabled=True, exporter="none"), [memory], batch=False))
    with tracing.stage_span("worker", item_id=42, correlation_id="c-42", source="maildir:local", parent=tracing.extract(carrier)):
        with tracing.stage_span("redact", item_id=42, correlation_id="c-42", source="maildir:local"):
            pass
    return {
        "spans": [
            {
                "name": s.name,
                "trace_id": format(s.context.trace_id, "032x"),
                "span_id": format(s.context.span_id, "016x"),
                "parent_id": format(s.parent.span_id, "016x") if s.parent else None,
                "remote_parent": bool(s.parent and s.parent.is_remote),
                "correlation_id": s.attributes.get("draftguard.correlation_id"),
            }
            for s in memory.get_finished_spans()
        ]
    }


def mode_otlp(config_path: str) -> dict:
    from agent import tracing
    from agent.config import load_config
    from jobs.bootstrap import bootstrap
    from jobs.tracing import current_handle

    settings = load_config(Path(config_path))
    runtime = bootstrap(settings)  # the composition root turns tracing on from [tracing]
    handle = current_handle()
    with tracing.item_span(item_id=9, correlation_id="c-otlp", source="maildir:local") as root:
        trace_id = root.trace_id
        with tracing.stage_span("redact", item_id=9, correlation_id="c-otlp", source="maildir:local", entities=4):
            pass
        try:
            with tracing.stage_span("draft", item_id=9, correlation_id="c-otlp", source="maildir:local"):
                raise RuntimeError(SECRET_TEXT)
        except RuntimeError:
            pass
    runtime.close()
    handle.shutdown()  # send the batch now
    return {"trace_id": trace_id, "endpoint": handle.endpoint}


def main() -> None:
    sys.addaudithook(_hook)  # before any draftguard or OpenTelemetry module is imported
    mode = sys.argv[1]
    if mode == "off":
        out = mode_off()
    elif mode == "continue":
        out = mode_continue()
    elif mode == "otlp":
        out = mode_otlp(sys.argv[2])
    else:
        raise SystemExit(f"unknown mode {mode}")
    out["sockets"] = seen
    print(json.dumps(out))


if __name__ == "__main__":
    main()
