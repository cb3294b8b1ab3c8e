"""Sign-in with OpenID Connect: any provider by issuer URL (Authlib), or Entra ID through msal.

Keys (``[console.oidc]``, :class:`OidcSettings`; sign-in by OIDC is on when ``client_id`` is set)::

    [console.oidc]
    provider = "entra"          # "entra": msal's auth-code flow; "oidc": any provider by issuer (Authlib)
    tenant_id = "<directory (tenant) id>"   # entra: one tenant (not common/organizations/consumers)
    # authority_host = "https://login.microsoftonline.com"   # entra: another cloud (e.g. login.microsoftonline.us)
    # issuer = "https://idp.example.com/realms/firm"         # oidc: discovery at {issuer}/.well-known/openid-configuration
    client_id = "<application (client) id>"
    client_secret_env = "DRAFTGUARD_OIDC_CLIENT_SECRET"      # env var holding the client secret (never in the file)
    # scopes = ["openid", "profile", "email"]   # oidc; msal adds openid/profile/offline_access itself
    groups_claim = "groups"     # the id-token claim listing the person's groups
    roles_claim = "roles"       # the claim listing app roles (Entra app roles)
    # label = "Sign in with Microsoft"         # text of the sign-in button
    # leeway_seconds = 60       # clock skew allowed on exp/iat

Both flows are the authorization-code flow with PKCE (S256), ``state`` and ``nonce``, the
redirect URI ``{public_url}/auth/callback`` (``[console] public_url``, else
``http://{host}:{port}``), response mode ``query`` (a ``form_post`` would be a cross-site POST,
which a SameSite=Lax session cookie does not follow, so the flow could not be matched):

* ``provider = "oidc"``: Authlib's Starlette client (discovery document, authorization URL with
  state, nonce and code challenge, token request with the verifier and ``client_secret_basic``,
  id-token signature checked against the provider's JWKS with the algorithms it announces,
  ``iss`` = the discovery issuer = the configured issuer, ``aud`` = client id, ``exp``/``iat``
  with ``leeway_seconds``, ``nonce`` = ours). Works against Entra ID too with
  ``issuer = "https://login.microsoftonline.com/<tenant id>/v2.0"``.
* ``provider = "entra"``: msal's ``ConfidentialClientApplication.initiate_auth_code_flow`` /
  ``acquire_token_by_auth_code_flow`` (msal makes state, nonce and the PKCE pair, checks state,
  nonce, ``iss``, ``aud`` and ``exp``). msal does not check the id token's signature (it trusts the
  TLS channel to the token endpoint): :func:`verify_id_token` checks it as well, against the JWKS
  of the tenant's discovery document (PyJWT), with ``iss``, ``aud``, ``exp`` and ``nonce``.

The pending flow (state, nonce, code verifier, where to go next) waits in the session cookie
(signed, HttpOnly) for at most :data:`FLOW_SECONDS`; a callback whose ``state`` matches no pending
flow is refused. Claims become an :class:`~console.identity.Identity` through
``[console] groups`` / ``auditors`` (:func:`console.identity.map_claims`): the ``groups`` claim
(group object ids in Entra) and the ``roles`` claim (app-role values) are matched against them.
Entra's *groups overage* (more than 200 groups: the token carries ``_claim_names.groups`` instead
of the list) is refused with a page saying how to fix the app registration
(:class:`GroupsOverage`). Nothing of the token or the person's claims is logged: failures log a
reason code and a hash of the subject.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import time
import warnings
from dataclasses import dataclass
from typing import Any, Literal, Protocol
from urllib.parse import parse_qs, urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agent.errors import ConfigError

log = logging.getLogger("draftguard.console")

FLOW_SECONDS = 600  # a sign-in must come back from the identity provider within 10 minutes
MAX_PENDING = 3  # pending flows kept per browser (tabs); the oldest goes first
SESSION_KEY = "oidc_pending"
CALLBACK_PATH = "/auth/callback"
START_PATH = "/login/oidc"
ENTRA_RESERVED_SCOPES = frozenset({"openid", "profile", "offline_access"})  # msal adds them and refuses them in `scopes`
ENTRA_MULTI_TENANT = frozenset({"common", "organizations", "consumers"})


class OidcSettings(BaseModel):
    """``[console.oidc]`` validated (see the module docstring for each key)."""

    model_config = ConfigDict(extra="forbid")

    provider: Literal["entra", "oidc"] = "entra"
    issuer: str = ""
    tenant_id: str = ""
    authority_host: str = "https://login.microsoftonline.com"
    client_id: str = ""
    client_secret_env: str = "DRAFTGUARD_OIDC_CLIENT_SECRET"
    scopes: list[str] = Field(default_factory=lambda: ["openid", "profile", "email"])
    groups_claim: str = "groups"
    roles_claim: str = "roles"
    label: str = ""
    leeway_seconds: int = Field(default=60, ge=0, le=300)

    @field_validator("issuer", "authority_host")
    @classmethod
    def _https(cls, v: str) -> str:
        v = v.strip().rstrip("/")
        if v:
            parts = urlsplit(v)
            loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
            if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
                raise ValueError(f"{v!r} must be an https URL (plain http only on 127.0.0.1 for tests)")
        return v

    @classmethod
    def from_config(cls, cfg: Any) -> OidcSettings:
        """From :class:`console.config.OidcConfig` (its declared keys plus the extra ones this
        module documents). Raises ConfigError naming the key."""
        data = cfg.model_dump() if hasattr(cfg, "model_dump") else dict(cfg)
        try:
            out = cls.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            key = ".".join(str(p) for p in err["loc"])
            raise ConfigError(f"console.oidc.{key}: {err['msg']}", key=f"console.oidc.{key}") from None
        if not out.client_id:
            return out
        if out.provider == "oidc" and not out.issuer:
            raise ConfigError("console.oidc.issuer: set the provider's issuer URL for provider = \"oidc\"", key="console.oidc.issuer")
        if out.provider == "entra":
            if not out.tenant_id:
                raise ConfigError("console.oidc.tenant_id: set the directory (tenant) id for provider = \"entra\"", key="console.oidc.tenant_id")
            if out.tenant_id.lower() in ENTRA_MULTI_TENANT:
                raise ConfigError(
                    f"console.oidc.tenant_id: {out.tenant_id!r} would let any tenant's accounts in: use your own tenant id",
                    key="console.oidc.tenant_id",
                )
        if out.provider == "oidc" and "openid" not in out.scopes:
            raise ConfigError("console.oidc.scopes: must contain \"openid\"", key="console.oidc.scopes")
        return out

    def client_secret(self) -> str:
        """The client secret from the environment variable ``client_secret_env``; ConfigError when unset."""
        value = os.environ.get(self.client_secret_env, "")
        if not value:
            raise ConfigError(
                f"console.oidc: the client secret is read from the environment variable {self.client_secret_env}, which is not set",
                key="console.oidc.client_secret_env",
            )
        return value

    def button_label(self) -> str:
        """The sign-in button's text."""
        if self.label:
            return self.label
        return "Sign in with Microsoft Entra ID" if self.provider == "entra" else f"Sign in with {urlsplit(self.issuer).hostname}"


