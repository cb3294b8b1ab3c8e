"""The console's OIDC sign-in against a local identity provider on 127.0.0.1
(tests/servers/oidc_idp.py: discovery, authorization endpoint, token endpoint, JWKS, RS256 id
tokens with a groups claim), through the real clients: Authlib (``provider = "oidc"``) and msal
(``provider = "entra"``, over TLS with Entra's URL layout).

Each refusal case checks that no session was started (the queue still asks for sign-in) and
that the provider saw what the protocol requires (PKCE S256, state, nonce, the verifier)."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from agent.errors import ConfigError
from console.auth.oidc import OidcSettings
from tests.console.oidc_support import BASE, make_app, open_services, settings_with
from tests.servers.oidc_idp import IdpUser, OidcIdp, s256

CALLBACK = BASE + "/auth/callback"
SECRET_ENV = "DG_TEST_OIDC_SECRET"
GROUPS = {"compliance": ["grp-compliance"], "security": ["Draftguard.Security"]}
AUDITORS = ["Draftguard.Auditor"]


def _user(**claims) -> IdpUser:
    base = {
        "sub": "u-3f6c1a",
        "name": "Rita Reviewer",
        "email": "rita@firm.example",
        "preferred_username": "rita@firm.example",
        "groups": ["grp-compliance", "grp-unrelated"],
        "roles": ["Draftguard.Auditor"],
    }
    base.update(claims)
    return IdpUser({k: v for k, v in base.items() if v is not None})


@pytest.fixture
def idp():
    with OidcIdp(redirect_uris=(CALLBACK,), user=_user()) as server:
        yield server


@pytest.fixture
def console_for(tmp_path, monkeypatch):
    """``console_for(oidc_section) -> TestClient`` on a fresh database."""
    monkeypatch.setenv(SECRET_ENV, "idp-test-secret")
    made = []

    def build(oidc: dict, client_secret: str | None = None) -> TestClient:
        if client_secret is not None:
            monkeypatch.setenv(SECRET_ENV, client_secret)
        settings = settings_with(tmp_path, {"groups": GROUPS, "auditors": AUDITORS, "oidc": {"client_secret_env": SECRET_ENV, **oidc}})
        services, engine = open_services(settings)
        client = TestClient(make_app(settings, services), base_url=BASE)
        made.append((client, engine))
        return client

    yield build
    for _client, engine in made:
        engine.dispose()


def _generic(idp: OidcIdp) -> dict:
    return {"provider": "oidc", "issuer": idp.issuer, "client_id": idp.client_id}


def start(client: TestClient, next_path: str = "/queue") -> str:
    """GET /login/oidc: returns the provider's authorization URL it redirected to."""
    r = client.get("/login/oidc", params={"next": next_path}, follow_redirects=False)
    assert r.status_code == 302, r.text
    return r.headers["location"]


