"""Structured logs, the redaction of what they may carry, and the local metrics/health server.

Logging: :func:`configure_logging` (idempotent) routes both ``structlog`` and the
standard library (APScheduler, urllib3, alembic) through one JSON renderer on stderr.
Every record passes :func:`redact`: keys that name a secret or a body are dropped
(``token``, ``secret``, ``password``, ``api_key``, ``authorization``, ``cookie``,
``credential``, ``body`` ...), e-mail addresses in any value are masked to
``***@domain``, ``Bearer`` tokens and URL signature parameters (``sig=``, the
secret part of a Workflows webhook URL) are replaced by ``***``. urllib3's DEBUG
request lines (they contain URLs) are silenced at WARNING.

Correlation: :func:`bind_item` binds ``correlation_id`` (and ``item_id``) in
``structlog.contextvars`` for the duration of one item; every log line inside carries it.
:func:`add_trace_ids` adds the ids of the current ``agent.tracing`` stage span (correlation id,
item id, ``trace_id``, ``span_id`` when a recorded span is current) to every JSON/console line;
:class:`CorrelationFilter` / :func:`install_log_correlation` do the same for the CLI's plain
``logging`` lines (``... [correlation_id=... trace_id=... span_id=...]``).

HTTP: :func:`start_http_server` serves ``/metrics`` (Prometheus text format, via
``prometheus_client.make_wsgi_app``) and ``/healthz`` (JSON, 200 or 503) from a
daemon thread on ``127.0.0.1`` by default.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from typing import Any, TextIO
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import structlog
from prometheus_client import REGISTRY, CollectorRegistry, make_wsgi_app

from agent import tracing
from agent.config import ObservabilityConfig

# --- redaction ------------------------------------------------------------------------
_SENSITIVE_PARTS = frozenset(
    {
        "secret",
        "token",
        "password",
        "passwd",
        "pwd",
        "apikey",
        "authorization",
        "auth",
        "cookie",
        "credential",
        "credentials",
        "body",
        "signature",
        "sig",
    }
)
_SAFE_SUFFIXES = ("sha256", "hash", "chars", "bytes", "len", "count")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})")
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*")
_URL_SECRET = re.compile(r"(?i)([?&](?:sig|signature|code|access_token|token|key|api-key)=)[^&\s'\"]+")
_SPLIT = re.compile(r"[_\-\s.]+|(?<=[a-z])(?=[A-Z])")
REDACTED = "***"


def is_sensitive_key(key: str) -> bool:
    """True for a key that names a secret or message content (``api_key``, ``access_token``,
    ``body_text``, ``clientSecret``); keys ending in a hash/count suffix (``body_sha256``) are kept."""
    parts = [p.lower() for p in _SPLIT.split(str(key)) if p]
    if not parts:
        return False
    if parts[-1] in _SAFE_SUFFIXES:
        return False
    joined = "".join(parts)
    if "apikey" in joined or "clientsecret" in joined:
        return True
    return any(p in _SENSITIVE_PARTS for p in parts)


def mask_text(text: str) -> str:
    """Mask e-mail addresses (``***@domain``), bearer tokens and URL signature parameters."""
    text = _EMAIL.sub(lambda m: f"{REDACTED}@{m.group(1)}", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    return _URL_SECRET.sub(lambda m: f"{m.group(1)}{REDACTED}", text)


def _scrub(value: Any, depth: int = 0) -> Any:
    if depth > 6:
        return REDACTED
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: _scrub(v, depth + 1) for k, v in value.items() if not is_sensitive_key(k)}
    if isinstance(value, list | tuple | set | frozenset):
        return [_scrub(v, depth + 1) for v in value]
    if isinstance(value, int | float | bool) or value is None:
        return value
    return mask_text(str(value))


def redact(_logger: Any, _method: str, event_dict: dict) -> dict:
    """structlog processor: drop sensitive keys, mask addresses/tokens in every value."""
    out: dict = {}
    for k, v in event_dict.items():
        if k.startswith("_"):  # structlog/stdlib internals (_record, _from_structlog)
            out[k] = v
        elif not is_sensitive_key(k):
            out[k] = _scrub(v)
    return out


# --- logging ------------------------------------------------------------------------
def _drop_message_copy(_logger: Any, _method: str, event_dict: dict) -> dict:
    """A stdlib record formatted by another handler first carries ``message`` = ``event``: drop it."""
    if event_dict.get("message") == event_dict.get("event"):
        event_dict.pop("message", None)
    return event_dict


def log_ids() -> dict[str, Any]:
    """The ids the current log line carries: ``correlation_id`` and ``item_id`` of the item in
    hand (the enclosing ``agent.tracing`` stage span, else :func:`bind_item`'s binding), and
    ``trace_id`` / ``span_id`` when a recorded span is current. Empty outside an item."""
    ids = tracing.current_ids()
    bound = structlog.contextvars.get_contextvars()
    for key in ("correlation_id", "item_id"):
        if key not in ids and bound.get(key) is not None:
            ids[key] = bound[key]
    return ids


def add_trace_ids(_logger: Any, _method: str, event_dict: dict) -> dict:
    """structlog processor: :func:`log_ids` on the line (values already bound are kept)."""
    for key, value in log_ids().items():
        event_dict.setdefault(key, value)
    return event_dict


_LOG_ID_KEYS = ("correlation_id", "item_id", "trace_id", "span_id")


class CorrelationFilter(logging.Filter):
    """A handler filter for plain ``logging`` output: sets ``record.correlation_id``,
    ``record.item_id``, ``record.trace_id``, ``record.span_id`` (``""`` when absent) and
    ``record.log_ids`` (`` [correlation_id=… item_id=… trace_id=… span_id=…]``, only the ids
    present; ``""`` outside an item) for a format string to show. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        ids = log_ids()
        for key in _LOG_ID_KEYS:
            setattr(record, key, ids.get(key, ""))
        present = " ".join(f"{k}={ids[k]}" for k in _LOG_ID_KEYS if k in ids)
        record.log_ids = f" [{present}]" if present else ""
        return True


def install_log_correlation(logger: logging.Logger | None = None) -> None:
    """Make the plain-text handlers of ``logger`` (the root logger: the CLI's
    ``logging.basicConfig`` handler) show :func:`log_ids` after each message: a
    :class:`CorrelationFilter` on each, and ``%(log_ids)s`` appended to a stdlib
    ``logging.Formatter`` %-style format that lacks it. Other handler classes (a test
    harness's capture handler) and other formatters (the service's structlog JSON, which has
    :func:`add_trace_ids`) are left alone. Idempotent."""
    for handler in (logger or logging.getLogger()).handlers:
        if type(handler) is not logging.StreamHandler:  # not a test harness's capture handler
            continue
        fmt = handler.formatter
        if fmt is not None and (type(fmt) is not logging.Formatter or type(fmt._style) is not logging.PercentStyle):
            continue
        if not any(isinstance(f, CorrelationFilter) for f in handler.filters):
            handler.addFilter(CorrelationFilter())
        pattern = fmt._fmt if fmt is not None else logging.BASIC_FORMAT
        if "%(log_ids)s" not in (pattern or ""):
            handler.setFormatter(logging.Formatter(f"{pattern}%(log_ids)s", fmt.datefmt if fmt is not None else None))


_configured = False
_config_lock = threading.Lock()


def configure_logging(cfg: ObservabilityConfig | None = None, *, stream: TextIO | None = None, force: bool = False) -> None:
    """Configure structlog + stdlib logging once per process (``force`` re-configures, for tests).

    Output on ``stream`` (stderr): one JSON object per line with ``timestamp`` (ISO 8601 UTC),
    ``level``, ``logger``, ``event``, the bound context and :func:`log_ids` (``correlation_id``,
    ``item_id``, ``trace_id``, ``span_id`` inside an item); with
    ``log_format = "console"`` (or ``"auto"`` on an interactive terminal) the same fields as one
    readable line (structlog's ConsoleRenderer, no colours)."""
    global _configured
    cfg = cfg or ObservabilityConfig()
    with _config_lock:
        if _configured and not force:
            return
        shared: list = [
            structlog.contextvars.merge_contextvars,
            add_trace_ids,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
        ]
        out = stream or sys.stderr
        fmt = cfg.log_format if cfg.log_format != "auto" else ("console" if out.isatty() else "json")  # readable on a terminal
        renderer = structlog.processors.JSONRenderer(sort_keys=False) if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
        structlog.configure(
            processors=[*shared, structlog.stdlib.PositionalArgumentsFormatter(), structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
            logger_factory=structlog.stdlib.LoggerFactory(),
            wrapper_class=structlog.stdlib.BoundLogger,
            cache_logger_on_first_use=False,
        )
        formatter = structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder(), _drop_message_copy],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                redact,
                renderer,
            ],
        )
        handler = logging.StreamHandler(out)
        handler.setFormatter(formatter)
        handler.set_name("draftguard")
        root = logging.getLogger()
        for h in list(root.handlers):  # one output only (main.py's basicConfig handler included)
            root.removeHandler(h)
        root.addHandler(handler)
        root.setLevel(cfg.log_level)
        # urllib3 logs "POST /path?query" at DEBUG: webhook URLs carry their signature there.
        logging.getLogger("urllib3").setLevel(logging.WARNING)
        logging.getLogger("apscheduler").setLevel(max(logging.INFO, root.level))
        logging.getLogger("alembic").setLevel(logging.WARNING)
        _configured = True


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    """A structlog logger (stdlib-backed: works before and after :func:`configure_logging`)."""
    return structlog.stdlib.get_logger(name)


