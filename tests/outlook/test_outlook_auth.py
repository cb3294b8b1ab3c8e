"""Sign-in through msal + O365 against the local Entra: client credentials, the token cache in
the database (never a file), refresh on expiry, one forced refresh on 401, device code flow."""

from __future__ import annotations

import json
import time

import pytest
from cryptography.fernet import Fernet

from agent.config import OutlookSourceConfig
from agent.errors import ConfigError, SourceError
from agent.models import InboundMessage
from connectors.outlook import auth
from connectors.outlook.auth import build_account, device_code_login, token_cache_key
from connectors.outlook.source import TOKEN_NAMESPACE
from storage.repository import SqlKeyValueStore
from tests.outlook.conftest import CLIENT_ID, MAILBOX, TENANT

PUBLIC_CLIENT = "99999999-8888-7777-6666-555555555555"


def test_client_credentials_token_is_cached_in_the_database_not_a_file(graph, entra, make_source, cursors, db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    graph.deliver(MAILBOX, subject="x")
    src = make_source()
    assert len([m for m in src.poll(cursors) if isinstance(m, InboundMessage)]) == 1
    assert entra.count("client_credentials") == 1
    assert not list(tmp_path.glob("*token*"))
    blob = SqlKeyValueStore(db, TOKEN_NAMESPACE).get(token_cache_key(src.cfg))
    assert blob and "AccessToken" in json.loads(blob)
    # a second process reuses the stored token: no call to the token endpoint at all
    graph.deliver(MAILBOX, subject="y")
    again = make_source()
    assert [m.subject for m in again.poll(cursors) if isinstance(m, InboundMessage)] == ["y"]
    assert entra.count("client_credentials") == 1
    assert entra.count() == 2  # discovery + token in the first process; the second asks Entra nothing


def test_token_cache_is_encrypted_when_a_key_is_set(graph, entra, make_source, cursors, db, monkeypatch):
    key = Fernet.generate_key().decode()
    monkeypatch.setenv(auth.TOKEN_CACHE_KEY_ENV, key)
    src = make_source()
    list(src.poll(cursors))
    blob = SqlKeyValueStore(db, TOKEN_NAMESPACE).get(token_cache_key(src.cfg))
    token = next(iter(entra.tokens))
    assert token not in blob and "AccessToken" not in blob
    assert token in Fernet(key.encode()).decrypt(blob.encode()).decode()


def test_expired_token_on_graph_is_refreshed_once_and_the_request_repeated(graph, entra, make_source, cursors):
    src = make_source()
    list(src.poll(cursors))
    entra.revoke_all()  # Graph now answers 401 InvalidAuthenticationToken for the cached token
    graph.deliver(MAILBOX, subject="after expiry")
    got = [m.subject for m in src.poll(cursors) if isinstance(m, InboundMessage)]
    assert got == ["after expiry"]
    statuses = [r.status for r in graph.requests_for("GET", "/messages/delta")]
    assert statuses[-2:] == [401, 200]
    assert entra.count("client_credentials") == 2
    assert src.con.token_refreshes == 1


def test_a_token_graph_keeps_refusing_is_refreshed_only_once(graph, entra, make_source, cursors, monkeypatch):
    src = make_source()
    list(src.poll(cursors))
    monkeypatch.setattr(entra, "valid", lambda token: None)
    with pytest.raises(SourceError) as ei:
        list(src.poll(cursors))
    assert "InvalidAuthenticationToken" in str(ei.value)
    delta = graph.requests_for("GET", "/messages/delta")
    assert [r.status for r in delta[-2:]] == [401, 401]
    assert src.con.token_refreshes == 1


def test_a_token_about_to_expire_is_renewed_before_the_request(graph, entra, make_source, cursors, monkeypatch):
    entra.access_token_seconds = 120
    monkeypatch.setattr(auth, "EXPIRY_SKEW_SECONDS", 119)
    src = make_source()
    list(src.poll(cursors))
    time.sleep(1.2)
    list(src.poll(cursors))
    assert entra.count("client_credentials") >= 2
    assert all(r.status != 401 for r in graph.log)


def test_missing_secret_is_a_config_error(make_cfg, db, monkeypatch):
    monkeypatch.delenv("DRAFTGUARD_GRAPH_CLIENT_SECRET")
    with pytest.raises(ConfigError) as ei:
        build_account(make_cfg(), SqlKeyValueStore(db, TOKEN_NAMESPACE))
    assert "DRAFTGUARD_GRAPH_CLIENT_SECRET" in str(ei.value)


def test_device_code_login_then_silent_refresh(graph, entra, db, make_source, cursors, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    entra.register(PUBLIC_CLIENT, None, TENANT)
    user = entra.user["upn"]
    graph.add_mailbox(user)
    cfg = OutlookSourceConfig(
        name="me", tenant_id=TENANT, client_id=PUBLIC_CLIENT, auth_flow="device_code", mailboxes=[user],
        graph_url=graph.base, authority_url=entra.base,
    )
    shown: list[str] = []
    assert device_code_login(cfg, SqlKeyValueStore(db, TOKEN_NAMESPACE), show=shown.append) == user
    assert "enter the code" in shown[0]
    assert entra.count("urn:ietf:params:oauth:grant-type:device_code") == 2  # pending once, then tokens
    assert not list(tmp_path.glob("*token*"))
    graph.deliver(user, subject="for me")
    src = make_source(cfg)
    assert [m.subject for m in src.poll(cursors) if isinstance(m, InboundMessage)] == ["for me"]
    assert entra.count("refresh_token") == 0  # the access token from the login is still good
    entra.revoke_all()
    graph.deliver(user, subject="after refresh")
    assert [m.subject for m in src.poll(cursors) if isinstance(m, InboundMessage)] == ["after refresh"]
    assert entra.count("refresh_token") == 1


def test_delegated_source_without_login_says_so(graph, entra, db, make_source, cursors):
    entra.register(PUBLIC_CLIENT, None, TENANT)
    cfg = OutlookSourceConfig(name="me", tenant_id=TENANT, client_id=PUBLIC_CLIENT, auth_flow="device_code",
                              mailboxes=[entra.user["upn"]], graph_url=graph.base, authority_url=entra.base)
    with pytest.raises(SourceError) as ei:
        list(make_source(cfg).poll(cursors))
    assert "outlook login" in str(ei.value)
    assert CLIENT_ID  # the app-only client stays registered
