"""The OIDC sign-in routes: ``GET /login/oidc`` (start) and ``GET /auth/callback`` (finish).

:func:`install` adds them to the console app when ``[console.oidc] client_id`` is set, puts the
sign-in button on the sign-in page (``app.state.sign_in_links``) and allows the provider's origin
in the CSP ``form-action``. Sign-out is the console's ``POST /logout`` (the session cookie is
cleared; the provider's own session is left as it is, so signing in again may not ask for a
password: sign out of the company account as well on a shared machine).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from console.auth.oidc import (
    CALLBACK_PATH,
    START_PATH,
    ClaimNames,
    OidcSettings,
    SignInError,
    build_flow,
    identity_from_claims,
    keep_pending,
    next_from_referer,
    subject_hash,
    take_pending,
)

log = logging.getLogger("draftguard.console")
router = APIRouter()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _error(request: Request, exc: SignInError) -> Response:
    from console.app import render

    log.warning("console: OIDC sign-in refused: reason=%s", exc.reason)
    return render(request, "error.html", {"status": exc.status, "message": exc.message}, status_code=exc.status)


def _unreachable(request: Request, exc: Exception) -> Response:
    return _error(
        request,
        SignInError(f"idp_unreachable:{type(exc).__name__}", "The identity provider could not be reached. Please try again later.", 502),
    )


@router.get(START_PATH)
async def oidc_start(request: Request, next: str | None = None) -> Response:
    """Begin the authorization-code flow: keep state/nonce/verifier in the session, redirect to the provider."""
    from console.routes.signin import safe_next

    state = request.app.state
    base = state.settings.console.base_url()
    target = safe_next(next or next_from_referer(request.headers.get("referer"), _origin(base)))
    try:
        url, pending = await state.oidc_flow.begin(base + CALLBACK_PATH)
    except SignInError as exc:
        return _error(request, exc)
    except Exception as exc:  # noqa: BLE001 - network/HTTP errors of httpx, requests, msal: one page
        return _unreachable(request, exc)
    keep_pending(request.session, pending, target, state.clock())
    return RedirectResponse(url, status_code=302)


@router.get(CALLBACK_PATH)
async def oidc_callback(request: Request) -> Response:
    """Finish the flow: match the state, exchange the code (PKCE), verify the id token, map the
    groups and roles, start the session, go where the person was going."""
    from console.session import sign_in

    state = request.app.state
    params = {k: v for k, v in request.query_params.items()}
    cfg: OidcSettings = state.oidc_settings
    try:
        entry = take_pending(request.session, params.get("state"), state.clock())
        claims = await state.oidc_flow.finish(entry["flow"], params)
        identity = identity_from_claims(claims, state.settings.console, ClaimNames(cfg.groups_claim, cfg.roles_claim), cfg.provider)
    except SignInError as exc:
        return _error(request, exc)
    except Exception as exc:  # noqa: BLE001 - network/HTTP errors reaching the provider
        return _unreachable(request, exc)
    if not identity.roles:
        log.warning("console: OIDC sign-in without a console role: subject=%s", subject_hash(identity.subject))
        return _error(
            request,
            SignInError(
                "no_role",
                "You signed in, but your account is in none of the groups or app roles the console maps to reviewer "
                "groups or the auditor role ([console.groups], [console] auditors). Ask an administrator for access.",
                403,
            ),
        )
    sign_in(request, identity)
    log.info("console: OIDC sign-in: subject=%s roles=%s groups=%s", subject_hash(identity.subject), ",".join(identity.roles), ",".join(identity.groups))
    return RedirectResponse(entry["next"], status_code=303)


def install(app: FastAPI) -> None:
    """Add the OIDC sign-in to ``app`` when ``[console.oidc] client_id`` is set (else nothing).
    Raises ConfigError for a bad ``[console.oidc]`` or a missing client secret."""
    from console.app import allow_form_action

    cfg = OidcSettings.from_config(app.state.settings.console.oidc)
    if not cfg.client_id:
        return
    app.state.oidc_settings = cfg
    app.state.oidc_flow = build_flow(cfg)
    app.state.sign_in_links.append((cfg.button_label(), START_PATH))
    allow_form_action(app, _origin(cfg.issuer if cfg.provider == "oidc" else cfg.authority_host))
    app.include_router(router)
