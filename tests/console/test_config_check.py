"""`main.py config check` validates [console.oidc] as `serve` does (a typo is named, not found at start)."""

from __future__ import annotations

from typer.testing import CliRunner

from tests.e2e.helpers import write_config


def check(cfg):
    import main

    return CliRunner().invoke(main.app, ["--config", str(cfg), "config", "check"], env={"DRAFTGUARD_STORAGE_URL": None})


def test_config_check_names_an_unknown_oidc_key(tmp_path):
    cfg = write_config(tmp_path, mailbox=None, extra='[console.oidc]\nprovider = "oidc"\nissuer = "https://idp.example"\nclient_id = "x"\ngroup_claim = "groups"\n')
    r = check(cfg)
    assert r.exit_code == 2, r.output
    assert "console.oidc.group_claim" in r.output


def test_config_check_refuses_a_plain_http_issuer(tmp_path):
    cfg = write_config(tmp_path, mailbox=None, extra='[console.oidc]\nprovider = "oidc"\nissuer = "http://idp.example"\nclient_id = "x"\n')
    r = check(cfg)
    assert r.exit_code == 2 and "console.oidc.issuer" in r.output and "https" in r.output, r.output


def test_config_check_accepts_a_complete_oidc_section(tmp_path):
    cfg = write_config(tmp_path, mailbox=None, extra='[console.oidc]\nprovider = "oidc"\nissuer = "https://idp.example"\nclient_id = "x"\nscopes = ["openid", "email"]\n')
    r = check(cfg)
    assert r.exit_code == 0 and ": OK (" in r.output, r.output
