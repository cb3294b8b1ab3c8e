"""Sessions: the signed-in :class:`~console.identity.Identity` in a signed cookie.

The cookie is Starlette's ``SessionMiddleware`` (itsdangerous-signed, HttpOnly,
SameSite=Lax, ``Secure`` unless the console is plain http on loopback: see
:meth:`console.config.ConsoleConfig.secure_cookies`); it carries the identity, the sign-in
time, the last-use time and the CSRF secret, never a password or token. ``current_identity``
enforces ``[console] idle_minutes`` and ``absolute_minutes``: an expired session is cleared
and reads as signed out. Signing in starts a fresh session (no fixation) with a random
session id; signing out records that id in ``kv_store`` (namespace ``console.ended_sessions``,
until the session's absolute end), so a copy of the cookie taken before the logout no longer
signs anyone in, in this or any other console process on the same database.
"""

from __future__ import annotations

import secrets
import time

from starlette.requests import Request

from console.identity import Identity

KEY_IDENTITY = "identity"
KEY_SIGNED_IN = "signed_in_at"
KEY_SEEN = "seen_at"
KEY_CSRF = "csrf"
KEY_SID = "sid"
#: ``kv_store`` namespace of ended sessions (sid -> epoch seconds after which the cookie is dead anyway)
ENDED_NAMESPACE = "console.ended_sessions"
#: the last-use time is rewritten at most this often (seconds), so most responses set no cookie
TOUCH_EVERY_SECONDS = 30


def _limits(request: Request) -> tuple[int, int]:
    cfg = request.app.state.settings.console
    return cfg.idle_minutes * 60, cfg.absolute_minutes * 60


def _now(request: Request) -> float:
    clock = getattr(request.app.state, "clock", None)
    return clock() if clock else time.time()


def sign_in(request: Request, identity: Identity) -> None:
    """Start a new session for ``identity`` (any previous session data is dropped, a new CSRF
    secret is made)."""
    now = _now(request)
    request.session.clear()
    request.session.update(
        {KEY_IDENTITY: identity.to_dict(), KEY_SIGNED_IN: now, KEY_SEEN: now, KEY_CSRF: secrets.token_urlsafe(32), KEY_SID: secrets.token_urlsafe(18)}
    )


def _ended_store(request: Request):
    from storage.repository import SqlKeyValueStore

    return SqlKeyValueStore(request.app.state.services.session_factory, ENDED_NAMESPACE)


def sign_out(request: Request) -> None:
    """End the session: its id is recorded as ended (until its absolute end; older entries are
    purged) and the cookie is cleared on the response."""
    sid = request.session.get(KEY_SID)
    if sid:
        _, absolute = _limits(request)
        signed_in = float(request.session.get(KEY_SIGNED_IN) or _now(request))
        _purge_ended(request)
        _ended_store(request).put(str(sid)[:100], str(int(signed_in + absolute + 60)))
    request.session.clear()


def _purge_ended(request: Request) -> None:
    from sqlalchemy import delete

    from storage.models import KeyValue

    now = _now(request)
    with request.app.state.services.session_factory() as s:
        rows = s.query(KeyValue.key, KeyValue.value).filter(KeyValue.namespace == ENDED_NAMESPACE).all()
        dead = [k for k, v in rows if not v.isdigit() or int(v) < now]
        if dead:
            s.execute(delete(KeyValue).where(KeyValue.namespace == ENDED_NAMESPACE, KeyValue.key.in_(dead)))
            s.commit()


def current_identity(request: Request) -> Identity | None:
    """The signed-in identity, or None when there is none, it is malformed, or the session is
    past its idle or absolute limit (then the session is cleared)."""
    data = request.session.get(KEY_IDENTITY)
    if not data:
        return None
    idle, absolute = _limits(request)
    now = _now(request)
    try:
        signed_in = float(request.session[KEY_SIGNED_IN])
        seen = float(request.session[KEY_SEEN])
        identity = Identity.from_dict(data)
    except (KeyError, TypeError, ValueError):
        request.session.clear()
        return None
    if now - signed_in > absolute or now - seen > idle or now < signed_in - 60:
        request.session.clear()
        return None
    sid = request.session.get(KEY_SID)
    if not sid or _ended_store(request).get(str(sid)[:100]) is not None:
        request.session.clear()
        return None
    if now - seen >= TOUCH_EVERY_SECONDS:
        request.session[KEY_SEEN] = now
    return identity


def csrf_secret(request: Request) -> str:
    """The session's CSRF secret (made on first use for a signed-out visitor)."""
    token = request.session.get(KEY_CSRF)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[KEY_CSRF] = token
    return token
