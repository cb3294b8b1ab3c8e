"""A local OpenID Connect identity provider for tests (127.0.0.1, random port, http or https).

Speaks the protocol the console's sign-in uses (OpenID Connect Core 1.0, RFC 6749, RFC 7636,
RFC 7517), so the real clients (Authlib, msal) run against it unchanged:

* discovery: ``GET {issuer}/.well-known/openid-configuration``;
* authorization endpoint: ``GET`` with ``response_type=code``, ``client_id``, ``redirect_uri``
  (must be registered), ``scope`` containing ``openid``, ``state``, ``nonce`` and PKCE
  ``code_challenge`` + ``code_challenge_method=S256`` (all required: a request without them is
  refused with 400, as a strict provider does). The configured test user is approved at once: a
  302 to ``redirect_uri?code=…&state=…`` (the state echoed unchanged);
* token endpoint: ``POST`` ``grant_type=authorization_code`` with the code (single use, 60 s),
  the same ``redirect_uri``, the ``code_verifier`` (``BASE64URL(SHA256(verifier))`` must equal
  the challenge, else ``invalid_grant``) and client authentication (``client_secret_basic`` or
  ``client_secret_post``; a wrong secret is ``invalid_client``, 401). Answers ``access_token``,
  ``id_token``, ``expires_in`` and, like Entra, ``client_info`` and a ``refresh_token``;
* JWKS: ``GET`` the public half of an RSA key generated at start (``kid`` set);
* end session: ``GET`` redirects to ``post_logout_redirect_uri`` (with ``state``).

The id token is an RS256 JWT (PyJWT) with ``iss``, ``sub``, ``aud`` = client id, ``iat``,
``exp`` (+5 min), ``nonce`` from the authorization request and the user's claims (``name``,
``email``, ``preferred_username``, ``groups``, ``roles``, …). ``tenant`` set: Entra's v2.0 URL
layout (``/{tenant}/v2.0`` issuer, ``/{tenant}/oauth2/v2.0/authorize|token``,
``/{tenant}/discovery/v2.0/keys``), which msal expects.

Faults for tests: ``id_token_overrides`` (claims replaced or, with value ``None``, removed, e.g.
``{"aud": "someone-else"}``, ``{"exp": <past>}``, ``{"nonce": "other"}``), ``sign_with_other_key``
(signed by a second RSA key whose public half is not in the JWKS, same ``kid``). Every request is
kept: ``authorize_requests`` (query dicts), ``token_requests`` (form dicts plus ``_auth`` =
``basic``/``post``) and ``token_errors`` (the error codes answered).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.servers.local_http import HttpAnswer, LocalJsonServer

CODE_SECONDS = 60  # an authorization code is good this long, once


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of ``verifier`` (RFC 7636 section 4.2)."""
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    nonce: str
    challenge: str
    scope: str
    user: dict
    issued: float
    used: bool = False


@dataclass
class IdpUser:
    """The user the authorization endpoint approves: ``claims`` go into the id token as they are."""

    claims: dict = field(
        default_factory=lambda: {
            "sub": "u-3f6c1a",
            "oid": "00000000-0000-0000-0000-0000000000a1",
            "name": "Rita Reviewer",
            "email": "rita@firm.example",
            "preferred_username": "rita@firm.example",
            "groups": ["grp-billing"],
        }
    )


