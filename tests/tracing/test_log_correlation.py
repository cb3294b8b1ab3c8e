"""Log lines inside an item carry its correlation id, and the trace and span ids of the current
span when one is recorded: the service's JSON lines (structlog and stdlib loggers) and the
CLI's plain lines."""

from __future__ import annotations

import io
import json
import logging

import pytest
import structlog

from agent import tracing
from agent.config import ObservabilityConfig
from jobs.observability import bind_item, configure_logging, get_logger, install_log_correlation

ITEM = {"item_id": 5, "correlation_id": "9f1c7e4a-1d2b-4f0e-8b8a-6c2d9e0f1a2b", "source": "maildir:local"}


@pytest.fixture
def json_lines():
    stream = io.StringIO()
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    configure_logging(ObservabilityConfig(log_level="DEBUG", log_format="json"), stream=stream, force=True)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    for h in list(root.handlers):
        if h.get_name() == "draftguard":
            root.removeHandler(h)
    for h in handlers:
        root.addHandler(h)
    root.setLevel(level)
    structlog.reset_defaults()


@pytest.fixture
def plain():
    """A logger with the CLI's handler (main.py: logging.basicConfig's format) on a StringIO."""
    stream = io.StringIO()
    logger = logging.getLogger("draftguard.test.cli")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    yield logger, stream
    logger.removeHandler(handler)
    logger.propagate = True


def test_json_lines_inside_a_span_carry_the_correlation_trace_and_span_ids(spans, json_lines):
    std = logging.getLogger("draftguard.test.std")
    slog = get_logger("draftguard.test.structlog")
    std.info("before the item")
    with tracing.item_span(**ITEM), tracing.stage_span("redact", **ITEM) as s:
        std.warning("stdlib line")
        slog.info("structlog line", entities=3)
    std.info("after the item")
    by_event = {line["event"]: line for line in json_lines()}
    for event in ("stdlib line", "structlog line"):
        line = by_event[event]
        assert line["correlation_id"] == ITEM["correlation_id"] and line["item_id"] == ITEM["item_id"]
        assert line["trace_id"] == s.trace_id and line["span_id"] == s.span_id
        assert len(line["trace_id"]) == 32 and len(line["span_id"]) == 16
    for event in ("before the item", "after the item"):
        assert not {"correlation_id", "trace_id", "span_id"} & set(by_event[event])


def test_with_tracing_off_lines_still_carry_the_correlation_id(json_lines):
    with tracing.stage_span("redact", **ITEM):
        logging.getLogger("draftguard.test").info("no span recorded")
    line = json_lines()[-1]
    assert line["correlation_id"] == ITEM["correlation_id"]
    assert "trace_id" not in line and "span_id" not in line


def test_the_cli_format_shows_the_ids_and_stays_unchanged_outside_an_item(spans, plain):
    logger, stream = plain
    install_log_correlation(logger)
    install_log_correlation(logger)  # idempotent: one filter, one suffix
    logger.info("outside")
    with tracing.item_span(**ITEM), tracing.stage_span("deliver", **ITEM) as s:
        logger.warning("quarantined maildir:local/42 at stage deliver")
    lines = stream.getvalue().splitlines()
    assert lines[0] == "INFO draftguard.test.cli: outside"
    assert lines[1] == (
        f"WARNING draftguard.test.cli: quarantined maildir:local/42 at stage deliver "
        f"[correlation_id={ITEM['correlation_id']} item_id=5 trace_id={s.trace_id} span_id={s.span_id}]"
    )


def test_the_pipelines_log_binding_alone_shows_on_cli_lines(plain):
    """agent/pipeline.py binds the correlation id with structlog contextvars (bind_item) today."""
    logger, stream = plain
    install_log_correlation(logger)
    with bind_item("c-bound", item_id=8):
        logger.info("drafting")
    assert stream.getvalue().splitlines() == ["INFO draftguard.test.cli: drafting [correlation_id=c-bound item_id=8]"]


def test_other_handlers_and_formatters_are_left_alone():
    logger = logging.getLogger("draftguard.test.other")
    brace = logging.StreamHandler(io.StringIO())
    brace.setFormatter(logging.Formatter("{levelname} {message}", style="{"))

    class Capture(logging.StreamHandler):
        pass

    capture = Capture(io.StringIO())
    capture.setFormatter(logging.Formatter("%(message)s"))
    for h in (brace, capture):
        logger.addHandler(h)
    try:
        install_log_correlation(logger)
        assert brace.formatter._fmt == "{levelname} {message}" and not brace.filters
        assert capture.formatter._fmt == "%(message)s" and not capture.filters
    finally:
        for h in (brace, capture):
            logger.removeHandler(h)
