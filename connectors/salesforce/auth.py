"""Signing in to Salesforce and calling it: OAuth token flows, one re-authentication on an
expired session, retries with backoff.

Token endpoint: ``POST https://{domain}/services/oauth2/token`` on the org's My Domain
[Salesforce Help, "OAuth 2.0 Client Credentials Flow for Server-to-Server Integration" and
"OAuth 2.0 JWT Bearer Flow for Server-to-Server Integration"]:

* client credentials: ``grant_type=client_credentials`` with HTTP Basic
  ``client_id:client_secret`` (exactly what ``simple_salesforce.login.SalesforceLogin`` sends
  for ``consumer_key`` + ``consumer_secret`` + a My Domain).
* JWT bearer: ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`` and an RS256
  ``assertion`` with ``iss`` = consumer key, ``sub`` = username, ``aud`` =
  ``https://login.salesforce.com`` (``https://test.salesforce.com`` for sandboxes),
  ``exp`` ≤ 3 minutes ahead (as ``SalesforceLogin`` builds it for ``privatekey_file``).

``SalesforceLogin`` itself always appends ``.salesforce.com`` to the domain, which cannot
address an arbitrary My Domain host or a test server, so we build the request as it does and
hand it to the library's own ``simple_salesforce.login.token_login`` (same parsing, same
``SalesforceAuthenticationFailed`` errors), then build ``Salesforce(instance_url=...,
session_id=...)``. A ``Salesforce`` built from a session id never refreshes it; a 401
``INVALID_SESSION_ID`` therefore comes back to :meth:`SalesforceClient.call`, which signs in
again once and repeats the operation.
"""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import jwt
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceExpiredSession
from simple_salesforce.login import token_login
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from agent.config import SalesforceSourceConfig
from agent.errors import ConfigError
from connectors.salesforce.errors import is_retryable, translate
from connectors.salesforce.limits import UsageTracker

log = logging.getLogger(__name__)
T = TypeVar("T")

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
JWT_LIFETIME = timedelta(minutes=3)


class _TimeoutSession(requests.Session):
    """A ``requests.Session`` with a default timeout (simple-salesforce sets none)."""

    def __init__(self, timeout: float):
        super().__init__()
        self._default_timeout = timeout

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._default_timeout
        return super().request(method, url, *args, **kwargs)


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, SalesforceAuthenticationFailed):
        return isinstance(exc.code, int) and exc.code >= 500
    return is_retryable(exc)


