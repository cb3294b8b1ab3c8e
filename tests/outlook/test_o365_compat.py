"""The O365 members draftguard relies on, in one place (connectors/outlook/o365_compat.py):
an O365 upgrade that removes or changes one fails here, loudly, and at start-up with a clear
error, instead of misbehaving in production. No other module touches O365's private members."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import connectors.outlook as outlook_pkg

PRIVATE_O365_MEMBERS = {
    "_internal_request", "_msal_client", "_try_refresh_token", "naive_session", "naive_request",
    "_msal_authority", "_cache", "_has_state_changed", "_protocol_url", "_check_delay", "_previous_request_at",
}


def test_only_the_compat_module_touches_o365_private_members():
    offenders = []
    for path in sorted(Path(outlook_pkg.__file__).parent.glob("*.py")):
        if path.name == "o365_compat.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
            if name in PRIVATE_O365_MEMBERS or (isinstance(node, ast.FunctionDef) and node.name in PRIVATE_O365_MEMBERS):
                offenders.append(f"{path.name}:{node.lineno} {name or node.name}")
    assert offenders == []


def test_the_installed_o365_has_every_member_we_use():
    from connectors.outlook import o365_compat

    assert o365_compat.problems() == []
    o365_compat.require()  # no error


def test_signatures_we_call_and_override():
    from O365 import Account
    from O365.connection import Connection, MSGraphProtocol
    from O365.utils import BaseTokenBackend

    init = inspect.signature(Connection.__init__).parameters
    for name in ("credentials", "token_backend", "tenant_id", "auth_flow_type", "timeout", "default_headers",
                 "request_retries", "requests_delay", "proxy_server"):
        assert name in init, name
    assert list(inspect.signature(Connection.oauth_request).parameters) == ["self", "url", "method", "kwargs"]
    assert list(inspect.signature(Connection.get_session).parameters) == ["self", "load_token"]
    assert isinstance(inspect.getattr_static(Connection, "msal_client"), property)
    assert list(inspect.signature(Connection.refresh_token).parameters) == ["self"]
    assert Account.connection_constructor is Connection
    for name in ("load_token", "save_token", "delete_token", "check_token", "get_access_token", "serialize", "deserialize"):
        assert callable(getattr(BaseTokenBackend, name)), name
    assert MSGraphProtocol._protocol_url == "https://graph.microsoft.com/"


def test_a_changed_o365_is_refused_at_start_up(monkeypatch):
    from O365.connection import Connection

    from agent.errors import ConfigError
    from connectors.outlook import o365_compat

    def oauth_request(self, url, method, *, retries=3, **kwargs):  # an upgrade changed the signature
        raise AssertionError("not called")

    monkeypatch.setattr(Connection, "oauth_request", oauth_request)
    assert any("oauth_request" in p for p in o365_compat.problems())
    with pytest.raises(ConfigError) as ei:
        o365_compat.require(cache=False)
    assert "O365" in str(ei.value) and "oauth_request" in str(ei.value)


def test_connection_verbs_go_through_oauth_request():
    """GraphConnection overrides oauth_request only: O365's get/post/patch/delete must call it."""
    from connectors.outlook import o365_compat

    assert o365_compat.verbs_use_oauth_request()


def test_token_cache_round_trip_through_the_compat_helpers():
    from O365.utils.token import MemoryTokenBackend

    from connectors.outlook import o365_compat

    b = MemoryTokenBackend()
    assert not o365_compat.token_cache_changed(b) and not b.has_data
    o365_compat.replace_token_cache(b, {"AccessToken": {"k": {"secret": "x", "credential_type": "AccessToken"}}})
    assert b.has_data and not o365_compat.token_cache_changed(b)
    b.add({"client_id": "c", "scope": ["s"], "token_endpoint": "https://login.example/t/oauth2/v2.0/token",
           "response": {"access_token": "at", "expires_in": 3600, "token_type": "Bearer"}})
    assert o365_compat.token_cache_changed(b)
    b.serialize()
    assert not o365_compat.token_cache_changed(b)


def test_protocol_with_our_base_url():
    from connectors.outlook import o365_compat

    p = o365_compat.graph_protocol("https://127.0.0.1:9/")
    assert p.service_url == "https://127.0.0.1:9/v1.0/" and p.protocol_url == "https://127.0.0.1:9/"
