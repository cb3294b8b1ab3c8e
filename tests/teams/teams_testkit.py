"""A local HTTP server that plays Microsoft Teams for the notifier tests.

* Workflows webhook: ``POST /workflows/<id>/triggers/manual/paths/invoke?api-version=1&sig=<sig>``
  answers 202 with an empty body, like the Power Automate trigger; a wrong ``sig`` is 401.
  The body must match the Workflows envelope and the card Adaptive Card 1.4 (checked with
  ``jsonschema`` against tests/fixtures/adaptive-card-1.4.schema.json); otherwise 400.
* Graph: ``POST /v1.0/teams/{team}/channels/{channel}/messages`` with ``Authorization:
  Bearer <token>`` answers 201 with a chatMessage; the body must be html referencing the
  attachment id, and the attachment content a JSON *string* holding a valid card.

Faults on demand (consumed in order, one per request): ``("status", 500)``,
``("retry_after", 429, "1")``, ``("drop",)`` (close the connection without answering),
``("slow", 1.0)`` (accept the request and answer normally, but only after that many seconds:
a client with a shorter timeout gives up and posts again, while the slow post still lands).

Imported by the test modules (pytest's ``prepend`` import mode puts this folder on sys.path);
the Teams notifier tests in tests/jobs import it through ``tests.teams.teams_testkit``.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jsonschema

from agent.ports import Escalation

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "adaptive-card-1.4.schema.json"
SIG = "s3cr3t-Sig-Value_42"
GRAPH_TOKEN = "graph-delegated-token-xyz"


DRAFT = "Dear Ann Lee, we will refund 500 EUR by Friday. Call me on +44 20 7946 0000."


def make_escalation(**kw) -> Escalation:
    base = dict(
        review_task_id=7,
        item_id=42,
        correlation_id="5f0c2b1e-1111-2222-3333-444455556666",
        source="maildir:local",
        group="compliance",
        subject="Refund for order 1234",
        sender="ann.lee@client.example",
        rule_id="commitments_to_compliance",
        findings=(("commitment.refund", "high"), ("disclosure.missing", "medium")),
        draft_preview=DRAFT,
        model="gpt-4o-mini",
        prompt_template_id="reply/v1",
        link="https://outlook.office.com/mail/deeplink/read/AAMkAG%3D%3D",
    )
    base.update(kw)
    return Escalation(**base)


def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def card_validator() -> jsonschema.Draft7Validator:
    """Validator for an Adaptive Card (1.0-1.4 subset)."""
    return jsonschema.Draft7Validator(load_schema())


def webhook_validator() -> jsonschema.Draft7Validator:
    """Validator for the Workflows webhook envelope with its card."""
    schema = load_schema()
    env = {"$schema": schema["$schema"], "definitions": schema["definitions"], "allOf": [{"$ref": "#/definitions/WorkflowsWebhookMessage"}]}
    return jsonschema.Draft7Validator(env)


def validation_errors(validator: jsonschema.Draft7Validator, doc) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


@dataclass
class Received:
    """One request the fake saw: ``kind`` is ``webhook`` or ``graph``; ``errors`` schema problems."""

    kind: str
    path: str
    query: dict
    headers: dict
    body: object
    status: int
    errors: list[str] = field(default_factory=list)
    at: float = field(default_factory=time.monotonic)

    def summary(self) -> str:
        """One line for a failure message: when, status, the card's fallback text (no URL)."""
        text = ""
        try:
            text = (self.card or {}).get("fallbackText", "")
        except (KeyError, IndexError, TypeError, ValueError):
            text = "(no card)"
        return f"{self.at:.2f} {self.kind} {self.status} {text!r} {self.errors or ''}"

    @property
    def card(self) -> dict | None:
        if self.kind == "webhook":
            return self.body["attachments"][0]["content"]
        return json.loads(self.body["attachments"][0]["content"])


