"""Sign-in through the real simple-salesforce token handling: client credentials, JWT bearer
(assertion verified by the fake with the app's certificate key), one re-authentication on
INVALID_SESSION_ID, and the errors a bad setup gives."""

from __future__ import annotations

import pytest
from sf_fake import Fault

from agent.errors import ConfigError, SourceError


def _poll(src, cursors):
    return list(src.poll(cursors))


def test_client_credentials_sign_in(fake, seed, make_source, cursors):
    seed.email(seed.case())
    src = make_source()
    assert len(_poll(src, cursors)) == 1
    assert fake.token_grants == ["client_credentials"]
    assert fake.calls("POST", "/services/oauth2/token")


def test_wrong_secret_is_a_clear_non_transient_error(fake, make_cfg, make_source, env, cursors):
    env["DRAFTGUARD_SF_CLIENT_SECRET"] = "wrong"
    src = make_source()
    with pytest.raises(SourceError) as err:
        _poll(src, cursors)
    assert err.value.transient is False
    assert "invalid_client" in str(err.value) and "sign-in failed" in str(err.value)
    assert fake.api_calls() == 0


def test_jwt_bearer_sign_in(fake, seed, make_source, env, rsa_key, cursors):
    path, public = rsa_key
    fake.app.public_key_pem = public
    env["DRAFTGUARD_SF_PRIVATE_KEY_PATH"] = str(path)
    seed.email(seed.case())
    src = make_source(auth_flow="jwt", username=fake.app.username)
    assert len(_poll(src, cursors)) == 1
    assert fake.token_grants == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]


def test_jwt_with_wrong_audience_or_user_is_refused(fake, make_source, env, rsa_key, cursors):
    path, public = rsa_key
    fake.app.public_key_pem = public
    env["DRAFTGUARD_SF_PRIVATE_KEY_PATH"] = str(path)
    with pytest.raises(SourceError, match="invalid_grant"):
        _poll(make_source(auth_flow="jwt", username=fake.app.username, jwt_audience="https://test.salesforce.com"), cursors)
    # simple-salesforce also warns with the authorize URL to pre-approve the app
    with pytest.raises(SourceError, match="hasn't approved"), pytest.warns(UserWarning, match="authorize this"):
        _poll(make_source(auth_flow="jwt", username="someone.else@acme.example"), cursors)


def test_jwt_without_username_or_key_is_a_config_error(fake, make_source, env, cursors):
    with pytest.raises(ConfigError) as err:
        _poll(make_source(auth_flow="jwt"), cursors)
    assert err.value.key == "username"
    with pytest.raises(ConfigError) as err:
        _poll(make_source(auth_flow="jwt", username="u@acme.example"), cursors)
    assert "DRAFTGUARD_SF_PRIVATE_KEY_PATH" in str(err.value)


def test_missing_secret_env_var_is_named(fake, make_source, env, cursors):
    del env["DRAFTGUARD_SF_CLIENT_SECRET"]
    with pytest.raises(ConfigError, match="DRAFTGUARD_SF_CLIENT_SECRET is not set"):
        _poll(make_source(), cursors)


def test_expired_session_reauthenticates_once_and_retries(fake, seed, make_source, cursors):
    case = seed.case()
    seed.email(case)
    src = make_source()
    assert len(_poll(src, cursors)) == 1
    fake.expire_tokens()  # the access token is revoked / timed out
    fake.org.tick()
    seed.email(case, "follow-up")
    (msg,) = _poll(src, cursors)
    assert msg.text_body == "follow-up"
    assert fake.token_grants == ["client_credentials", "client_credentials"]
    assert src.client.reauthentications == 1
    statuses = [p for m, p in fake.requests if "/query/" in p]
    assert len(statuses) == 3  # first poll, the refused query, the repeated query


def test_reauthentication_happens_only_once(fake, seed, make_source, cursors):
    seed.email(seed.case())
    src = make_source()
    fake.faults.append(
        Fault("GET", r"/query/$", status=401, body=[{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}], times=5)
    )
    with pytest.raises(SourceError, match="INVALID_SESSION_ID again after re-authentication"):
        _poll(src, cursors)
    assert len(fake.token_grants) == 2
    assert len(fake.calls("GET", "/query/")) == 2


def test_token_endpoint_outage_is_retried(fake, seed, make_source, cursors):
    seed.email(seed.case())
    fake.faults.append(Fault("POST", r"/services/oauth2/token", status=503, body=b"<html>Maintenance</html>"))
    assert len(_poll(make_source(), cursors)) == 1
    assert len(fake.calls("POST", "/services/oauth2/token")) == 2


def test_instance_url_override(fake, seed, make_source, cursors):
    seed.email(seed.case())
    src = make_source(instance_url=fake.url + "/")
    assert len(_poll(src, cursors)) == 1
    assert src.client.sf.sf_instance == fake.domain