def authorize(url: str, verify=True) -> dict:
    """The browser at the provider: returns the callback's query (code, state) after the auto-approval."""
    r = httpx.get(url, follow_redirects=False, verify=verify)
    assert r.status_code == 302, r.text
    location = r.headers["location"]
    assert location.startswith(CALLBACK + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def finish(client: TestClient, params: dict):
    return client.get("/auth/callback", params=params, follow_redirects=False)


def signed_in(client: TestClient) -> bool:
    r = client.get("/queue", follow_redirects=False)
    return r.status_code == 200


def test_sign_in_succeeds_and_maps_groups_and_roles(idp, console_for):
    client = console_for(_generic(idp))
    login = client.get("/login")
    assert "Sign in with 127.0.0.1" in login.text and 'href="/login/oidc"' in login.text
    assert not signed_in(client)

    url = start(client, "/items/7")
    q = parse_qs(urlsplit(url).query)
    assert url.startswith(idp.issuer + "/authorize?")
    assert q["code_challenge_method"] == ["S256"] and q["response_type"] == ["code"]
    assert q["state"][0] and q["nonce"][0] and "openid" in q["scope"][0].split()
    assert q["redirect_uri"] == [CALLBACK]
    r = finish(client, authorize(url))
    assert r.status_code == 303 and r.headers["location"] == "/items/7"

    # The token request carried the PKCE verifier of the challenge, with client authentication.
    (tok,) = idp.token_requests
    assert s256(tok["code_verifier"]) == q["code_challenge"][0]
    assert tok["_auth"] == "basic" and tok["grant_type"] == "authorization_code"

    page = client.get("/queue")
    assert page.status_code == 200
    assert "Rita Reviewer" in page.text
    # groups claim "grp-compliance" -> reviewer group compliance; app role Draftguard.Auditor -> auditor;
    # "grp-unrelated" maps to nothing.
    assert "auditor, reviewer · compliance" in page.text
    assert "security" not in page.text.split("<main>")[0]


def test_next_is_taken_from_the_sign_in_page_that_linked(idp, console_for):
    client = console_for(_generic(idp))
    r = client.get("/login/oidc", headers={"referer": BASE + "/login?next=%2Fitems%2F42"}, follow_redirects=False)
    assert r.status_code == 302
    r = finish(client, authorize(r.headers["location"]))
    assert r.headers["location"] == "/items/42"
    # an outside referer or next is never followed
    r = client.get("/login/oidc", params={"next": "//evil.example/x"}, follow_redirects=False)
    r = finish(client, authorize(r.headers["location"]))
    assert r.headers["location"] == "/queue"


def test_wrong_state_is_refused(idp, console_for):
    client = console_for(_generic(idp))
    params = authorize(start(client))
    params["state"] = "forged-" + params["state"]
    r = finish(client, params)
    assert r.status_code == 400 and "not the one this browser started" in r.text
    assert idp.token_requests == []  # the code was never exchanged
    assert not signed_in(client)


def test_callback_cannot_be_replayed(idp, console_for):
    client = console_for(_generic(idp))
    params = authorize(start(client))
    assert finish(client, params).status_code == 303
    assert finish(client, params).status_code == 400  # the pending flow was used up


def test_state_from_another_browser_is_refused(idp, console_for):
    victim, attacker = console_for(_generic(idp)), console_for(_generic(idp))
    params = authorize(start(attacker))  # attacker's own code and state, fed to the victim's browser
    assert finish(victim, params).status_code == 400
    assert not signed_in(victim)


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ({"nonce": "not-the-one-we-sent"}, "InvalidClaimError:invalid_claim: Invalid claim: 'nonce'"),
        # Authlib checks azp (required when aud is not only our client id) before aud
        ({"aud": "someone-else"}, "MissingClaimError:missing_claim: Missing claim: 'azp'"),
        ({"aud": ["someone-else"], "azp": "someone-else"}, "InvalidClaimError:invalid_claim: Invalid claim: 'a"),
        ({"iss": "http://127.0.0.1:1/other-issuer"}, "InvalidClaimError:invalid_claim: Invalid claim: 'iss'"),
        ({"exp": int(time.time()) - 600, "iat": int(time.time()) - 900}, "id_token_expired"),
        ({"nonce": None}, "MissingClaimError:missing_claim: Missing claim: 'nonce'"),
    ],
)
def test_bad_id_token_claims_are_refused(idp, console_for, fault, reason, caplog):
    client = console_for(_generic(idp))
    idp.id_token_overrides = fault
    r = finish(client, authorize(start(client)))
    assert r.status_code == 400, reason
    assert "Sign-in failed" in r.text
    assert not signed_in(client)
    assert any("OIDC sign-in refused" in rec.getMessage() and reason in rec.getMessage() for rec in caplog.records), reason
    assert not any("rita" in rec.getMessage().lower() for rec in caplog.records)  # no personal data in logs


def test_id_token_signed_with_another_key_is_refused(idp, console_for):
    client = console_for(_generic(idp))
    idp.sign_with_other_key = True
    r = finish(client, authorize(start(client)))
    assert r.status_code == 400
    assert not signed_in(client)
    idp.sign_with_other_key = False
    assert finish(client, authorize(start(client))).status_code == 303  # control: the same flow with the real key