class SalesforceClient:
    """One signed-in ``simple_salesforce.Salesforce`` for a configured org.

    ``tracker`` counts requests and keeps the last ``Sforce-Limit-Info``. ``wait`` is the
    tenacity wait between retries (default exponential 0.5 s .. 30 s); ``env`` is where the
    secrets are read (default ``os.environ``). Nothing is sent until the first call.
    """

    def __init__(
        self,
        cfg: SalesforceSourceConfig,
        *,
        source_name: str,
        tracker: UsageTracker | None = None,
        wait=None,
        env: Mapping[str, str] | None = None,
    ):
        self.cfg = cfg
        self.source = source_name
        self.tracker = tracker or UsageTracker()
        self.http = _TimeoutSession(cfg.timeout_seconds)
        self.http.hooks["response"].append(self.tracker.hook)
        self._wait = wait if wait is not None else wait_exponential(multiplier=0.5, max=30)
        self._env = env if env is not None else os.environ
        self._sf: Salesforce | None = None
        self.logins = 0
        self.reauthentications = 0

    # --- sign-in ---------------------------------------------------------------------
    @property
    def token_url(self) -> str:
        """``https://{domain}/services/oauth2/token``."""
        return f"https://{self.cfg.domain}/services/oauth2/token"

    def _secret(self, env_name: str, key: str) -> str:
        value = self._env.get(env_name)
        if not value:
            raise ConfigError(f"environment variable {env_name} is not set", key=key)
        return value

    def _token_request(self) -> tuple[str, str]:
        cfg = self.cfg
        client_id = self._secret(cfg.client_id_env, "client_id_env")
        if cfg.auth_flow == "client_credentials":
            secret = self._secret(cfg.client_secret_env, "client_secret_env")
            basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
            data = {"grant_type": "client_credentials"}
            headers = {"Authorization": f"Basic {basic}"}
        else:
            if not cfg.username:
                raise ConfigError("auth_flow 'jwt' needs a username", key="username")
            key_path = Path(self._secret(cfg.private_key_path_env, "private_key_path_env"))
            try:
                key = key_path.read_bytes()
            except OSError as exc:
                raise ConfigError(f"cannot read private key {key_path}: {exc.strerror}", key="private_key_path_env") from exc
            claims = {
                "iss": client_id,
                "sub": cfg.username,
                "aud": cfg.jwt_audience,
                "exp": int((datetime.now(UTC) + JWT_LIFETIME).timestamp()),
            }
            data = {"grant_type": JWT_GRANT, "assertion": jwt.encode(claims, key, algorithm="RS256")}
            headers = None
        # token_login uses the domain only in a hint URL it builds as https://{domain}.salesforce.com
        hint_domain = cfg.domain.removesuffix(".salesforce.com")
        return token_login(self.token_url, data, hint_domain, client_id, headers, None, self.http)

    def login(self) -> Salesforce:
        """Request a fresh access token and build the ``Salesforce`` object on it.

        Raises ``SalesforceAuthenticationFailed`` (from ``token_login``), ``requests``
        errors, or :class:`ConfigError` when a secret is missing."""
        token, instance = self._token_request()
        instance_url = self.cfg.instance_url or f"https://{instance}"
        self._sf = Salesforce(instance_url=instance_url, session_id=token, version=self.cfg.api_version, session=self.http)
        self.logins += 1
        log.info("%s: signed in (%s) to %s, API v%s", self.source, self.cfg.auth_flow, instance_url, self.cfg.api_version)
        return self._sf

    @property
    def sf(self) -> Salesforce:
        """The signed-in client (signs in on first use)."""
        return self._sf if self._sf is not None else self.login()

    # --- calls -----------------------------------------------------------------------
    def _once_with_reauth(self, fn: Callable[[Salesforce], T]) -> T:
        sf = self.sf
        try:
            return fn(sf)
        except SalesforceExpiredSession:
            self.reauthentications += 1
            log.info("%s: INVALID_SESSION_ID, signing in again and retrying once", self.source)
            return fn(self.login())

    def raw_call(self, fn: Callable[[Salesforce], T]) -> T:
        """Run ``fn(sf)`` with one re-authentication on ``INVALID_SESSION_ID`` and retries on
        5xx / connection errors (``retry_attempts`` in all, backoff ``wait``). Raises the
        library's exception when it still fails."""
        retrying = Retrying(
            retry=retry_if_exception(_retryable),
            stop=stop_after_attempt(self.cfg.retry_attempts),
            wait=self._wait,
            reraise=True,
        )
        return retrying(self._once_with_reauth, fn)

    def call(
        self,
        fn: Callable[[Salesforce], T],
        *,
        sobject: str,
        action: str,
        record_id: str | None = None,
        delivery: bool = False,
    ) -> T:
        """:meth:`raw_call`, with failures translated by :func:`connectors.salesforce.errors.translate`
        (``SourceError`` for reads, ``DeliveryError`` for writes with ``delivery=True``).

        ``fn`` may make several requests; on a retry it runs again from the start, so it must
        be safe to repeat (writes look before they write)."""
        try:
            return self.raw_call(fn)
        except ConfigError:
            raise
        except Exception as exc:  # noqa: BLE001 - translated and re-raised
            raise translate(
                exc,
                source=self.source,
                sobject=sobject,
                action=action,
                record_id=record_id,
                delivery=delivery,
                limit_pause_seconds=self.cfg.limit_pause_seconds,
            ) from exc

    def close(self) -> None:
        """Close the HTTP session."""
        self.http.close()