class FakeTeams:
    """The server; use as a context manager. ``received`` lists every request, faults included."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.faults: deque[tuple] = deque()
        self._lock = threading.Lock()
        self._webhook_validator = webhook_validator()
        self._card_validator = card_validator()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # URLs ---------------------------------------------------------------------------------
    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/workflows/0a1b2c/triggers/manual/paths/invoke?api-version=1&sig={SIG}"

    def group_webhook_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/workflows/{name}/triggers/manual/paths/invoke?api-version=1&sig={SIG}"

    @property
    def graph_base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # control --------------------------------------------------------------------------------
    def fail(self, *faults: tuple) -> None:
        """Queue faults for the next requests, in order."""
        with self._lock:
            self.faults.extend(faults)

    def successes(self, kind: str | None = None) -> list[Received]:
        return [r for r in self.received if r.status in (200, 201, 202) and (kind is None or r.kind == kind)]

    def __enter__(self) -> FakeTeams:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    # the handler -----------------------------------------------------------------------------
    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # TCP_NODELAY: with Nagle on, the body waits for the ACK of the headers, which the client delays up to 40 ms

            def log_message(self, *args) -> None:
                pass

            def _send(self, status: int, body: dict | None = None, headers: dict | None = None) -> None:
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                if body is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802 - stdlib name
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                kind = "graph" if parts.path.startswith("/v1.0/") else "webhook"
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                rec = Received(kind, parts.path, parse_qs(parts.query), dict(self.headers), body, 0)
                with fake._lock:
                    fake.received.append(rec)
                    fault = fake.faults.popleft() if fake.faults else None
                if fault is not None and fault[0] == "slow":
                    time.sleep(fault[1])
                    fault = None
                if fault is not None:
                    if fault[0] == "drop":
                        rec.status = -1
                        self.close_connection = True
                        try:
                            self.connection.shutdown(socket.SHUT_RDWR)
                        except OSError:
                            pass
                        return
                    if fault[0] == "status":
                        rec.status = fault[1]
                        return self._send(fault[1], {"error": {"code": "ServiceUnavailable", "message": "injected"}})
                    if fault[0] == "retry_after":
                        rec.status = fault[1]
                        return self._send(fault[1], {"error": {"code": "TooManyRequests", "message": "injected"}}, {"Retry-After": fault[2]})
                try:
                    if kind == "webhook":
                        self._webhook(rec, parts)
                    else:
                        self._graph(rec, parts)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting ("slow")
                    self.close_connection = True

            def _webhook(self, rec: Received, parts) -> None:
                if not re.fullmatch(r"/workflows/[\w-]+/triggers/manual/paths/invoke", parts.path) or rec.query.get("sig") != [SIG]:
                    rec.status = 401
                    return self._send(401, {"error": {"code": "DirectApiAuthorizationRequired", "message": "bad signature"}})
                rec.errors = ["not JSON"] if rec.body is None else validation_errors(fake._webhook_validator, rec.body)
                if rec.errors:
                    rec.status = 400
                    return self._send(400, {"error": {"code": "InvalidRequestContent", "message": "; ".join(rec.errors)[:500]}})
                rec.status = 202
                self._send(202, None, {"x-ms-workflow-run-id": f"08585{len(fake.received):06d}"})

            def _graph(self, rec: Received, parts) -> None:
                m = re.fullmatch(r"/v1\.0/teams/([^/]+)/channels/([^/]+)/messages", parts.path)
                if not m:
                    rec.status = 404
                    return self._send(404, {"error": {"code": "NotFound", "message": "no such path"}})
                if self.headers.get("Authorization") != f"Bearer {GRAPH_TOKEN}":
                    rec.status = 401
                    return self._send(401, {"error": {"code": "InvalidAuthenticationToken", "message": "Access token is empty or invalid."}})
                errors: list[str] = []
                body = rec.body if isinstance(rec.body, dict) else {}
                b = body.get("body") or {}
                atts = body.get("attachments") or []
                if b.get("contentType") != "html":
                    errors.append("body.contentType must be html")
                if len(atts) != 1:
                    errors.append("one attachment expected")
                else:
                    att = atts[0]
                    if f'<attachment id="{att.get("id")}"></attachment>' not in (b.get("content") or ""):
                        errors.append("body.content does not reference the attachment id")
                    if att.get("contentType") != "application/vnd.microsoft.card.adaptive":
                        errors.append("attachment contentType")
                    if not isinstance(att.get("content"), str):
                        errors.append("attachment content must be a JSON string")
                    else:
                        errors += validation_errors(fake._card_validator, json.loads(att["content"]))
                rec.errors = errors
                if errors:
                    rec.status = 400
                    return self._send(400, {"error": {"code": "BadRequest", "message": "; ".join(errors)[:500]}})
                rec.status = 201
                msg_id = f"16{len(fake.received):011d}"
                self._send(
                    201,
                    {
                        "id": msg_id,
                        "messageType": "message",
                        "createdDateTime": "2026-11-30T05:00:00.000Z",
                        "channelIdentity": {"teamId": m.group(1), "channelId": m.group(2)},
                        "body": b,
                        "attachments": atts,
                    },
                )

        return Handler
