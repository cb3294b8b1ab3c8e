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
"""

from __future__ import annotations

import hmac
import logging

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.secret_key, salt="csrf")


def csrf_token(request: Request) -> str:
    """The token to put in this session's forms (a signed copy of the session's CSRF secret)."""
    return _serializer(request).dumps(csrf_secret(request))


async def check_csrf(request: Request) -> None:
    """App-wide dependency: unsafe methods must carry this session's CSRF token (form field
    ``csrf_token`` or header ``X-CSRF-Token``). Raises HTTP 403 otherwise (logged without
    personal data: method and path only)."""
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
