"""``[tracing]``: off by default (no SDK, no exporter, no socket), the endpoint's sources and
their order, the refusals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.config import Settings, TracingConfig, load_config
from agent.errors import ConfigError
from jobs.tracing import configure_tracing, current_handle, resolve_endpoint

WORKER = Path(__file__).with_name("trace_worker.py")
OTEL_ENV = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SDK_DISABLED", "OTEL_PYTHON_TRACER_PROVIDER")


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in OTEL_ENV}


def test_off_by_default_no_sdk_no_exporter_no_socket_and_no_op_spans():
    assert Settings().tracing.enabled is False
    proc = subprocess.run([sys.executable, str(WORKER), "off"], capture_output=True, text=True, timeout=120, env=clean_env())
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["handle"] is False
    assert out["recording"] == [False, False]
    assert out["carrier"] == {}
    assert out["provider"] == "ProxyTracerProvider"  # the API's no-op
    assert out["sdk_modules"] == []  # neither the SDK nor an exporter was imported
    assert out["sockets"] == []
    # the log line still carries the item's correlation id (no trace id: nothing is recorded)
    assert "inside an item [correlation_id=c-off item_id=1]" in proc.stderr


@pytest.mark.parametrize("exporter", ["otlp", "none"])
def test_otel_sdk_disabled_wins_over_the_file(monkeypatch, exporter):
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert configure_tracing(TracingConfig(enabled=True, exporter=exporter, endpoint="http://127.0.0.1:4318")) is None
    assert current_handle() is None


def test_endpoint_order_traces_variable_then_base_variable_then_file(monkeypatch):
    for k in OTEL_ENV:
        monkeypatch.delenv(k, raising=False)
    cfg = TracingConfig(enabled=True, endpoint="http://collector.internal:4318/")
    assert resolve_endpoint(cfg) == "http://collector.internal:4318/v1/traces"
    assert resolve_endpoint(TracingConfig(enabled=True, endpoint="https://otel.example/v1/traces")) == "https://otel.example/v1/traces"
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    assert resolve_endpoint(cfg) == "http://127.0.0.1:4318/v1/traces"
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:9999/custom")
    assert resolve_endpoint(cfg) == "http://127.0.0.1:9999/custom"


def test_otlp_without_any_endpoint_is_refused_not_defaulted(monkeypatch):
    for k in OTEL_ENV:
        monkeypatch.delenv(k, raising=False)
    with pytest.raises(ConfigError) as err:
        configure_tracing(TracingConfig(enabled=True, exporter="otlp"))
    assert err.value.key == "tracing.endpoint"
    assert current_handle() is None


@pytest.mark.parametrize(
    "table, problem",
    [
        ('endpoint = "grpc://127.0.0.1:4317"', "http"),
        ('endpoint = "https://user:pw@otel.example"', "credentials"),
        ("sample_ratio = 1.5", "sample_ratio"),
        ('exporter = "jaeger"', "exporter"),
        ('service_name = "draft guard"', "service_name"),
    ],
)
def test_bad_tracing_config_names_the_key(tmp_path, table, problem):
    path = tmp_path / "config.toml"
    path.write_text(f"[tracing]\nenabled = true\n{table}\n")
    with pytest.raises(ConfigError, match=problem):
        load_config(path)
