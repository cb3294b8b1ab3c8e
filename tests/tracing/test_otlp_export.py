"""The OTLP/HTTP exporter on the real wire protocol: a process configured by ``[tracing]`` (through
``jobs/bootstrap.py``) sends protobuf ``ExportTraceServiceRequest``s by ``POST /v1/traces`` to a
collector stand-in on 127.0.0.1, and contacts nothing else."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from tests.tracing.test_config import clean_env
from tests.tracing.trace_worker import SECRET_TEXT

WORKER = Path(__file__).with_name("trace_worker.py")


class Collector:
    """An OTLP/HTTP receiver: keeps (path, content type, body) of every POST, answers 200 with
    an empty protobuf ExportTraceServiceResponse."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, str, bytes]] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                collector.posts.append((self.path, self.headers.get("content-type", ""), body))
                data = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> Collector:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def attrs(kvs) -> dict:
    out = {}
    for kv in kvs:
        v = kv.value
        out[kv.key] = v.string_value if v.HasField("string_value") else v.int_value if v.HasField("int_value") else str(v)
    return out


@pytest.mark.parametrize("where", ["file", "environment"])
def test_spans_reach_the_configured_collector_as_protobuf_and_nothing_else_is_contacted(tmp_path, where):
    with Collector() as collector:
        endpoint = f"http://127.0.0.1:{collector.port}"
        env = clean_env()
        if where == "environment":
            env["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint
        config = tmp_path / "config.toml"
        config.write_text(
            f'[storage]\nurl = "sqlite:///{tmp_path}/dg.db"\n\n'
            f'[tracing]\nenabled = true\nexporter = "otlp"\nservice_name = "draftguard-test"\n'
            + (f'endpoint = "{endpoint}"\n' if where == "file" else "")
        )
        proc = subprocess.run([sys.executable, str(WORKER), "otlp", str(config)], capture_output=True, text=True, timeout=180, env=env)
        assert proc.returncode == 0, proc.stderr
        out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["endpoint"] == f"{endpoint}/v1/traces"
    assert collector.posts, "no export reached the collector"
    spans, resources = [], []
    for path, content_type, body in collector.posts:
        assert path == "/v1/traces" and content_type == "application/x-protobuf"
        assert SECRET_TEXT.encode() not in body and b"Lark Rise" not in body
        request = ExportTraceServiceRequest.FromString(body)
        for rs in request.resource_spans:
            resources.append(attrs(rs.resource.attributes))
            for ss in rs.scope_spans:
                spans.extend(ss.spans)
    assert {r["service.name"] for r in resources} == {"draftguard-test"}
    got = {s.name: s for s in spans}
    assert set(got) == {"item", "redact", "draft"}
    for s in spans:
        assert s.trace_id.hex() == out["trace_id"]
        a = attrs(s.attributes)
        assert a["draftguard.correlation_id"] == "c-otlp" and a["draftguard.item_id"] == 9
    assert got["redact"].parent_span_id == got["item"].span_id == got["draft"].parent_span_id
    assert attrs(got["redact"].attributes)["draftguard.entities"] == 4
    draft = got["draft"]
    assert draft.status.code == draft.status.STATUS_CODE_ERROR and draft.status.message == ""
    assert [(e.name, attrs(e.attributes)) for e in draft.events] == [("exception", {"exception.type": "RuntimeError"})]
    # the only network use: connections to the collector (the SQLite database is a file)
    connects = [where_ for event, where_ in out["sockets"] if event == "socket.connect"]
    assert connects and all(c == repr(("127.0.0.1", collector.port)) for c in connects), out["sockets"]
    lookups = [where_ for event, where_ in out["sockets"] if event == "socket.getaddrinfo"]
    assert all(c.startswith("('127.0.0.1'") for c in lookups), lookups