class SignInError(Exception):
    """The sign-in failed. ``reason``: a short code for the log (no personal data);
    ``message``: what the person is told; ``status``: the HTTP status of the error page."""

    def __init__(self, reason: str, message: str = "Sign-in failed. Please try again.", status: int = 400):
        super().__init__(reason)
        self.reason, self.message, self.status = reason, message, status


class GroupsOverage(SignInError):
    """Entra left the groups out of the token (more than 200 groups: ``_claim_names.groups``)."""

    def __init__(self) -> None:
        super().__init__(
            "groups_overage",
            "Your account is in too many groups for Entra ID to list them in the sign-in token (groups overage). "
            "An administrator must change the console's app registration: under Token configuration, emit only "
            "'Groups assigned to the application' (and assign the reviewer groups to the app), or use app roles "
            "and map them in [console.groups].",
            status=403,
        )


class Flow(Protocol):
    """One provider's authorization-code flow."""

    async def begin(self, redirect_uri: str) -> tuple[str, dict]:
        """``(authorization URL, pending data to keep until the callback)``; the pending data has ``state``."""

    async def finish(self, pending: dict, params: dict[str, str]) -> dict:
        """The verified id-token claims for the callback's query ``params``; raises SignInError."""


def _idp_error(params: dict[str, str]) -> None:
    if params.get("error"):
        # The provider's own code (e.g. access_denied); its description may name the person: not logged.
        raise SignInError(f"idp_error:{params['error'][:40]}", "The identity provider did not sign you in. Please try again.")