class OidcIdp(LocalJsonServer):
    """The identity provider (see the module docstring). ``ca``: a ``trustme.CA`` to serve https
    (msal refuses http authorities); ``tenant``: Entra's URL layout under that tenant id. The
    server (127.0.0.1, random port, threads) is tests/servers/local_http.py's."""

    fixed_headers = {"Cache-Control": "no-store"}

    def __init__(
        self,
        *,
        client_id: str = "draftguard-console",
        client_secret: str = "idp-test-secret",
        redirect_uris: tuple[str, ...] = (),
        ca=None,
        tenant: str | None = None,
        user: IdpUser | None = None,
    ):
        self.client_id, self.client_secret = client_id, client_secret
        self.redirect_uris = list(redirect_uris)
        self.tenant = tenant
        self.user = user or IdpUser()
        self.id_token_overrides: dict = {}
        self.sign_with_other_key = False
        self.authorize_requests: list[dict] = []
        self.token_requests: list[dict] = []
        self.token_errors: list[str] = []
        self._codes: dict[str, _Code] = {}
        self._lock = threading.Lock()
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "idp-" + secrets.token_hex(4)
        super().__init__(ca)
        self.base = self.origin
        self._prefix = f"/{tenant}" if tenant else ""

    # ------------------------------------------------------------------ URLs
    @property
    def issuer(self) -> str:
        """``http(s)://127.0.0.1:PORT`` or, with a tenant, ``…/{tenant}/v2.0`` (Entra's v2.0 issuer)."""
        return f"{self.base}{self._prefix}/v2.0" if self.tenant else self.base

    @property
    def authority(self) -> str:
        """msal's authority for the tenant layout: ``https://127.0.0.1:PORT/{tenant}``."""
        return f"{self.base}{self._prefix}"

    def _paths(self) -> dict[str, str]:
        if self.tenant:
            p = self._prefix
            return {
                "discovery": f"{p}/v2.0/.well-known/openid-configuration",
                "authorize": f"{p}/oauth2/v2.0/authorize",
                "token": f"{p}/oauth2/v2.0/token",
                "jwks": f"{p}/discovery/v2.0/keys",
                "logout": f"{p}/oauth2/v2.0/logout",
            }
        return {
            "discovery": "/.well-known/openid-configuration",
            "authorize": "/authorize",
            "token": "/token",
            "jwks": "/jwks",
            "logout": "/logout",
        }

    def discovery(self) -> dict:
        """The discovery document (OpenID Connect Discovery 1.0 section 3)."""
        p = self._paths()
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.base + p["authorize"],
            "token_endpoint": self.base + p["token"],
            "jwks_uri": self.base + p["jwks"],
            "end_session_endpoint": self.base + p["logout"],
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "name", "email", "groups", "roles"],
        }

    def jwks(self) -> dict:
        """The public key set: one RSA signing key."""
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=self.kid, use="sig", alg="RS256")
        return {"keys": [jwk]}

    # ------------------------------------------------------------------ protocol
    def handle(self, method: str, raw_path: str, headers, body: bytes):
        """Answer one request (see the module docstring)."""
        parts = urlsplit(raw_path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        p = self._paths()
        if method == "GET" and parts.path == p["discovery"]:
            return 200, self.discovery(), {}
        if method == "GET" and parts.path == p["jwks"]:
            return 200, self.jwks(), {}
        if method == "GET" and parts.path == p["authorize"]:
            return self._authorize(query)
        if method == "POST" and parts.path == p["token"]:
            form = {k: v[0] for k, v in parse_qs(body.decode("ascii", "replace"), keep_blank_values=True).items()}
            return self._token(form, headers.get("Authorization") or "")
        if method == "GET" and parts.path == p["logout"]:
            target = query.get("post_logout_redirect_uri")
            if not target:
                return 200, {"signed_out": True}, {}
            sep = "&" if "?" in target else "?"
            extra = sep + urlencode({"state": query["state"]}) if query.get("state") else ""
            return 302, None, {"Location": target + extra}
        raise HttpAnswer(404, {"error": "not_found"})

    def _authorize(self, q: dict):
        self.authorize_requests.append(dict(q))
        if q.get("client_id") != self.client_id:
            raise HttpAnswer(400, {"error": "unauthorized_client", "error_description": "unknown client_id"})
        redirect = q.get("redirect_uri", "")
        if redirect not in self.redirect_uris:
            # Never redirect to an unregistered URI (RFC 6749 section 4.1.2.1): answer here.
            raise HttpAnswer(400, {"error": "invalid_request", "error_description": f"redirect_uri not registered: {redirect}"})
        problem = None
        if q.get("response_type") != "code":
            problem = ("unsupported_response_type", "only response_type=code")
        elif "openid" not in (q.get("scope") or "").split():
            problem = ("invalid_scope", "scope must contain openid")
        elif not q.get("state") or not q.get("nonce"):
            problem = ("invalid_request", "state and nonce are required")
        elif q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            problem = ("invalid_request", "PKCE with code_challenge_method=S256 is required")
        if problem:
            params = {"error": problem[0], "error_description": problem[1]}
            if q.get("state"):
                params["state"] = q["state"]
            return 302, None, {"Location": f"{redirect}?{urlencode(params)}"}
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Code(
                self.client_id, redirect, q["nonce"], q["code_challenge"], q.get("scope", ""), dict(self.user.claims), time.time()
            )
        sep = "&" if "?" in redirect else "?"
        return 302, None, {"Location": f"{redirect}{sep}{urlencode({'code': code, 'state': q['state']})}"}

    def _token_error(self, status: int, error: str, description: str):
        self.token_errors.append(error)
        raise HttpAnswer(status, {"error": error, "error_description": description})

    def _token(self, form: dict, authorization: str):
        record = dict(form)
        client_id, secret, how = form.get("client_id"), form.get("client_secret"), "post"
        if authorization.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(authorization[6:]).decode()
            except ValueError:
                decoded = ":"
            from urllib.parse import unquote_plus

            cid, _, sec = decoded.partition(":")
            client_id, secret, how = unquote_plus(cid), unquote_plus(sec), "basic"
        record["_auth"] = how
        record.pop("client_secret", None)
        self.token_requests.append(record)
        if client_id != self.client_id or not secrets.compare_digest(secret or "", self.client_secret):
            self._token_error(401, "invalid_client", "client authentication failed")
        if form.get("grant_type") != "authorization_code":
            self._token_error(400, "unsupported_grant_type", f"grant_type {form.get('grant_type')!r}")
        with self._lock:
            code = self._codes.get(form.get("code", ""))
            if code is None or code.used or time.time() - code.issued > CODE_SECONDS:
                self._token_error(400, "invalid_grant", "authorization code unknown, used or expired")
            code.used = True
        if form.get("redirect_uri") != code.redirect_uri:
            self._token_error(400, "invalid_grant", "redirect_uri differs from the authorization request")
        verifier = form.get("code_verifier") or ""
        if not verifier or not secrets.compare_digest(s256(verifier), code.challenge):
            self._token_error(400, "invalid_grant", "PKCE verification failed: code_verifier does not match code_challenge")
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.client_id, "iat": now, "nbf": now, "exp": now + 300, "nonce": code.nonce}
        if self.tenant:
            claims.update(tid=self.tenant, ver="2.0")
        claims.update(code.user)
        for k, v in self.id_token_overrides.items():
            if v is None:
                claims.pop(k, None)
            else:
                claims[k] = v
        key = self.other_key if self.sign_with_other_key else self.key
        id_token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": self.kid})
        uid = str(code.user.get("oid") or code.user.get("sub"))
        return 200, {
            "token_type": "Bearer",
            "access_token": "at." + secrets.token_urlsafe(24),
            "expires_in": 3600,
            "scope": code.scope,
            "id_token": id_token,
            "refresh_token": "rt." + secrets.token_urlsafe(24),
            "client_info": _b64url(json.dumps({"uid": uid, "utid": self.tenant or "idp"}).encode()),
        }, {}
