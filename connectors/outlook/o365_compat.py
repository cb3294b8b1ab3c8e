"""Every use of an O365 member that is not part of its public API, in one place.

draftguard uses O365 (2.1.x) through its public extension points: an ``Account`` whose
``connection_constructor`` is :class:`connectors.outlook.auth.GraphConnection`; that
``Connection`` subclass overrides the public ``oauth_request`` (O365's ``get`` / ``post`` /
``patch`` / ``delete`` all go through it), ``msal_client`` and ``refresh_token``; the token cache
is a ``BaseTokenBackend`` (O365's token backend interface) with ``cryptography_manager``. What
O365 offers no public way for is here:

* :func:`graph_protocol` - ``MSGraphProtocol`` takes its base URL from the class attribute
  ``_protocol_url`` (its docs: "Override these in subclass"); national clouds and the local
  test server need another one;
* :func:`replace_token_cache` / :func:`token_cache_changed` - a custom token backend must set
  msal's ``TokenCache._cache`` in ``load_token`` (as every backend shipped with O365 does) and
  read ``BaseTokenBackend._has_state_changed`` in ``save_token``.

:func:`problems` checks that the installed O365 still has these members and the public
signatures draftguard calls or overrides; :func:`require` (called by ``build_account``)
raises :class:`agent.errors.ConfigError` naming the O365 version and what changed, so an
upgrade fails loudly at start-up (and in ``tests/outlook/test_o365_compat.py``), never
silently in production.
"""

from __future__ import annotations

import inspect
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from O365 import Account
from O365.connection import Connection, MSGraphProtocol
from O365.utils import BaseTokenBackend
from O365.utils.token import MemoryTokenBackend

from agent.errors import ConfigError

#: The O365 releases this module was checked against (pyproject pins ``o365>=2.1,<3``).
CHECKED_VERSIONS = "2.1.x"


def o365_version() -> str:
    """The installed O365 version (``"2.1.10"``), or ``"unknown"``."""
    try:
        return version("o365")
    except PackageNotFoundError:  # pragma: no cover - installed without metadata
        return "unknown"


def graph_protocol(graph_url: str, *, api_version: str = "v1.0") -> MSGraphProtocol:
    """An O365 Graph protocol whose base URL is ``graph_url`` (ends with ``/``). Scopes keep
    Graph's real prefix: they name the resource, not the host."""
    cls = type("DraftguardGraphProtocol", (MSGraphProtocol,), {"_protocol_url": graph_url})
    return cls(api_version=api_version, default_resource="", timezone="UTC")


def replace_token_cache(backend: BaseTokenBackend, state: dict) -> None:
    """Make ``state`` (a deserialised msal cache, ``backend.deserialize(blob)``) the backend's cache."""
    backend._cache = state


def token_cache_changed(backend: BaseTokenBackend) -> bool:
    """True when msal changed the cache since it was last loaded or serialised."""
    return bool(backend._has_state_changed)


def verbs_use_oauth_request() -> bool:
    """True when O365's ``get``/``post``/``patch``/``delete`` call ``oauth_request`` with the URL,
    the method and their keyword arguments (checked on a throw-away connection; no network)."""
    calls: list[tuple[str, str, dict]] = []

    class Probe(Connection):
        def oauth_request(self, url, method, **kwargs):
            calls.append((url, method, kwargs))

    con = Probe(("id", "secret"), auth_flow_type="credentials", tenant_id="t", token_backend=MemoryTokenBackend())
    con.get("u1", params={"a": "1"})
    con.post("u2", data={"b": 2})
    con.patch("u3", data={"c": 3})
    con.delete("u4")
    return calls == [
        ("u1", "get", {"params": {"a": "1"}}),
        ("u2", "post", {"data": {"b": 2}}),
        ("u3", "patch", {"data": {"c": 3}}),
        ("u4", "delete", {}),
    ]


def _params(fn: Any) -> list[str]:
    return list(inspect.signature(fn).parameters)


def problems() -> list[str]:
    """What the installed O365 lacks or changed among the members draftguard relies on ([] = fine)."""
    out: list[str] = []
    init = inspect.signature(Connection.__init__).parameters
    for name in ("credentials", "token_backend", "tenant_id", "auth_flow_type", "timeout", "default_headers",
                 "request_retries", "requests_delay", "proxy_server"):
        if name not in init:
            out.append(f"Connection() has no {name!r} argument")
    if _params(Connection.oauth_request) != ["self", "url", "method", "kwargs"]:
        out.append(f"Connection.oauth_request{inspect.signature(Connection.oauth_request)} is not (self, url, method, **kwargs)")
    if _params(Connection.get_session) != ["self", "load_token"]:
        out.append("Connection.get_session(load_token) changed")
    if not isinstance(inspect.getattr_static(Connection, "msal_client", None), property):
        out.append("Connection.msal_client is no longer a property")
    if getattr(Account, "connection_constructor", None) is not Connection:
        out.append("Account.connection_constructor is gone")
    if not isinstance(getattr(MSGraphProtocol, "_protocol_url", None), str):
        out.append("MSGraphProtocol._protocol_url is gone")
    backend = MemoryTokenBackend()
    if not isinstance(getattr(backend, "_cache", None), dict):
        out.append("BaseTokenBackend (msal TokenCache) has no _cache dict")
    if not isinstance(getattr(backend, "_has_state_changed", None), bool):
        out.append("BaseTokenBackend._has_state_changed is gone")
    if not isinstance(backend.deserialize(backend.serialize()), dict):
        out.append("BaseTokenBackend.deserialize no longer returns the cache dict")
    if not out:
        try:
            if not verbs_use_oauth_request():
                out.append("Connection.get/post/patch/delete no longer call oauth_request(url, method, **kwargs)")
        except Exception as exc:  # noqa: BLE001 - any failure here is an incompatible O365
            out.append(f"a Connection cannot be built as before: {type(exc).__name__}: {exc}")
    return out


@lru_cache(maxsize=1)
def _cached_problems() -> tuple[str, ...]:
    return tuple(problems())


def require(*, cache: bool = True) -> None:
    """Raise :class:`ConfigError` when the installed O365 is not compatible (see :func:`problems`)."""
    found = list(_cached_problems()) if cache else problems()
    if found:
        raise ConfigError(
            f"O365 {o365_version()} is not compatible with draftguard's Outlook connector (checked with "
            f"{CHECKED_VERSIONS}): {'; '.join(found)}. Install the version from requirements.lock."
        )