class AuthlibFlow:
    """``provider = "oidc"``: any OpenID Connect provider by issuer URL, with Authlib."""

    def __init__(self, cfg: OidcSettings, secret: str):
        from authlib.integrations.starlette_client import OAuth

        self.cfg = cfg
        self.client = OAuth().register(
            name="draftguard",
            client_id=cfg.client_id,
            client_secret=secret,
            server_metadata_url=f"{cfg.issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": " ".join(cfg.scopes), "code_challenge_method": "S256", "timeout": 15},
        )

    async def _metadata(self) -> dict:
        meta = await self.client.load_server_metadata()
        if str(meta.get("issuer", "")).rstrip("/") != self.cfg.issuer:
            # OpenID Connect Discovery 1.0 section 4.3: the document's issuer must be the one asked for.
            raise SignInError("discovery_issuer_mismatch", "The identity provider's configuration does not match [console.oidc] issuer.", 502)
        return meta

    async def begin(self, redirect_uri: str) -> tuple[str, dict]:
        await self._metadata()
        rv = await self.client.create_authorization_url(redirect_uri)
        return rv["url"], {"state": rv["state"], "nonce": rv["nonce"], "code_verifier": rv["code_verifier"], "redirect_uri": redirect_uri}

    async def finish(self, pending: dict, params: dict[str, str]) -> dict:
        from authlib.integrations.base_client.errors import OAuthError
        from joserfc.errors import ExpiredTokenError, JoseError

        _idp_error(params)
        if not params.get("code"):
            raise SignInError("no_code")
        await self._metadata()
        try:
            token = await self.client.fetch_access_token(
                redirect_uri=pending["redirect_uri"], code=params["code"], code_verifier=pending["code_verifier"]
            )
        except OAuthError as exc:
            raise SignInError(f"token_endpoint:{(exc.error or 'error')[:40]}") from None
        if "id_token" not in token:
            raise SignInError("no_id_token")
        try:
            claims = await self.client.parse_id_token(token, nonce=pending["nonce"], leeway=self.cfg.leeway_seconds)
        except ExpiredTokenError:
            raise SignInError("id_token_expired") from None
        except JoseError as exc:  # its text names the claim or the check, never a value
            raise SignInError(f"id_token_invalid:{type(exc).__name__}:{str(exc)[:60]}") from None
        except ValueError as exc:  # a token that is not a JWT at all
            raise SignInError(f"id_token_invalid:{type(exc).__name__}") from None
        return dict(claims)


