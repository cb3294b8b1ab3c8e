"""Signing in to Microsoft Graph with ``msal`` through ``O365``, tokens kept in the database.

* App-only access (``auth_flow = "credentials"``): OAuth 2.0 client credentials with the scope
  ``https://graph.microsoft.com/.default`` (the application permissions granted to the app,
  here ``Mail.ReadWrite``).
* Delegated access for one user (``auth_flow = "device_code"``): msal's
  ``PublicClientApplication.initiate_device_flow`` / ``acquire_token_by_device_flow``
  (RFC 8628), run once by ``main.py outlook login``; later requests refresh silently with
  the refresh token (``acquire_token_silent_with_error``).

The msal token cache is an O365 token backend (:class:`DbTokenBackend`) stored in the
``kv_store`` table through :class:`storage.repository.SqlKeyValueStore` — never O365's
default ``o365_token.txt`` in the working directory. When the environment variable
``DRAFTGUARD_TOKEN_CACHE_KEY`` holds a Fernet key, the cache is encrypted at rest.

:class:`GraphConnection` is the O365 ``Connection`` draftguard uses. Over O365's own it adds:

* the authority from the config (``authority_url`` + tenant; msal insists on https) with
  instance discovery off for hosts msal does not know (tests, sovereign clouds);
* ``Prefer: IdType="ImmutableId"`` on every request (ids survive folder moves,
  https://learn.microsoft.com/graph/outlook-immutable-id);
* a token refresh *before* a request whose cached token has expired (no wasted 401), and
  exactly one forced refresh when Graph still answers ``401 InvalidAuthenticationToken``;
* at most ``max_concurrency`` (default 4) requests in flight per app and mailbox — Graph allows
  four concurrent requests per app ID per mailbox
  (https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits). The slots are
  shared (:mod:`connectors.limits.slots`): by every connection of the process (``[limits] backend
  = "memory"``) or by every process and machine on one Redis (``"redis"``, leases that end by
  themselves when a worker dies);
* the retry policy of :mod:`connectors.outlook.retry` on every method (O365's urllib3
  retries are switched off: they skip POST and PATCH).
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlsplit

from msal import ConfidentialClientApplication, PublicClientApplication
from msal.authority import WELL_KNOWN_AUTHORITY_HOSTS
from msal.token_cache import TokenCache
from O365 import Account
from O365.connection import Connection, MSGraphProtocol
from O365.utils import BaseTokenBackend
from requests import Response
from requests.exceptions import HTTPError

from agent.config import OutlookSourceConfig
from agent.errors import ConfigError, SourceError
from connectors.limits import LimitError, LimitsBackend, backend_for
from connectors.outlook import o365_compat
from connectors.outlook.o365_compat import graph_protocol, replace_token_cache, token_cache_changed
from connectors.outlook.retry import RetryPolicy, note_recovery, safe_url, status_of

log = logging.getLogger(__name__)

GRAPH_RESOURCE = "https://graph.microsoft.com/"
#: App-only scope: every application permission granted to the app registration.
APP_SCOPES = [GRAPH_RESOURCE + ".default"]
#: Delegated scope. msal adds openid/profile/offline_access itself; Mail.Send is never asked for.
DELEGATED_SCOPES = [GRAPH_RESOURCE + "Mail.ReadWrite"]
TOKEN_CACHE_KEY_ENV = "DRAFTGUARD_TOKEN_CACHE_KEY"
#: Refresh this many seconds before the cached access token's expiry.
EXPIRY_SKEW_SECONDS = 60
IMMUTABLE_ID_PREFER = 'IdType="ImmutableId"'
ALLOWED_METHODS = frozenset({"get", "post", "put", "patch", "delete"})

_MAILBOX_IN_URL = re.compile(r"/v1\.0/(?:users(?:/|\(')([^/?')]+)|(me))", re.IGNORECASE)


class _FernetManager:
    """O365 ``cryptography_manager``: Fernet (AES-128-CBC + HMAC) with a key from the environment."""

    def __init__(self, key: str):
        from cryptography.fernet import Fernet

        self._f = Fernet(key.encode())

    def encrypt(self, data: str | bytes) -> str:
        raw = data.encode() if isinstance(data, str) else data
        return self._f.encrypt(raw).decode()

    def decrypt(self, data: str | bytes) -> str:
        raw = data.encode() if isinstance(data, str) else data
        return self._f.decrypt(raw).decode()


class DbTokenBackend(BaseTokenBackend):
    """The msal token cache (an O365 token backend) persisted in ``kv_store``.

    ``kv`` is a :class:`storage.repository.SqlKeyValueStore` (or anything with get/put/delete);
    ``key`` names the cache (one per tenant, client id and flow)."""

    def __init__(self, kv: Any, key: str):
        super().__init__()
        self.kv = kv
        self.key = key
        secret = os.environ.get(TOKEN_CACHE_KEY_ENV)
        if secret:
            self.cryptography_manager = _FernetManager(secret)

    def load_token(self) -> bool:
        """Load the cache from the database; False when nothing is stored."""
        blob = self.kv.get(self.key)
        if not blob:
            return False
        replace_token_cache(self, self.deserialize(blob))
        return True

    def save_token(self, force: bool = False) -> bool:
        """Write the cache when it changed (or ``force``); False when the cache is empty."""
        if not self.has_data:
            return False
        if force or token_cache_changed(self):
            self.kv.put(self.key, self.serialize())
        return True

    def delete_token(self) -> bool:
        self.kv.delete(self.key)
        return True

    def check_token(self) -> bool:
        return self.kv.get(self.key) is not None


def mailbox_of(url: str) -> str:
    """The mailbox a Graph URL addresses (``/v1.0/users/{upn}/...`` → upn, ``/me`` → ``me``)."""
    m = _MAILBOX_IN_URL.search(unquote(urlsplit(url).path))
    if not m:
        return "*"
    return (m.group(1) or m.group(2)).lower()


class GraphConnection(Connection):
    """O365 ``Connection`` with draftguard's authority, retries, refresh and per-mailbox limit.

    Extra keyword arguments (removed before O365 sees them): ``authority_url`` (ends with
    ``/``), ``graph_scopes`` (list of scopes to acquire), ``retry_policy`` (:class:`RetryPolicy`),
    ``max_concurrency`` (requests in flight per app and mailbox), ``slots`` (the shared slots of
    a :class:`connectors.limits.LimitsBackend`; default the process-wide in-memory ones),
    ``lease_seconds`` (a Redis slot's lease; default ``2 × timeout + 5``)."""

    def __init__(self, credentials, **kwargs):
        authority_url: str = kwargs.pop("authority_url", "https://login.microsoftonline.com/")
        self.scopes: list[str] = kwargs.pop("graph_scopes", APP_SCOPES)
        self.retry_policy: RetryPolicy = kwargs.pop("retry_policy", None) or RetryPolicy()
        self.max_concurrency: int = kwargs.pop("max_concurrency", 4)
        self.slots = kwargs.pop("slots", None) or backend_for(None).slots
        lease = kwargs.pop("lease_seconds", None)
        kwargs.setdefault("request_retries", 0)  # retries live in RetryPolicy (all methods)
        kwargs.setdefault("requests_delay", 0)  # throttling is handled by Retry-After
        headers = dict(kwargs.pop("default_headers", None) or {})
        headers.setdefault("Prefer", IMMUTABLE_ID_PREFER)
        super().__init__(credentials, default_headers=headers, **kwargs)
        #: The msal authority: ``authority_url`` + tenant (O365's own is always the public cloud).
        self.msal_authority = f"{authority_url}{self.tenant_id}"
        self._authority_host = urlsplit(authority_url).hostname or ""
        self._dg_msal_app: ConfidentialClientApplication | PublicClientApplication | None = None
        self._token_lock = threading.RLock()
        self.lease_seconds: float = lease or 2 * float(self.timeout or 30) + 5
        self.token_refreshes = 0
        self.protocol: MSGraphProtocol | None = None  # set by DraftguardAccount

    # --- msal ---------------------------------------------------------------------------
    @property
    def msal_client(self):
        """The msal application for this connection (built once; authority from the config).

        Overrides O365's public ``Connection.msal_client`` property, which hard-codes the public
        cloud's authority and keeps msal's instance discovery on."""
        if self._dg_msal_app is None:
            discovery = None if self._authority_host in WELL_KNOWN_AUTHORITY_HOSTS else False
            common = dict(
                client_id=self.auth[0],
                authority=self.msal_authority,
                token_cache=self.token_backend,
                proxies=self.proxy or None,
                timeout=self.timeout,
                instance_discovery=discovery,
            )
            if self.auth_flow_type in ("public", "password"):
                self._dg_msal_app = PublicClientApplication(**common)
            else:
                self._dg_msal_app = ConfidentialClientApplication(client_credential=self.auth[1], **common)
        return self._dg_msal_app

    def acquire_token(self, *, force: bool = False) -> str:
        """A valid access token: from the cache, or from the token endpoint.

        ``force`` drops cached access tokens first (after Graph refused one). Credentials flow:
        ``acquire_token_for_client``; delegated: ``acquire_token_silent_with_error`` with the
        cached account's refresh token. Raises :class:`SourceError` (not transient) when no
        token can be had (wrong secret, consent missing, never logged in)."""
        with self._token_lock:
            if not self.token_backend.has_data:
                self.token_backend.load_token()
            if not force and not self._token_expiring():
                # a cached token (e.g. stored by an earlier process) is still good: no call to
                # the authority at all, not even msal's OpenID discovery
                token = self.token_backend.get_access_token(username=self.username)["secret"]
                self._set_header(token)
                return token
            if force:
                for at in list(self.token_backend.search(TokenCache.CredentialType.ACCESS_TOKEN)):
                    self.token_backend.remove_at(at)
                self.token_refreshes += 1
            app = self.msal_client
            try:
                if self.auth_flow_type == "credentials":
                    result = app.acquire_token_for_client(scopes=self.scopes)
                else:
                    accounts = app.get_accounts(username=self.username) if self.username else app.get_accounts()
                    if not accounts:
                        raise SourceError(
                            "outlook", "no signed-in user in the token cache: run `main.py outlook login`", transient=False
                        )
                    result = app.acquire_token_silent_with_error(self.scopes, account=accounts[0])
            except SourceError:
                raise
            except (ValueError, OSError) as exc:  # msal raises ValueError when discovery fails
                raise SourceError("outlook", f"token endpoint unreachable or invalid: {exc}", transient=True) from exc
            if not result or "access_token" not in result:
                err = (result or {}).get("error", "no_token")
                desc = ((result or {}).get("error_description") or "").splitlines()[0:1]
                transient = err in {"temporarily_unavailable", "server_error"}
                raise SourceError("outlook", f"sign-in failed: {err} {' '.join(desc)}".strip(), transient=transient)
            self.token_backend.save_token()
            token = result["access_token"]
            self._set_header(token)
            return token

    def _set_header(self, token: str) -> None:
        if self.session is None:
            self.session = self.get_session(load_token=False)
        self.session.headers["Authorization"] = f"Bearer {token}"

    def _token_expiring(self) -> bool:
        at = self.token_backend.get_access_token(username=self.username)
        if at is None:
            return True
        try:
            return int(at.get("expires_on", 0)) - EXPIRY_SKEW_SECONDS <= time.time()
        except (TypeError, ValueError):
            return True

    def refresh_token(self) -> bool:
        """O365's public "refresh now" method: a new access token from msal (see :meth:`acquire_token`)."""
        self.acquire_token(force=True)
        return True

    # --- requests -----------------------------------------------------------------------
    def slot_key(self, url: str) -> str:
        """The concurrency key of ``url``: tenant, app (client id) and mailbox (Graph counts
        concurrent requests per app ID per mailbox)."""
        mailbox = mailbox_of(url)
        if mailbox == "me" and self.username:
            mailbox = self.username.lower()
        return f"graph:{self.tenant_id}:{self.auth[0]}:{mailbox}"

    def _slot(self, url: str):
        """Context manager holding one request slot of ``url``'s mailbox; raises
        :class:`connectors.limits.LimitError` on entry when none frees in time or the shared
        store is down (:meth:`_one_request` turns it into a transient :class:`SourceError`)."""
        return self.slots.hold(self.slot_key(url), self.max_concurrency, lease_seconds=self.lease_seconds)

    def _ensure_session(self) -> None:
        with self._token_lock:
            if self.session is None or "Authorization" not in self.session.headers or self._token_expiring():
                self.acquire_token()

    def _send(self, url: str, method: str, kwargs: dict) -> Response:
        """One HTTP request on the session, as O365 prepares it: the default headers (a
        ``Prefer`` of the caller is joined with ours), ``data`` as JSON for POST/PUT/PATCH,
        the connection's timeout. Raises ``requests.HTTPError`` for 4xx/5xx with a message
        naming the method and the redacted URL (:func:`safe_url`); logs nothing itself."""
        method = method.lower()
        if method not in ALLOWED_METHODS:
            raise ValueError(f"HTTP method must be one of {sorted(ALLOWED_METHODS)}, not {method!r}")
        args = dict(kwargs)
        headers = dict(self.default_headers)
        for key, value in (args.pop("headers", None) or {}).items():
            headers[key] = f"{value}, {headers[key]}" if key == "Prefer" and key in headers else value
        if method == "get":
            args.setdefault("allow_redirects", True)
        elif method in ("post", "put", "patch"):
            headers.setdefault("Content-type", "application/json")
            if args.get("data") is not None and headers["Content-type"] == "application/json":
                args["data"] = json.dumps(args["data"], cls=self.json_encoder)
        if self.timeout is not None:
            args["timeout"] = self.timeout
        resp = self.session.request(method, url, headers=headers, **args)
        if resp.status_code >= 400:
            raise HTTPError(f"HTTP {resp.status_code} {resp.reason or ''} for {method.upper()} {safe_url(url)}".replace("  ", " "),
                            response=resp)
        return resp

    def _one_request(self, url: str, method: str, **kwargs) -> Response:
        """One attempt: token check, semaphore, the request, one forced refresh on 401."""
        self._ensure_session()
        try:
            with self._slot(url):
                try:
                    return self._send(url, method, kwargs)
                except HTTPError as exc:
                    if status_of(exc) != 401 or not _is_invalid_token(exc.response):
                        raise
                    note_recovery(method, url, exc, "refreshing the token and repeating the request once")
            self.acquire_token(force=True)
            with self._slot(url):
                return self._send(url, method, kwargs)
        except LimitError as exc:
            raise SourceError("outlook", f"no request slot for {mailbox_of(url)}: {exc}", transient=True) from exc

    def oauth_request(self, url: str, method: str, **kwargs) -> Response:
        """O365's entry point for every Graph call, with draftguard's policy around it.

        Keyword ``retry`` (default True) set to False makes a single attempt (the caller
        handles retries itself, as :mod:`connectors.outlook.drafts` does for createReply)."""
        retry = kwargs.pop("retry", True)
        if not retry:
            return self._one_request(url, method, **kwargs)
        return self.retry_policy.call(method, lambda: self._one_request(url, method, **kwargs), url=url)


def _is_invalid_token(resp: Response | None) -> bool:
    """Graph's expired/invalid token answer: 401 with error code ``InvalidAuthenticationToken``."""
    if resp is None:
        return False
    try:
        code = (resp.json().get("error") or {}).get("code", "")
    except ValueError:
        code = ""
    return code in {"InvalidAuthenticationToken", ""}


class DraftguardAccount(Account):
    """O365 ``Account`` that builds a :class:`GraphConnection` (which also gets the protocol,
    so the connectors build URLs from ``con.protocol.service_url``)."""

    connection_constructor = GraphConnection

    def __init__(self, credentials, **kwargs):
        super().__init__(credentials, **kwargs)
        self.con.protocol = self.protocol


def graph_resource(graph_url: str) -> str:
    """The resource the scopes name: the Graph host itself for Microsoft's clouds
    (``https://graph.microsoft.us/`` …), else the global ``https://graph.microsoft.com/``
    (a local test server is not a resource Entra knows)."""
    host = urlsplit(graph_url).hostname or ""
    if host.startswith("graph.microsoft") or host.endswith(".graph.microsoft.com") or host == "microsoftgraph.chinacloudapi.cn":
        return f"https://{host}/"
    return GRAPH_RESOURCE


def token_cache_key(cfg: OutlookSourceConfig) -> str:
    """The ``kv_store`` key of the msal cache for one config entry (no secret in it)."""
    return f"{cfg.auth_flow}:{cfg.tenant_id}:{cfg.client_id}"


def build_account(
    cfg: OutlookSourceConfig,
    kv: Any,
    *,
    retry_policy: RetryPolicy | None = None,
    secret_lookup: Callable[[], str | None] | None = None,
    limits: LimitsBackend | None = None,
) -> DraftguardAccount:
    """An O365 account for ``cfg`` with its token cache in ``kv`` (a ``SqlKeyValueStore``);
    requests in flight per mailbox are counted in ``limits`` (default: the process-wide
    in-memory backend).

    Raises :class:`ConfigError` when the credentials flow has no secret in the environment, or
    when the installed O365 lacks a member draftguard relies on (:mod:`.o365_compat`)."""
    o365_compat.require()
    backend = DbTokenBackend(kv, token_cache_key(cfg))
    resource = graph_resource(cfg.graph_url)
    policy = retry_policy or RetryPolicy(
        max_attempts=cfg.retry_max_attempts, max_wait_seconds=cfg.retry_max_wait_seconds
    )
    common: dict[str, Any] = dict(
        protocol=graph_protocol(cfg.graph_url),
        tenant_id=cfg.tenant_id,
        token_backend=backend,
        authority_url=cfg.authority_url,
        retry_policy=policy,
        max_concurrency=cfg.max_concurrency,
        slots=(limits or backend_for(None)).slots,
        timeout=cfg.timeout_seconds,
    )
    if cfg.auth_flow == "credentials":
        secret = (secret_lookup or cfg.client_secret)()
        if not secret:
            raise ConfigError(
                f"environment variable {cfg.client_secret_env} (the app's client secret) is not set",
                key="sources.outlook.client_secret_env",
            )
        return DraftguardAccount((cfg.client_id, secret), auth_flow_type="credentials", graph_scopes=[resource + ".default"], **common)
    return DraftguardAccount((cfg.client_id,), auth_flow_type="public", graph_scopes=[resource + "Mail.ReadWrite"], **common)


def device_code_login(
    cfg: OutlookSourceConfig,
    kv: Any,
    *,
    show: Callable[[str], None] = print,
) -> str:
    """Run the device code flow once for a ``device_code`` config; returns the signed-in username.

    ``show`` receives Entra's instruction ("To sign in, use a web browser to open ... and enter
    the code ..."). Blocks until the user finishes or the code expires. Raises
    :class:`SourceError` when Entra refuses."""
    if cfg.auth_flow != "device_code":
        raise ConfigError("outlook login is only for auth_flow = \"device_code\"", key="sources.outlook.auth_flow")
    account = build_account(cfg, kv)
    con: GraphConnection = account.con  # type: ignore[assignment]
    app = con.msal_client
    flow = app.initiate_device_flow(scopes=con.scopes)
    if "user_code" not in flow:
        raise SourceError("outlook", f"device code flow refused: {flow.get('error')} {flow.get('error_description', '')}")
    show(flow.get("message") or f"Open {flow.get('verification_uri')} and enter {flow['user_code']}")
    result = app.acquire_token_by_device_flow(flow)
    if "access_token" not in result:
        raise SourceError("outlook", f"device code sign-in failed: {result.get('error')} {result.get('error_description', '')}")
    con.token_backend.save_token(force=True)
    claims = result.get("id_token_claims") or {}
    return claims.get("preferred_username") or claims.get("upn") or ""