def test_pkce_verifier_mismatch_is_refused(idp, console_for):
    """A code obtained in one flow, brought to the callback with another flow's state: the console
    sends its own verifier, which does not fit the code's challenge; the provider refuses."""
    client = console_for(_generic(idp))
    first = authorize(start(client))
    second = authorize(start(client))
    r = finish(client, {"code": first["code"], "state": second["state"]})
    assert r.status_code == 400
    assert idp.token_errors == ["invalid_grant"]
    assert not signed_in(client)


def test_wrong_client_secret_is_refused(idp, console_for):
    client = console_for(_generic(idp), client_secret="not-the-secret")
    assert finish(client, authorize(start(client))).status_code == 400
    assert idp.token_errors == ["invalid_client"]


def test_person_without_a_mapped_group_gets_no_session(idp, console_for, caplog):
    client = console_for(_generic(idp))
    idp.user = _user(groups=["grp-unrelated"], roles=None)
    r = finish(client, authorize(start(client)))
    assert r.status_code == 403 and "none of the groups" in r.text
    assert not signed_in(client)


def test_entra_groups_overage_is_explained(idp, console_for):
    client = console_for(_generic(idp))
    idp.user = _user(groups=None, roles=None, _claim_names={"groups": "src1"},
                     _claim_sources={"src1": {"endpoint": "https://graph.microsoft.com/v1.0/users/x/getMemberObjects"}})
    r = finish(client, authorize(start(client)))
    assert r.status_code == 403
    assert "groups overage" in r.text and "Groups assigned to the application" in r.text
    assert not signed_in(client)


def test_unreachable_provider_is_a_page_not_a_crash(console_for):
    client = console_for({"provider": "oidc", "issuer": "http://127.0.0.1:9", "client_id": "x"})
    r = client.get("/login/oidc", follow_redirects=False)
    assert r.status_code == 502 and "could not be reached" in r.text


def test_config_errors_name_the_key(monkeypatch):
    from console.config import OidcConfig

    with pytest.raises(ConfigError, match="tenant_id"):
        OidcSettings.from_config(OidcConfig(provider="entra", tenant_id="common", client_id="c"))
    with pytest.raises(ConfigError, match="issuer"):
        OidcSettings.from_config(OidcConfig(provider="oidc", client_id="c"))
    with pytest.raises(ConfigError, match="https"):
        OidcSettings.from_config(OidcConfig(provider="oidc", issuer="http://idp.example.com", client_id="c"))
    monkeypatch.delenv("DG_UNSET_SECRET", raising=False)
    cfg = OidcSettings.from_config(OidcConfig(provider="oidc", issuer="https://idp.example.com", client_id="c", client_secret_env="DG_UNSET_SECRET"))
    with pytest.raises(ConfigError, match="DG_UNSET_SECRET"):
        cfg.client_secret()


# ------------------------------------------------------------------ Entra ID through msal
TENANT = "11111111-2222-3333-4444-555555555555"


@pytest.fixture
def entra(ca, ca_trusted):
    with OidcIdp(redirect_uris=(CALLBACK,), user=_user(oid="00000000-0000-0000-0000-0000000000a1"), ca=ca, tenant=TENANT) as server:
        yield server


def _entra(idp: OidcIdp) -> dict:
    return {"provider": "entra", "tenant_id": TENANT, "authority_host": idp.base, "client_id": idp.client_id}


def test_entra_msal_sign_in(entra, console_for, ca_trusted):
    client = console_for(_entra(entra))
    assert "Sign in with Microsoft Entra ID" in client.get("/login").text
    url = start(client)
    q = parse_qs(urlsplit(url).query)
    assert url.startswith(f"{entra.authority}/oauth2/v2.0/authorize?")
    assert q["code_challenge_method"] == ["S256"] and q["nonce"][0] and q["state"][0]
    r = finish(client, authorize(url, verify=str(ca_trusted)))
    assert r.status_code == 303, r.text
    (tok,) = entra.token_requests
    assert s256(tok["code_verifier"]) == q["code_challenge"][0] and tok["_auth"] == "post"
    page = client.get("/queue")
    assert "auditor, reviewer · compliance" in page.text