class MsalFlow:
    """``provider = "entra"``: msal's authorization-code flow with PKCE, and the id token's
    signature checked against the tenant's JWKS (:func:`verify_id_token`)."""

    def __init__(self, cfg: OidcSettings, secret: str):
        self.cfg, self._secret = cfg, secret
        self.authority = f"{cfg.authority_host}/{cfg.tenant_id}"
        self._app = None
        self._meta: dict | None = None
        self._jwks: Any = None

    def _msal(self):
        if self._app is None:
            import msal

            public_cloud = urlsplit(self.cfg.authority_host).hostname == "login.microsoftonline.com"
            # msal reads {authority}/v2.0/.well-known/openid-configuration here (a network call).
            self._app = msal.ConfidentialClientApplication(
                self.cfg.client_id,
                client_credential=self._secret,
                authority=self.authority,
                instance_discovery=public_cloud,
                token_cache=msal.TokenCache(),  # in memory, emptied after each sign-in (MsalFlow.finish)
            )
        return self._app

    def _metadata(self) -> dict:
        if self._meta is None:
            import requests

            resp = requests.get(f"{self.authority}/v2.0/.well-known/openid-configuration", timeout=15)
            resp.raise_for_status()
            self._meta = resp.json()
        return self._meta

    def _key_set(self, force: bool = False):
        import jwt
        import requests

        if self._jwks is None or force:
            resp = requests.get(self._metadata()["jwks_uri"], timeout=15)
            resp.raise_for_status()
            self._jwks = jwt.PyJWKSet.from_dict(resp.json())
        return self._jwks

    async def begin(self, redirect_uri: str) -> tuple[str, dict]:
        from starlette.concurrency import run_in_threadpool

        scopes = [s for s in self.cfg.scopes if s not in ENTRA_RESERVED_SCOPES]
        def initiate() -> dict:
            with warnings.catch_warnings():
                # msal recommends response_mode=form_post; a cross-site POST carries no SameSite=Lax
                # cookie, so the console could not match the flow: query it is (module docstring).
                warnings.filterwarnings("ignore", message="response_mode='form_post' is recommended")
                return self._msal().initiate_auth_code_flow(scopes, redirect_uri=redirect_uri)

        flow = await run_in_threadpool(initiate)
        # The session cookie keeps what the callback needs (state, nonce, verifier, redirect URI,
        # scopes), not the long authorization URL: a browser's cookie holds about 4 KB.
        return flow["auth_uri"], {k: v for k, v in flow.items() if k != "auth_uri"}

    async def finish(self, pending: dict, params: dict[str, str]) -> dict:
        from starlette.concurrency import run_in_threadpool

        _idp_error(params)

        def exchange() -> dict:
            app = self._msal()
            try:
                return app.acquire_token_by_auth_code_flow(pending, params)
            except ValueError as exc:  # msal: state mismatch, missing code
                raise SignInError(f"msal_flow:{str(exc)[:40]}") from None
            except RuntimeError as exc:  # msal's IdTokenError family (issuer, audience, nonce, time): texts quote claims
                raise SignInError(f"id_token_invalid:msal:{type(exc).__name__}") from None
            finally:
                # The console needs the id token once; it keeps no access or refresh tokens in memory.
                for account in app.get_accounts():
                    app.remove_account(account)

        result = await run_in_threadpool(exchange)
        if "error" in result:
            raise SignInError(f"token_endpoint:{str(result['error'])[:40]}")
        if "id_token" not in result:
            raise SignInError("no_id_token")
        return await run_in_threadpool(
            lambda: verify_id_token(
                result["id_token"], self._key_set, issuer=self._metadata()["issuer"], client_id=self.cfg.client_id,
                nonce=_msal_nonce(pending), leeway=self.cfg.leeway_seconds,
            )
        )


def _msal_nonce(pending: dict) -> str | None:
    """The nonce msal sent: the SHA-256 hex of the flow's nonce (OpenID Connect Core 15.5.2)."""
    raw = pending.get("nonce")
    return hashlib.sha256(str(raw).encode("ascii")).hexdigest() if raw else None


