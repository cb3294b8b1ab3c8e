"""The console's ASGI app: :func:`create_app` wires the session cookie, the security headers,
CSRF, the templates, the static files and the routers.

Routers (each a FastAPI ``APIRouter`` in ``console/routes/`` or ``console/auth/``)::

    /login, /login/local, /logout     console/routes/signin.py
    /, /queue                          console/routes/queue.py
    /items/{id} (+ actions)            console/routes/items.py
    (OIDC sign-in, audit, dashboard)   see the marked spot in create_app

``app.state`` holds: ``settings``, ``services`` (:class:`console.services.ConsoleServices`),
``templates``, ``local_login`` (bool), ``sign_in_links`` (list of ``(label, url)`` the sign-in
page shows: a sign-in router appends its own), ``csrf_exempt`` (paths), ``csp`` (header value,
rebuilt by :func:`allow_form_action`), ``trusted_origins`` (:func:`console.security.trusted_origins`),
``secret_key``, ``clock`` (``time.time``; tests replace it).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import time
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import jinja2
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from agent.config import Settings
from agent.errors import ConfigError
from console.authz import SignInRequired
from console.config import is_loopback_host
from console.security import (
    SecurityHeaders,
    check_csrf,
    content_security_policy,
    csrf_token,
    trusted_hosts,
    trusted_origins,
)
from console.services import ConsoleServices
from console.session import current_identity

log = logging.getLogger("draftguard.console")

HERE = Path(__file__).resolve().parent
COOKIE_NAME = "draftguard_console"
#: the shortest session secret accepted (characters)
MIN_SECRET_CHARS = 32


def session_secret(settings: Settings, *, local_login: bool) -> str:
    """The session-signing secret from the environment variable ``[console] secret_env``.

    With ``local_login`` and no variable set, a random per-process secret (sessions end when
    the process stops). Raises ConfigError when it is missing otherwise or shorter than
    :data:`MIN_SECRET_CHARS`."""
    env = settings.console.secret_env
    value = os.environ.get(env, "")
    if not value:
        if local_login:
            return secrets.token_urlsafe(48)
        raise ConfigError(
            f"the console needs a session secret: set the environment variable {env} to a random string of at least "
            f"{MIN_SECRET_CHARS} characters (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)",
            key="console.secret_env",
        )
    if len(value) < MIN_SECRET_CHARS:
        raise ConfigError(f"the session secret in {env} is shorter than {MIN_SECRET_CHARS} characters", key="console.secret_env")
    return value


def check_console_config(settings: Settings, *, local_login: bool) -> None:
    """Start-up check: ``--local-login`` only on a loopback host (the group names of
    ``[console]`` are checked when the config loads). Raises ConfigError naming the key."""
    if local_login and not is_loopback_host(settings.console.host):
        raise ConfigError(
            f"--local-login signs anyone in without a password: it only runs on a loopback address, not on {settings.console.host!r}",
            key="console.host",
        )


def allow_form_action(app: FastAPI, origin: str) -> None:
    """Let forms post or redirect to ``origin`` (e.g. an identity provider's authorize URL
    origin) in the CSP ``form-action``."""
    if origin not in app.state.form_action_extra:
        app.state.form_action_extra.append(origin)
    app.state.csp = content_security_policy(tuple(app.state.form_action_extra))


_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def visible(value: object) -> str:
    """Client text with control, zero-width and bidi-override characters shown as ``⟨U+XXXX⟩``
    (so a terminal escape or a right-to-left override cannot disguise what the reviewer reads);
    newlines and tabs stay. Jinja2 escapes the result like any other text."""
    return _INVISIBLE.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", "" if value is None else str(value))


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=True,  # every template, whatever its name: client text is hostile
        undefined=jinja2.StrictUndefined,
    )
    env.filters["visible"] = visible
    templates = Jinja2Templates(env=env)
    return templates


def render(request: Request, name: str, context: dict | None = None, status_code: int = 200) -> Response:
    """Render ``console/templates/<name>`` with the common context: ``identity``, ``csrf_token``,
    ``local_login``, ``console`` (the config section)."""
    app = request.app
    ctx = {
        "identity": current_identity(request),
        "csrf_token": csrf_token(request),
        "local_login": app.state.local_login,
        "console": app.state.settings.console,
    }
    ctx.update(context or {})
    return app.state.templates.TemplateResponse(request, name, ctx, status_code=status_code)


def create_app(settings: Settings, *, local_login: bool = False, services: ConsoleServices | None = None, secret_key: str | None = None) -> FastAPI:
    """The console app for ``settings``.

    ``local_login`` offers sign-in as a configured reviewer without a password (loopback
    only, bannered on every page). ``services`` defaults to :func:`console.services.open_services`
    (database, lazy delivery runtime); ``secret_key`` defaults to :func:`session_secret`.
    Raises ConfigError for a bad ``[console]`` section or a missing secret."""
    check_console_config(settings, local_login=local_login)
    secret = secret_key or session_secret(settings, local_login=local_login)
    if services is None:
        from console.services import open_services

        services = open_services(settings)
    cfg = settings.console

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        services.close()

    app = FastAPI(
        title="draftguard review console", docs_url=None, redoc_url=None, openapi_url=None, dependencies=[Depends(check_csrf)], lifespan=lifespan
    )
    app.state.settings = settings
    app.state.services = services
    app.state.local_login = local_login
    app.state.templates = _templates()
    app.state.sign_in_links = []
    app.state.csrf_exempt = set()
    app.state.form_action_extra = []
    app.state.csp = content_security_policy()
    app.state.trusted_origins = trusted_origins(cfg)
    app.state.secret_key = secret
    app.state.clock = time.time

    # Middleware: the last added runs first. Headers wrap everything (errors included).
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie=COOKIE_NAME,
        max_age=cfg.absolute_minutes * 60,
        same_site="lax",
        https_only=cfg.secure_cookies(),
    )
    # A Host other than the console's own (DNS rebinding: Host: attacker.example) gets 400.
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=trusted_hosts(cfg), www_redirect=False)
    app.add_middleware(SecurityHeaders, state=app.state)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        url = "/login?next=" + quote(target, safe="")
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": url})
        return RedirectResponse(url, status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return render(request, "error.html", {"status": exc.status_code, "message": exc.detail}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> Response:
        fields = ", ".join(".".join(str(p) for p in e["loc"][1:]) or "request" for e in exc.errors())
        return render(request, "error.html", {"status": 400, "message": f"Bad request: check {fields}."}, status_code=400)

    from console.routes import items, queue, signin

    app.include_router(signin.router)
    app.include_router(queue.router)
    app.include_router(items.router)

    # ---- routers of the OIDC sign-in, the auditor pages and the dashboard: one line each ----
    # e.g. from console.auth import oidc; oidc.install(app)   /   app.include_router(audit.router)
    from console.auth.routes import install as install_oidc
    from console.routes import audit as audit_routes
    from console.routes import dashboard as dashboard_routes

    install_oidc(app)  # /login/oidc, /auth/callback when [console.oidc] client_id is set
    app.include_router(audit_routes.router)  # /audit, /audit/items/{id}, /audit/export (auditors)
    app.include_router(dashboard_routes.router)  # /dashboard, /dashboard/charts/{name}.svg
    # ---- end of the marked spot --------------------------------------------------------------

    if local_login:
        log.warning("console: --local-login is on: anyone who reaches %s can sign in as a configured reviewer", cfg.base_url())
    return app