@pytest.mark.parametrize("fault", ["other_key", "nonce", "audience", "expired"])
def test_entra_bad_id_tokens_are_refused(entra, console_for, ca_trusted, fault, caplog):
    """msal itself does not check the signature: the console checks it against the tenant's JWKS."""
    client = console_for(_entra(entra))
    if fault == "other_key":
        entra.sign_with_other_key = True
    else:
        entra.id_token_overrides = {
            "nonce": {"nonce": "forged"},
            "audience": {"aud": "someone-else"},
            "expired": {"exp": int(time.time()) - 600, "iat": int(time.time()) - 900},
        }[fault]
    r = finish(client, authorize(start(client), verify=str(ca_trusted)))
    assert r.status_code == 400, r.text
    assert not signed_in(client)
    expected = {"other_key": "InvalidSignatureError", "nonce": "msal", "audience": "InvalidAudienceError", "expired": "id_token_expired"}[fault]
    assert any("sign-in refused" in rec.getMessage() and expected in rec.getMessage() for rec in caplog.records)


def test_entra_wrong_state_is_refused(entra, console_for, ca_trusted):
    client = console_for(_entra(entra))
    params = authorize(start(client), verify=str(ca_trusted))
    params["state"] = "x" + params["state"]
    assert finish(client, params).status_code == 400
    assert entra.token_requests == []


def test_pending_flows_fit_in_the_session_cookie(entra, console_for, ca_trusted):
    """A browser keeps about 4 KB per cookie: three pending msal flows (three tabs) still fit, and a
    fourth replaces the oldest."""
    client = console_for(_entra(entra))
    urls = [start(client) for _ in range(4)]
    cookie = client.cookies.get("draftguard_console")
    assert cookie and len(cookie) < 3000, len(cookie or "")
    oldest = authorize(urls[0], verify=str(ca_trusted))
    assert finish(client, oldest).status_code == 400  # dropped: only the three newest are kept
    assert finish(client, authorize(urls[3], verify=str(ca_trusted))).status_code == 303


def test_entra_keeps_no_tokens_after_sign_in(entra, console_for, ca_trusted):
    client = console_for(_entra(entra))
    url = start(client)
    assert "email" in parse_qs(urlsplit(url).query)["scope"][0].split()
    assert finish(client, authorize(url, verify=str(ca_trusted))).status_code == 303
    flow = client.app.state.oidc_flow
    assert flow._msal().get_accounts() == []


def test_groups_overage_with_app_roles_signs_in_with_the_roles_only(idp, console_for, caplog):
    client = console_for(_generic(idp))
    idp.user = _user(groups=None, roles=["Draftguard.Security"], _claim_names={"groups": "src1"})
    assert finish(client, authorize(start(client))).status_code == 303
    assert "reviewer · security" in client.get("/queue").text.split("<main>")[0]
    assert any("groups overage" in r.getMessage() for r in caplog.records)


def test_generic_provider_against_entra_v2_issuer(entra, console_for, ca_trusted, monkeypatch):
    """provider = "oidc" with Entra's v2.0 issuer URL (https://login.microsoftonline.com/<tenant>/v2.0):
    Authlib reads the tenant's discovery document and checks the id token as for any provider."""
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_trusted))  # httpx trusts the test CA
    client = console_for({"provider": "oidc", "issuer": entra.issuer, "client_id": entra.client_id})
    url = start(client)
    assert url.startswith(f"{entra.authority}/oauth2/v2.0/authorize?")
    assert finish(client, authorize(url, verify=str(ca_trusted))).status_code == 303
    assert "auditor, reviewer · compliance" in client.get("/queue").text
    entra.sign_with_other_key = True
    assert finish(client, authorize(start(client), verify=str(ca_trusted))).status_code == 400