def verify_id_token(id_token: str, key_set, *, issuer: str, client_id: str, nonce: str | None, leeway: int) -> dict:
    """Check an id token's RS256 signature against ``key_set(force: bool) -> jwt.PyJWKSet`` (fetched
    again once for an unknown ``kid``), ``iss``, ``aud``, ``exp``/``iat``/``nbf`` (with ``leeway``
    seconds) and ``nonce``; returns the claims. Raises SignInError with the reason."""
    import jwt

    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError:
        raise SignInError("id_token_invalid:header") from None
    kid = header.get("kid")
    keys = key_set(False)
    match = [k for k in keys.keys if k.key_id == kid]
    if not match:
        keys = key_set(True)
        match = [k for k in keys.keys if k.key_id == kid]
    if not match:
        raise SignInError("id_token_invalid:unknown_kid")
    try:
        claims = jwt.decode(
            id_token, match[0].key, algorithms=["RS256"], audience=client_id, issuer=issuer, leeway=leeway,
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise SignInError("id_token_expired") from None
    except jwt.PyJWTError as exc:
        raise SignInError(f"id_token_invalid:{type(exc).__name__}") from None
    if nonce is not None and not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise SignInError("id_token_invalid:nonce")
    return claims


# ---------------------------------------------------------------------------- claims → identity
@dataclass(frozen=True)
class ClaimNames:
    """Which claims carry the groups and the app roles."""

    groups: str = "groups"
    roles: str = "roles"


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def identity_from_claims(claims: dict, console_cfg, names: ClaimNames, provider: str):
    """The :class:`~console.identity.Identity` of verified id-token ``claims``: subject ``oid``
    (Entra's object id) or else ``sub``; name ``name``, else ``preferred_username``/``email``;
    e-mail ``email``, else a ``preferred_username`` that looks like one; groups and roles mapped by
    ``[console] groups``/``auditors``. When the groups were left out (``_claim_names`` names the
    groups claim: Entra's overage), access comes from the app roles alone, and GroupsOverage is
    raised when they grant none. SignInError when there is no subject."""
    from console.identity import Identity, map_claims

    overage = names.groups not in claims and names.groups in (claims.get("_claim_names") or {})
    subject = str(claims.get("oid") or claims.get("sub") or "")
    if not subject:
        raise SignInError("no_subject")
    email = claims.get("email") or None
    if not email and "@" in str(claims.get("preferred_username", "")):
        email = str(claims["preferred_username"])
    name = str(claims.get("name") or claims.get("preferred_username") or email or subject)[:100]
    groups, roles = map_claims(console_cfg, _as_list(claims.get(names.groups)), _as_list(claims.get(names.roles)))
    if overage:
        if not roles:
            raise GroupsOverage()
        # App roles alone grant access: sign in with those (fewer rights, never more), and say so.
        log.warning("console: Entra groups overage: access from app roles only: subject=%s", subject_hash(subject))
    return Identity(subject=f"{provider}:{subject}", name=name, email=None if email is None else str(email)[:200],
                    groups=groups, roles=roles, provider=provider)


def subject_hash(subject: str) -> str:
    """A short non-reversible reference for logs."""
    return hashlib.sha256(subject.encode()).hexdigest()[:12]


# ---------------------------------------------------------------------------- pending flows
def keep_pending(session: dict, pending: dict, next_path: str, now: float) -> None:
    """Store a pending flow in the session under its state (at most :data:`MAX_PENDING`)."""
    flows = dict(session.get(SESSION_KEY) or {})
    flows = {k: v for k, v in flows.items() if now - float(v.get("t", 0)) <= FLOW_SECONDS}
    while len(flows) >= MAX_PENDING:
        flows.pop(min(flows, key=lambda k: flows[k].get("t", 0)))
    flows[pending["state"]] = {"flow": pending, "next": next_path, "t": now}
    session[SESSION_KEY] = flows


def take_pending(session: dict, state: str | None, now: float) -> dict:
    """Remove and return the pending flow of ``state``; SignInError when there is none (unknown,
    forged or expired state)."""
    flows = dict(session.get(SESSION_KEY) or {})
    entry = flows.pop(state, None) if state else None
    session[SESSION_KEY] = flows
    if entry is None:
        raise SignInError("state_mismatch", "This sign-in link is not the one this browser started, or it expired. Please sign in again.")
    if now - float(entry.get("t", 0)) > FLOW_SECONDS:
        raise SignInError("flow_expired", "The sign-in took too long. Please sign in again.")
    return entry


def next_from_referer(referer: str | None, own_origin: str) -> str | None:
    """The ``next`` of the sign-in page that linked here (``/login?next=...`` on our own origin)."""
    if not referer:
        return None
    parts = urlsplit(referer)
    if f"{parts.scheme}://{parts.netloc}" != own_origin or parts.path != "/login":
        return None
    values = parse_qs(parts.query).get("next")
    return values[0] if values else None


def build_flow(cfg: OidcSettings) -> Flow:
    """The flow for ``cfg.provider`` (reads the client secret; no network until the first sign-in)."""
    secret = cfg.client_secret()
    return MsalFlow(cfg, secret) if cfg.provider == "entra" else AuthlibFlow(cfg, secret)


def now() -> float:
    return time.time()
