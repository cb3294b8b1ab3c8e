"""Web security for every response and every form: the security headers and CSRF tokens.

* Headers (:class:`SecurityHeaders`, pure ASGI middleware): a Content-Security-Policy that
  allows scripts, styles and images from the console's own origin only (no inline script or
  style, no ``eval``, no plugins, no framing: ``frame-ancestors 'none'``), plus
  ``X-Frame-Options: DENY``, ``X-Content-Type-Options: nosniff``, ``Referrer-Policy:
  same-origin``, ``Cross-Origin-Opener-Policy: same-origin`` and ``Cache-Control: no-store``
  on pages (client text must not sit in shared caches).
* CSRF (synchroniser token): each session holds a random secret (``console/session.py``); a
  form carries ``csrf_token`` = that secret signed with itsdangerous (salt ``csrf``), checked by
  :func:`check_csrf` on every POST/PUT/PATCH/DELETE, the one app-wide dependency. htmx requests
  may send it in the ``X-CSRF-Token`` header instead. Paths in ``app.state.csrf_exempt``
  (e.g. an identity provider's form_post callback, which checks its own ``state``) are skipped.
* Host and Origin (against DNS rebinding and cross-site posts): Starlette's
  ``TrustedHostMiddleware`` answers 400 to a ``Host`` not in :func:`trusted_hosts`; and
  :func:`check_csrf` first refuses (403) an unsafe request whose ``Origin`` header is present
  and not one of :func:`trusted_origins` (same exemptions as the CSRF token).
"""

from __future__ import annotations

import hmac
import logging
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from console.config import ConsoleConfig
from console.session import csrf_secret

log = logging.getLogger("draftguard.console")

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def content_security_policy(form_action_extra: tuple[str, ...] = ()) -> str:
    """The CSP header value; ``form_action_extra`` adds origins a form may post/redirect to."""
    form_action = " ".join(("'self'", *form_action_extra))
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        f"connect-src 'self'; form-action {form_action}; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
    )


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response; the CSP is read
    from ``app.state.csp`` at each response (so routers added later can widen ``form-action``)."""

    def __init__(self, app: ASGIApp, state) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = {
                    b"content-security-policy": self.state.csp.encode(),
                    b"x-frame-options": b"DENY",
                    b"x-content-type-options": b"nosniff",
                    b"referrer-policy": b"same-origin",
                    b"cross-origin-opener-policy": b"same-origin",
                    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
                }
                if not scope["path"].startswith("/static/"):
                    extra[b"cache-control"] = b"no-store"
                headers += [(k, v) for k, v in extra.items() if k not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_wrapper)


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _host_name(host: str) -> str:
    """``host`` as a ``Host`` header names it: lower case, an IPv6 literal in brackets."""
    host = host.strip().strip("[]").lower()
    return f"[{host}]" if ":" in host else host


def trusted_hosts(cfg: ConsoleConfig) -> list[str]:
    """The host names (no port) the console answers to: the ``public_url`` host, the configured
    ``[console] host``, ``localhost`` and ``127.0.0.1`` (IPv6 literals in brackets, as in a
    ``Host`` header). Any other ``Host`` (e.g. a DNS-rebinding page's own name) gets 400."""
    names = [urlsplit(cfg.public_url).hostname or ""] if cfg.public_url else []
    names += [cfg.host, "localhost", "127.0.0.1"]
    return list(dict.fromkeys(_host_name(n) for n in names if n.strip()))


def _origin(scheme: str, host: str, port: int | None) -> str:
    scheme = scheme.lower()
    suffix = "" if port is None or port == _DEFAULT_PORTS.get(scheme) else f":{port}"
    return f"{scheme}://{_host_name(host)}{suffix}"


def trusted_origins(cfg: ConsoleConfig) -> frozenset[str]:
    """The browser origins (``scheme://host[:port]``, default port omitted, as browsers send
    ``Origin``) of the console itself: the base URL's (``public_url``, else
    ``http://{host}:{port}``) and ``http://{h}:{port}`` for each :func:`trusted_hosts` name
    (the console reached directly on its bind port)."""
    base = urlsplit(cfg.base_url())
    origins = {_origin(base.scheme, base.hostname or "", base.port)}
    origins.update(_origin("http", h, cfg.port) for h in trusted_hosts(cfg))
    return frozenset(origins)


def check_origin(request: Request) -> None:
    """Refuse (HTTP 403) an unsafe request (POST/PUT/PATCH/DELETE) whose ``Origin`` header is
    present and not one of :func:`trusted_origins` (``Origin: null`` included); a request
    without ``Origin`` passes (the CSRF token still applies). Logged with method and path only."""
    origin = request.headers.get("origin")
    if origin is None or request.method not in UNSAFE_METHODS or request.url.path in request.app.state.csrf_exempt:
        return
    if origin.strip().lower() not in request.app.state.trusted_origins:
        log.warning("console: cross-origin request refused: %s %s", request.method, request.url.path)
        raise HTTPException(status_code=403, detail="This request did not come from a page of this console.")


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.secret_key, salt="csrf")


def csrf_token(request: Request) -> str:
    """The token to put in this session's forms (a signed copy of the session's CSRF secret)."""
    return _serializer(request).dumps(csrf_secret(request))


async def check_csrf(request: Request) -> None:
    """App-wide dependency: unsafe methods must carry this session's CSRF token (form field
    ``csrf_token`` or header ``X-CSRF-Token``). Raises HTTP 403 otherwise (logged without
    personal data: method and path only). Checks the ``Origin`` header first
    (:func:`check_origin`)."""
    check_origin(request)
    if request.method not in UNSAFE_METHODS or request.url.path in request.app.state.csrf_exempt:
        return
    token = request.headers.get(CSRF_HEADER)
    if not token:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            token = value if isinstance(value, str) else None
    expected = request.session.get("csrf")
    ok = False
    if token and expected:
        try:
            got = _serializer(request).loads(token, max_age=request.app.state.settings.console.absolute_minutes * 60)
            ok = isinstance(got, str) and hmac.compare_digest(got, expected)
        except BadSignature:
            ok = False
    if not ok:
        log.warning("console: CSRF check failed: %s %s", request.method, request.url.path)
        raise HTTPException(status_code=403, detail="The form expired or did not come from this console. Reload the page and try again.")
