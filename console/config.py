"""The ``[console]`` config section (``main.py serve``). Imported by :mod:`agent.config`, so it
imports pydantic only.

Keys (all optional)::

    [console]
    host = "127.0.0.1"              # bind address; `serve --local-login` refuses any non-loopback host
    port = 8080
    public_url = "http://127.0.0.1:8080"   # how reviewers reach it; Teams cards link to {public_url}/items/{id}
    secret_env = "DRAFTGUARD_CONSOLE_SECRET"  # env var holding the session-signing secret (never in the file)
    idle_minutes = 30               # a session unused this long ends
    absolute_minutes = 480          # a session ends this long after sign-in, used or not
    auditors = ["<IdP group id or app role>"]    # members get the read-only auditor role

    [console.groups]                # reviewer group (from [[reviewer_groups]]) -> IdP groups / app roles
    billing = ["8d1c...-group-object-id", "Draftguard.Billing"]

    [console.oidc]                  # the OIDC sign-in (console/auth/oidc*.py)

The session cookie is ``Secure`` unless ``public_url`` is plain http on 127.0.0.1/localhost/::1.
"""

from __future__ import annotations

from ipaddress import ip_address
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

LOOPBACK_NAMES = ("localhost",)


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and any loopback IP literal (127.0.0.0/8, ::1); False otherwise,
    including ``0.0.0.0`` and names that merely resolve to loopback."""
    host = (host or "").strip().strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OidcConfig(_Strict):
    """``[console.oidc]``: the OpenID Connect sign-in. Owned by the OIDC sign-in
    (``console/auth/oidc*.py``), which documents and may extend these keys. Sign-in by OIDC is
    offered when ``client_id`` is set."""

    model_config = ConfigDict(extra="allow")

    provider: str = "entra"
    issuer: str = ""
    tenant_id: str = ""
    client_id: str = ""
    client_secret_env: str = "DRAFTGUARD_OIDC_CLIENT_SECRET"
    groups_claim: str = "groups"
    roles_claim: str = "roles"


class LocalUserConfig(_Strict):
    """``[[console.local_users]]``: an identity offered by ``serve --local-login``. Without any,
    one reviewer per configured reviewer group and one auditor are offered."""

    name: str = Field(min_length=1, max_length=100)
    groups: list[str] = Field(default_factory=list)
    auditor: bool = False


class ConsoleConfig(_Strict):
    """``[console]``: the review console (see the module docstring for the keys).

    ``groups`` maps a reviewer group name (``[[reviewer_groups]]``) to the identity provider's
    group ids or app-role values whose members review for it; ``auditors`` lists the IdP groups
    / app roles of the read-only auditor role. ``idle_minutes`` / ``absolute_minutes`` bound a
    session (minutes)."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    public_url: str = ""
    secret_env: str = "DRAFTGUARD_CONSOLE_SECRET"
    idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    absolute_minutes: int = Field(default=480, ge=1, le=7 * 24 * 60)
    groups: dict[str, list[str]] = Field(default_factory=dict)
    auditors: list[str] = Field(default_factory=list)
    local_users: list[LocalUserConfig] = Field(default_factory=list)
    oidc: OidcConfig = Field(default_factory=OidcConfig)

    @field_validator("public_url")
    @classmethod
    def _web_url(cls, v: str) -> str:
        v = v.strip().rstrip("/")
        if v:
            parts = urlsplit(v)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"public_url {v!r} must be an http(s) URL such as https://review.example.com")
        return v

    def base_url(self) -> str:
        """``public_url``, else ``http://{host}:{port}``."""
        return self.public_url or f"http://{self.host}:{self.port}"

    def secure_cookies(self) -> bool:
        """True unless the console is reached over plain http on a loopback address."""
        parts = urlsplit(self.base_url())
        return not (parts.scheme == "http" and is_loopback_host(parts.hostname or ""))

    def item_url(self, item_id: int) -> str | None:
        """The console page of an item (``{public_url}/items/{id}``); None without ``public_url``."""
        return f"{self.public_url}/items/{item_id}" if self.public_url else None
