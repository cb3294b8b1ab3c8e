"""The threaded JSON HTTP(S) server on 127.0.0.1 under the test fakes (tests/outlook/graph_fake.py's
Entra and Graph, tests/servers/oidc_idp.py's identity provider).

:class:`LocalJsonServer` binds a random free port on 127.0.0.1, serves HTTPS with a certificate
for ``127.0.0.1``/``localhost`` issued by a ``trustme.CA`` (or plain HTTP without one), answers
each request from ``handle`` in its own daemon thread, and stays quiet about clients that gave up
(connection, TLS or timeout errors). Subclasses implement::

    handle(method: str, path: str, headers: http.client.HTTPMessage, body: bytes)
        -> (status: int, payload: dict | list | bytes | None, headers: dict[str, str])

``payload`` ``None`` is an empty body, ``bytes`` are sent as they are, anything else as JSON.
Raising :class:`HttpAnswer` answers its status, body and headers; any other exception answers
500 with :meth:`LocalJsonServer.bug_body` (a bug in the fake shows, it does not hang the client).
"""

from __future__ import annotations

import json
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class HttpAnswer(Exception):
    """An answer raised from inside ``handle``: ``status`` (HTTP code), ``body`` (JSON-able,
    bytes or ``None``) and extra response ``headers``."""

    def __init__(self, status: int, body: Any, headers: dict | None = None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a client that gave up (timeout): quiet
        if not isinstance(sys.exc_info()[1], ConnectionError | ssl.SSLError | TimeoutError):
            super().handle_error(request, client_address)


class LocalJsonServer:
    """A threaded HTTP(S) server on ``127.0.0.1:<random port>`` (see the module docstring).

    ``ca``: a ``trustme.CA``; given, the server speaks TLS (``scheme`` ``"https"``), else plain
    HTTP. Class attributes a subclass may set: ``methods`` (the HTTP methods answered; others get
    the standard library's 501), ``content_type`` (of non-empty answers) and ``fixed_headers``
    (sent with every answer). ``port`` and ``scheme`` are known once constructed; :meth:`start`
    begins serving (also ``with``), :meth:`stop` shuts down and closes the socket."""

    methods: tuple[str, ...] = ("GET", "POST")
    content_type = "application/json"
    fixed_headers: dict[str, str] = {}

    def __init__(self, ca=None):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # TCP_NODELAY: with Nagle on, the body waits for the ACK of the headers, which the client delays up to 40 ms

            def log_message(self, *a):  # quiet
                pass

            def _do(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                try:
                    status, payload, headers = outer.handle(self.command, self.path, self.headers, body)
                except HttpAnswer as e:
                    status, payload, headers = e.status, e.body, e.headers
                except Exception as e:  # noqa: BLE001 - a bug in the fake answers 500, visibly
                    status, payload, headers = 500, outer.bug_body(e), {}
                data = b"" if payload is None else (payload if isinstance(payload, bytes) else json.dumps(payload).encode())
                self.send_response(status)
                if data:
                    self.send_header("Content-Type", outer.content_type)
                for k, v in {**outer.fixed_headers, **(headers or {})}.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if data:
                    self.wfile.write(data)

        for method in self.methods:
            setattr(Handler, f"do_{method}", Handler._do)

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.scheme = "http"
        if ca is not None:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ca.issue_cert("127.0.0.1", "localhost").configure_cert(ctx)
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.port: int = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def origin(self) -> str:
        """``http(s)://127.0.0.1:PORT`` (no trailing slash)."""
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def bug_body(self, exc: Exception) -> Any:
        """The body of the 500 answered when ``handle`` raised ``exc`` (not an :class:`HttpAnswer`)."""
        return {"error": "server_error", "error_description": repr(exc)}

    def handle(self, method: str, path: str, headers, body: bytes) -> tuple[int, Any, dict]:
        """Answer one request; see the module docstring. Subclasses must override it."""
        raise NotImplementedError

    def start(self):
        """Serve in a daemon thread; returns ``self``."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