@contextlib.contextmanager
def bind_item(correlation_id: str, **extra: Any) -> Iterator[None]:
    """Bind ``correlation_id`` (and ``extra``, e.g. ``item_id``) to every log line in the block."""
    with structlog.contextvars.bound_contextvars(correlation_id=correlation_id, **extra):
        yield


# --- metrics / health server -----------------------------------------------------------
class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


HealthCheck = Callable[[], tuple[bool, dict[str, Any]]]


@dataclass
class MetricsServer:
    """A running metrics/health server: ``port`` actually bound, ``stop()`` to close it."""

    host: str
    port: int
    _server: WSGIServer
    _thread: threading.Thread

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def make_app(health: HealthCheck | None = None, registry: CollectorRegistry = REGISTRY, before_scrape: Callable[[], Any] | None = None):
    """The WSGI app: ``/metrics`` (Prometheus text), ``/healthz`` (JSON; 503 when unhealthy)."""
    metrics_app = make_wsgi_app(registry)

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            if before_scrape is not None:
                try:
                    before_scrape()
                except Exception as exc:  # never fail a scrape on a refresh error
                    logging.getLogger(__name__).warning("metrics refresh failed: %s", type(exc).__name__)
            return metrics_app(environ, start_response)
        if path == "/healthz":
            ok, detail = (True, {}) if health is None else _safe_health(health)
            body = json.dumps({"status": "ok" if ok else "unhealthy", **detail}).encode()
            start_response("200 OK" if ok else "503 Service Unavailable", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        body = b"not found\n"
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    return app


def _safe_health(health: HealthCheck) -> tuple[bool, dict[str, Any]]:
    try:
        return health()
    except Exception as exc:
        return False, {"error": type(exc).__name__}


def start_http_server(
    port: int,
    host: str = "127.0.0.1",
    *,
    health: HealthCheck | None = None,
    registry: CollectorRegistry = REGISTRY,
    before_scrape: Callable[[], Any] | None = None,
) -> MetricsServer:
    """Serve ``/metrics`` and ``/healthz`` on ``host:port`` from a daemon thread.

    ``port`` 0 picks a free port (see :attr:`MetricsServer.port`). Raises OSError when the
    port is taken."""
    server = make_server(host, port, make_app(health, registry, before_scrape), server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="draftguard-metrics", daemon=True)
    thread.start()
    return MetricsServer(host, server.server_port, server, thread)
