"""A local OpenAI-compatible chat completions server for tests (127.0.0.1, random port).

Speaks the wire protocol the ``openai`` client uses: ``POST /v1/chat/completions`` with a
JSON body; answers a ``chat.completion`` object whose message content is the JSON the
requested ``json_schema`` response format asks for, with ``usage``. Faults on demand:
``fail_next`` answers that many requests with the given status (and ``retry-after-ms``
for 429), as the real API does. ``down`` (a status such as 503) answers every request with
it until set back to None: an endpoint that is down; ``stall_seconds`` holds every answer
that long first (a hung endpoint: the client's timeout fires). Every request body is kept in
``raw_bodies`` (answered or not) and the answered ones in ``requests``, so a test can check
what left the process and count the requests. ``arrivals`` keeps (epoch second, status) of every
request as it arrives (the status of a fault, else 200), so rate-limit tests can count requests per
window at the server; ``timeline`` keeps (arrival, answer about to be sent, body) of every answered request, in
epoch seconds, so concurrency tests can see which requests overlapped; ``usage`` is the ``usage``
object every answer reports.

Two roles share the endpoint, told apart by the prompt's marker: a request whose system message
starts with :data:`REVIEW_MARKER` is the risk reviewer's (``agent/risk_reviewer.py``), any other is
the drafter's. Reviewer requests are answered by ``review_answers`` (scripted, in order: a dict is
sent as JSON content, a str as the raw content, so a test can send garbage), then by ``reviewer``
(default: no risk found); drafter requests by ``responder``. Each answered request is also kept in
``draft_requests`` or ``review_requests``; ``review_down`` fails reviewer requests only. Stricter
than a lenient fake: each role must ask for its own strict ``json_schema`` (``DraftOutput`` /
``ReviewOutput``), else 400 as the real API answers a bad request.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PLACEHOLDER = re.compile(r"<[A-Z][A-Z_]*_\d+>")
REVIEW_MARKER = "[draftguard:risk_review"  # first characters of the reviewer's system prompt (risk_review/v1.j2)


def is_review(body: dict) -> bool:
    """True for a risk reviewer request (its system message starts with :data:`REVIEW_MARKER`)."""
    system = next((m.get("content") for m in body.get("messages", []) if m.get("role") == "system"), "")
    return isinstance(system, str) and system.startswith(REVIEW_MARKER)


def default_review(body: dict) -> dict:
    """The reviewer's default answer: no risk category."""
    return {"categories": []}


def review_text(body: dict) -> str:
    """The user message of a reviewer request (the redacted email and the draft)."""
    return next((m["content"] for m in body.get("messages", []) if m.get("role") == "user"), "")


def default_reply(body: dict) -> dict:
    """A structured draft that greets the first placeholder in the user message and reuses others.

    Reviewer requests never reach it (see the module docstring)."""
    user = next((m["content"] for m in body.get("messages", []) if m.get("role") == "user"), "")
    phs = list(dict.fromkeys(PLACEHOLDER.findall(user)))
    greet = phs[0] if phs else "there"
    others = " ".join(phs[1:3])
    reply = f"Dear {greet},\n\nThank you for your message. We have noted the details {others} and will confirm shortly.\n\nKind regards,\nNorthwind Client Services"
    return {"reply": reply, "intent": "information_request", "confidence": 0.82, "reasons": ["fake model"]}


SNIPPET_ID = re.compile(r"^\[(KB-[^\]\s]+)\]", re.MULTILINE)  # "[KB-fees-overview#2] Title" lines of reply/v2
_LANGUAGE = re.compile(r"Reply in the language of the client's message \(([a-z]{2,3})")
GROUNDED_TEXTS = {  # (greeting, answer with the cited article, no article, sign-off)
    "en": ("Dear", "Thank you for your question. Our article answers it:", "Thank you for your message. A member of our team will reply shortly.", "Kind regards,"),
    "de": ("Guten Tag", "vielen Dank für Ihre Frage. Unser Artikel beantwortet sie:", "vielen Dank für Ihre Nachricht. Ein Mitglied unseres Teams meldet sich in Kürze.", "Mit freundlichen Grüßen"),
    "fr": ("Bonjour", "merci pour votre question. Notre article y répond :", "merci pour votre message. Un membre de notre équipe vous répondra rapidement.", "Cordialement,"),
    "es": ("Estimado/a", "gracias por su consulta. Nuestro artículo la responde:", "gracias por su mensaje. Un miembro de nuestro equipo le responderá en breve.", "Atentamente,"),
}


