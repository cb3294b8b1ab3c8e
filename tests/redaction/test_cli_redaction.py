"""Redaction as a user meets it on the command line (issue 10): config check, draft --dry-run, eval pii."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from tests.e2e.helpers import ROOT, write_config

ENV = {"COLUMNS": "200", "PATH": "/usr/bin:/bin"}


def cli(cfg, *args):
    import os

    env = {**{k: v for k, v in os.environ.items() if k != "DRAFTGUARD_STORAGE_URL"}, **ENV}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--config", str(cfg), *args], capture_output=True, text=True, cwd=ROOT, timeout=600, env=env)


def with_redaction(cfg, lines: str):
    text = cfg.read_text()
    assert "\n[redaction]\n" in text
    cfg.write_text(text.replace("\n[redaction]\n", f"\n[redaction]\n{lines}\n", 1))
    return cfg


def test_config_check_refuses_an_entity_no_recogniser_supports(tmp_path):
    cfg = with_redaction(write_config(tmp_path), 'entities = ["PERSON", "EMAIL_ADDRESS", "FR_NIR"]')
    r = cli(cfg, "config", "check")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "redaction.entities" in r.stderr and "FR_NIR" in r.stderr and "PERSON" not in r.stderr.split("FR_NIR")[0].split(":")[-1]


def test_config_check_accepts_national_ids_that_a_recogniser_supports(tmp_path):
    cfg = with_redaction(write_config(tmp_path), 'entities = ["PERSON", "ES_NIF", "IT_FISCAL_CODE", "UK_NINO", "DATE_OF_BIRTH"]')
    r = cli(cfg, "config", "check")
    assert r.returncode == 0 and "OK" in r.stdout, r.stderr


def test_config_check_names_a_missing_language_model(tmp_path):
    cfg = write_config(tmp_path)
    text = cfg.read_text()
    assert 'models = { fr = "fr_core_news_sm" }' in text
    cfg.write_text(text.replace('models = { fr = "fr_core_news_sm" }', 'models = { fr = "fr_core_news_sm", de = "de_core_news_nonexistent" }'))
    r = cli(cfg, "config", "check")
    assert r.returncode == 2 and "redaction.models.de" in r.stderr and "de_core_news_nonexistent" in r.stderr


def test_a_custom_pattern_entity_is_supported_and_a_bad_regex_is_named(tmp_path):
    cfg = with_redaction(write_config(tmp_path), "")
    good = cfg.read_text() + '\n[[redaction.custom_patterns]]\nname = "policy"\nregex = "NW-\\\\d{6}"\nentity = "POLICY_NUMBER"\n'
    cfg.write_text(good.replace('\n[redaction]\n', '\n[redaction]\nentities = ["PERSON", "POLICY_NUMBER"]\n', 1))
    assert cli(cfg, "config", "check").returncode == 0
    cfg.write_text(good.replace('NW-\\\\d{6}', "NW-(\\\\d{6}"))
    r = cli(cfg, "config", "check")
    assert r.returncode == 2 and "redaction.custom_patterns" in r.stderr and "regex" in r.stderr


EML = """From: "Okafor, Chidi" <chidi@okafor-family.internal>
To: help@northwind.example
Subject: New address and card
Message-ID: <pii-1@okafor-family.internal>
Date: Tue, 01 Dec 2026 10:00:00 +0000
Content-Type: text/plain; charset=utf-8

Hello,

please send my statements to 1432 Maple Avenue, Springfield, IL 62704 from now on.
The card 4111 1111 1111 1112 is the new one; I was born on 14 March 1979.
You can reach my wife Ngozi Okafor-Adeyemi on 020 7946 0958 or ngozi@okafor-family.internal.

