"""``main.py salesforce check`` against the fake org (real simple-salesforce describe calls)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import main


@pytest.fixture
def config_file(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("DRAFTGUARD_SF_CLIENT_ID", fake.app.client_id)
    monkeypatch.setenv("DRAFTGUARD_SF_CLIENT_SECRET", fake.app.client_secret)

    def _write(extra_source: str = "", api_version: str = "59.0") -> str:
        path = tmp_path / "config.toml"
        path.write_text(
            f"""
[[sources.salesforce]]
name = "acme"
domain = "{fake.domain}"
api_version = "{api_version}"
queues = ["Support_EN"]
case_fields_allow_list = ["CaseNumber", "Subject", "Priority", "Product__c"]
idempotency_field = "Draftguard_Key__c"
from_address = "support@ours.example"
{extra_source}

[[routing.rules]]
id = "legal"
when = 'intent == "legal"'
action = "escalate"
group = "compliance"
case_actions = {{ Priority = "High", owner_queue = "Escalations", chatter_post = "Escalated" }}
"""
        )
        return str(path)

    return _write


def _run(path: str):
    return CliRunner().invoke(main.app, ["--config", path, "salesforce", "check"])


def test_check_reports_version_limits_and_access(fake, config_file):
    res = _run(config_file())
    out = res.output
    assert res.exit_code == 0, out
    assert "signed in: instance https://127.0.0.1:" in out
    assert "API version: v59.0 (org offers up to v62.0)" in out
    assert f"of {fake.api_limit}" in out and "remaining (Sforce-Limit-Info)" in out
    assert "ready" in out
    # one describe per object, nothing written
    described = {p.split("/")[-2] for _, p in fake.calls("GET", "/describe")}
    assert described == {"Case", "Contact", "Account", "EmailMessage", "CaseComment", "Group", "FeedItem"}
    assert not fake.calls("POST", "/sobjects/") and not fake.calls("PATCH")


def test_check_flags_hidden_and_read_only_fields(fake, config_file):
    fake.org.hidden_fields.add(("Case", "Product__c"))  # field-level security: not visible
    fake.org.readonly_fields.add(("Case", "Priority"))
    res = _run(config_file())
    assert res.exit_code == 1
    out = " ".join(res.output.split())
    assert "Product__c" in out and "not visible" in out
    assert "not updateable" in out
    assert "not ready" in out


def test_check_flags_unoffered_api_version(fake, config_file):
    res = _run(config_file(api_version="48.0"))
    assert res.exit_code == 1
    assert "API version v48.0 not offered" in res.output


def test_check_reports_sign_in_failure(fake, config_file, monkeypatch):
    monkeypatch.setenv("DRAFTGUARD_SF_CLIENT_SECRET", "nope")
    res = _run(config_file())
    assert res.exit_code == 1
    assert "sign-in failed" in res.output and "invalid_client" in res.output


def test_bad_field_name_in_config_is_a_config_error_naming_the_key(fake, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(f'[[sources.salesforce]]\ndomain = "{fake.domain}"\ncase_fields_allow_list = ["Subject", "Id FROM User --"]\n')
    res = CliRunner().invoke(main.app, ["--config", str(path), "salesforce", "check"])
    assert res.exit_code == 2
    out = " ".join(res.output.split())
    assert "sources.salesforce[0].case_fields_allow_list" in out and "not a Salesforce field API name" in out
    assert fake.requests == []