def grounded_reply(body: dict) -> dict:
    """A drafter answer like a grounded model's (reply/v2 prompts, issue 14): written in the language
    the system prompt names (en, de, fr, es), quoting the first knowledge snippet of the user
    message and citing its id; without snippets a holding reply with ``citations: []``. Opt-in
    (pass it as ``responder``); :func:`default_reply` stays the default."""
    system = next((m.get("content") for m in body.get("messages", []) if m.get("role") == "system"), "") or ""
    user = next((m["content"] for m in body.get("messages", []) if m.get("role") == "user"), "")
    m = _LANGUAGE.search(system)
    hello, answer, holding, sign = GROUNDED_TEXTS.get(m.group(1) if m else "en", GROUNDED_TEXTS["en"])
    phs = list(dict.fromkeys(PLACEHOLDER.findall(user)))
    greet = f"{hello} {phs[0]}," if phs else f"{hello},"
    ids = SNIPPET_ID.findall(user)
    if ids:
        start = user.index(f"[{ids[0]}]")
        lines = user[start:].split("\n")
        quote = lines[1] if len(lines) > 1 else ""
        reply = f"{greet}\n\n{answer}\n\n{quote}\n\n{sign}\nNorthwind Client Services"
        return {"reply": reply, "intent": "information_request", "confidence": 0.8, "reasons": ["grounded fake model"], "citations": [ids[0]]}
    return {"reply": f"{greet}\n\n{holding}\n\n{sign}\nNorthwind Client Services", "intent": "information_request", "confidence": 0.7, "reasons": ["grounded fake model"], "citations": []}


class OpenAIServer:
    """Context manager running the fake server in a thread; ``base_url`` ends in ``/v1``."""

    def __init__(self, responder=default_reply, reviewer=default_review):
        self.responder = responder
        self.reviewer = reviewer
        self.review_answers: list[dict | str] = []  # scripted reviewer answers, used first, in order
        self.review_down: int | None = None  # every reviewer request answered with this status
        self.requests: list[dict] = []
        self.draft_requests: list[dict] = []
        self.review_requests: list[dict] = []
        self.raw_bodies: list[bytes] = []
        self.fail_next: list[tuple[int, dict]] = []  # (status, extra headers)
        self.down: int | None = None  # every request answered with this status
        self.stall_seconds = 0.0
        self.arrivals: list[tuple[float, int]] = []
        self.timeline: list[tuple[float, float, dict]] = []
        self.usage = {"prompt_tokens": 120, "completion_tokens": 40, "total_tokens": 160}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # TCP_NODELAY: with Nagle on, the body waits for the ACK of the headers, which the client delays up to 40 ms

            def log_message(self, *a):  # keep test output clean
                pass

            def _send(self, status: int, payload: dict, headers: dict | None = None):
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up (timeout) and closed the connection
                    self.close_connection = True

            def do_POST(self):
                arrived = time.time()
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                with server._lock:
                    server.raw_bodies.append(raw)
                    fault = server.fail_next.pop(0) if server.fail_next else None
                    if fault is None and server.down is not None:
                        fault = (server.down, {})
                    server.arrivals.append((time.time(), fault[0] if fault else 200))
                if server.stall_seconds:
                    time.sleep(server.stall_seconds)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, {"error": {"message": f"Unknown path {self.path}", "type": "invalid_request_error"}})
                    return
                if fault:
                    status, headers = fault
                    self._send(status, {"error": {"message": "injected fault", "type": "server_error", "code": None}}, headers)
                    return
                body = json.loads(raw)
                review = is_review(body)
                schema = (body.get("response_format") or {}).get("json_schema") or {}
                want = "ReviewOutput" if review else "DraftOutput"
                if schema.get("name") != want or schema.get("strict") is not True:
                    self._send(400, {"error": {"message": f"response_format must be the strict json_schema {want}", "type": "invalid_request_error"}})
                    return
                if review and server.review_down is not None:
                    self._send(server.review_down, {"error": {"message": "injected fault", "type": "server_error", "code": None}})
                    return
                with server._lock:
                    server.requests.append(body)
                    (server.review_requests if review else server.draft_requests).append(body)
                    scripted = server.review_answers.pop(0) if review and server.review_answers else None
                out = scripted if scripted is not None else (server.reviewer if review else server.responder)(body)
                # the answer's time is taken before it is written: once written, the client may send its next request
                # before this thread runs again (seen under load: a next request "arriving" 4 ms before this one's answer)
                answered = time.time()
                self._send(
                    200,
                    {
                        "id": f"chatcmpl-{len(server.requests)}",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": body.get("model", "fake"),
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": out if isinstance(out, str) else json.dumps(out), "refusal": None},
                                "finish_reason": "stop",
                                "logprobs": None,
                            }
                        ],
                        "usage": dict(server.usage),
                    },
                )
                with server._lock:
                    server.timeline.append((arrived, answered, body))

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True  # a stalled answer never holds up shutdown
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> OpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