Kind regards,
chidi okafor
"""


def test_dry_run_shows_each_placeholder_with_its_detector_and_no_value_reaches_the_prompt(tmp_path):
    cfg = write_config(tmp_path)
    eml = tmp_path / "m.eml"
    eml.write_text(EML)
    r = cli(cfg, "draft", str(eml), "--dry-run", "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    detectors = {x["placeholder"]: x["detector"] for x in report["redactions"]}
    assert all(detectors.values()), detectors
    assert set(detectors.values()) <= {"Seed", "PyapAddressRecognizer", "EuAddressRecognizer", "CardLikeRecognizer", "CreditCardRecognizer",
                                       "DateOfBirthRecognizer", "PhoneRecognizer", "NationalPhoneRecognizer", "EmailAnyDomainRecognizer",
                                       "NameCueRecognizer", "NameListRecognizer", "SpacyRecognizer"}, detectors
    prompt = report["prompt"]["system"] + report["prompt"]["user"]
    for value in ("Maple", "62704", "4111", "1112", "March 1979", "Ngozi", "Okafor", "okafor", "7946", "okafor-family.internal", "Chidi", "chidi"):
        assert value not in prompt, value
    assert "<URL_" not in prompt
    # the draft reads the restored values, and the human table names the detector column
    human = cli(cfg, "draft", str(eml), "--dry-run")
    assert "found by" in human.stdout and "4111 1111" not in human.stdout.split("Prompt")[0]


def test_eval_pii_reports_recall_and_precision_per_entity(tmp_path):
    cfg = write_config(tmp_path)
    r = cli(cfg, "eval", "pii", "--split", "dev", "--json")
    assert r.returncode in (0, 1), r.stderr
    report = json.loads(r.stdout)
    assert report["split"] == "dev" and report["samples"] > 50
    for entity in ("PERSON", "LOCATION", "CREDIT_CARD", "EMAIL_ADDRESS", "DATE_OF_BIRTH"):
        figures = report["entities"][entity]
        assert figures["core"] and figures["gold"] > 0 and 0 <= figures["recall"] <= 1
    assert r.returncode == (1 if report["below_threshold"] else 0)
    human = cli(cfg, "eval", "pii", "--split", "dev")
    assert re.search(r"PERSON\s+yes\s+\d+\s+\d+\s+[01]\.\d{3}", human.stdout), human.stdout


def test_dry_run_shows_where_the_last_check_finds_what_redaction_let_through(tmp_path):
    """With phone numbers left out of ``[redaction] entities``, the number stays in the prompt: the dry
    run (template drafter, no model) says the last check would refuse the request, and where the
    number is in the printed prompt (part, line, columns), never the number itself."""
    cfg = with_redaction(write_config(tmp_path), 'entities = ["PERSON", "EMAIL_ADDRESS"]')
    eml = tmp_path / "m.eml"
    eml.write_text(
        "From: Client <client@client.example>\nTo: support@northwind.example\nSubject: Callback\n"
        "Message-ID: <cb1@client.example>\nDate: Mon, 07 Dec 2026 08:00:00 +0000\n\n"
        "Hello,\n\nplease call me back on 020 7946 0958 tomorrow.\n\nThanks\n"
    )
    r = cli(cfg, "draft", str(eml), "--dry-run", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    o = out["outbound"]
    assert o["action"] == "none" and o["requests"] == 0 and o["mode"] == "refuse"
    hits = [h for h in o["prompt_hits"] if h["entity"] == "PHONE_NUMBER"]
    assert len(hits) == 1 and hits[0]["part"] == "user" and not hits[0]["known"], o
    line = out["prompt"]["user"].splitlines()[hits[0]["line"] - 1]
    a, b = hits[0]["columns"]
    assert line[a - 1 : b] == "020 7946 0958", (line, hits)
    assert "7946" not in json.dumps(o)
    text = cli(cfg, "draft", str(eml), "--dry-run")
    assert "Last check on this prompt: 1 found, would refuse the request" in " ".join(text.stdout.split()), text.stdout[-1500:]
    assert "call me back on [PHONE_NUMBER] tomorrow" in hits[0]["context"], hits
    shown = " ".join(text.stdout.split())
    assert f"PHONE_NUMBER (user line {hits[0]['line']}, columns {a}-{b}):" in shown and "call me back on [PHONE_NUMBER] tomorrow" in shown, shown[-1500:]


def test_config_check_refuses_an_empty_entity_list(tmp_path):
    """``entities = []`` would mask nothing (new-user trial: it passed as OK)."""
    cfg = with_redaction(write_config(tmp_path), "entities = []")
    r = cli(cfg, "config", "check")
    assert r.returncode == 2, r.stdout
    assert str(cfg) in r.stderr and "redaction.entities" in r.stderr and "is empty" in r.stderr


def test_config_check_suggests_the_entity_meant(tmp_path):
    cfg = with_redaction(write_config(tmp_path), 'entities = ["person", "EMAIL"]')
    r = cli(cfg, "config", "check")
    assert r.returncode == 2
    err = " ".join(r.stderr.split())
    assert "'person': did you mean 'PERSON'?" in err and "'EMAIL': did you mean 'EMAIL_ADDRESS'?" in err, err
    assert err.startswith(f"error: {cfg}: redaction.entities:"), err


def test_config_check_warns_when_core_entities_are_left_out(tmp_path):
    cfg = with_redaction(write_config(tmp_path), 'entities = ["PERSON", "LOCATION", "EMAIL_ADDRESS"]')
    r = cli(cfg, "config", "check")
    assert r.returncode == 0, r.stderr
    out = " ".join(r.stdout.split())
    assert "OK" in out and "warning: redaction.entities leaves out PHONE_NUMBER, CREDIT_CARD, IBAN_CODE, US_SSN, DATE_OF_BIRTH" in out, out
    full = cli(write_config(tmp_path / "full"), "config", "check")
    assert full.returncode == 0 and "warning" not in full.stdout
