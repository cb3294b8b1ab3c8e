"""End to end through jobs.bootstrap and agent.pipeline: Outlook mailbox in, one threaded reply
draft per client message in Drafts, an idle second run, outcome tracking, ``outlook check``."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from agent.config import load_config
from jobs.bootstrap import bootstrap
from jobs.outcomes import track_outcomes
from storage.audit import verify
from storage.models import Delivery, Item
from tests.outlook.conftest import CLIENT_ID, MAILBOX, OTHER, TENANT
from tests.outlook.pipeline_kit import BENIGN, no_raw_tags, write_outlook_config


def test_pipeline_drafts_each_client_message_once(graph, entra, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a = graph.deliver(MAILBOX, subject="Opening hours", html=BENIGN)
    b = graph.deliver(MAILBOX, subject="Out of office", html="<p>I am away until Monday.</p>",
                      sender=("Bob", "bob@client.example"), headers=[("Auto-Submitted", "auto-replied")])
    cfg = write_outlook_config(tmp_path, graph_base=graph.base, authority_base=entra.base, tenant=TENANT,
                               client_id=CLIENT_ID, mailboxes=[MAILBOX])
    rt = bootstrap(load_config(cfg))
    try:
        src = rt.source("outlook:m365")
        summary = rt.pipeline.run_source(src)
        assert summary.counts["drafted"] == 1 and summary.counts["skipped"] == 1, summary.counts
        drafts = graph.drafts(MAILBOX)
        assert len(drafts) == 1
        d = drafts[0]
        assert d["conversationId"] == a["conversationId"] and d["categories"] == ["draftguard"]
        assert d["toRecipients"][0]["emailAddress"]["address"] == "jane@client.example"
        html = d["body"]["content"]
        assert no_raw_tags(html) and html.index("Contoso Client Services") < html.index("divRplyFwdMsg")
        with rt.session_factory() as s:
            rows = s.execute(select(Item.external_id, Item.state)).all()
            states = {e.split("/", 1)[1]: st for e, st in rows}
            assert states == {a["id"]: "drafted", b["id"]: "skipped"}
            delivery = s.execute(select(Delivery)).scalar_one()
            assert delivery.target == f"outlook:{MAILBOX}:Drafts" and delivery.target_ref == d["id"] and delivery.created
            assert verify(s).ok
        # second run: nothing new, one Graph request
        n = len(graph.log)
        again = rt.pipeline.run_source(src)
        assert again.seen == 0 and len(graph.log) - n == 1
        # outcome tracking through the job hook
        graph.send_draft(MAILBOX, d["id"])
        assert track_outcomes(rt) == {"outlook:m365": {"sent": 1, "edited_sent": 0, "deleted": 0, "waiting": 0, "errors": 0}}
    finally:
        rt.close()


def test_outlook_check_reports_each_mailbox(graph, entra, tmp_path, monkeypatch):
    import main

    entra.apps[CLIENT_ID].mailboxes = {MAILBOX}  # sales@ is outside the application access policy
    cfg = write_outlook_config(tmp_path, graph_base=graph.base, authority_base=entra.base, tenant=TENANT,
                               client_id=CLIENT_ID, mailboxes=[MAILBOX, OTHER])
    res = CliRunner().invoke(main.app, ["--config", str(cfg), "outlook", "check"], env={"COLUMNS": "250"})
    assert res.exit_code == 1, res.output
    lines = {ln.split("│")[2].strip(): ln for ln in res.output.splitlines() if "@contoso.example" in ln}
    assert "no" not in lines[MAILBOX].split("│")[4] and "yes" in lines[MAILBOX].split("│")[5]
    assert "ErrorAccessDenied" in res.output
    assert graph.mailboxes[MAILBOX].messages == {}  # the probe draft was purged, not left in Deleted Items
    assert graph.requests_for("POST", "/permanentDelete")  # more in test_outlook_check.py
    entra.apps[CLIENT_ID].mailboxes = None
    ok = CliRunner().invoke(main.app, ["--config", str(cfg), "outlook", "check"], env={"COLUMNS": "250"})
    assert ok.exit_code == 0, ok.output


def test_outlook_login_runs_the_device_code_flow_and_stores_the_tokens(graph, entra, tmp_path, monkeypatch):
    import main
    from storage.db import open_database
    from storage.repository import SqlKeyValueStore

    monkeypatch.chdir(tmp_path)
    public = "99999999-8888-7777-6666-555555555555"
    entra.register(public, None, TENANT)
    user = entra.user["upn"]
    cfg = write_outlook_config(tmp_path, graph_base=graph.base, authority_base=entra.base, tenant=TENANT,
                               client_id=public, mailboxes=[user], extra='auth_flow = "device_code"')
    res = CliRunner().invoke(main.app, ["--config", str(cfg), "outlook", "login"], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    assert "enter the code" in res.output and f"signed in as {user}" in res.output
    engine, sf = open_database(f"sqlite:///{tmp_path / 'dg.db'}")
    try:
        assert SqlKeyValueStore(sf, "outlook-token").get(f"device_code:{TENANT}:{public}")
    finally:
        engine.dispose()
    assert not list(tmp_path.glob("*token*"))
