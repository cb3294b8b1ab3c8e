"""Reply-all keeps the original ``To`` recipients in ``To`` (as Outlook's own Reply All does),
moves nobody from ``Cc`` to ``To``, and never addresses our own mailboxes. Checked through
the real parsers: Graph JSON via a poll against the local Graph (then the whole pipeline),
and a raw RFC 5322 message via the Maildir parser."""

from __future__ import annotations

from agent.config import load_config
from agent.reply import reply_recipients
from connectors.maildir.parse import parse_message
from jobs.bootstrap import bootstrap
from tests.outlook.conftest import CLIENT_ID, MAILBOX, OTHER, TENANT
from tests.outlook.pipeline_kit import BENIGN, write_outlook_config


def emails(recipients: list[dict]) -> list[str]:
    return [r["emailAddress"]["address"] for r in recipients]


def test_reply_all_draft_keeps_to_in_to_and_cc_in_cc(graph, entra, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    graph.deliver(
        MAILBOX,
        subject="Opening hours",
        html=BENIGN,
        sender=("Jane Client", "jane@client.example"),
        to=[("Support", MAILBOX), ("Carol Client", "carol@client.example")],
        cc=[("Bob Client", "bob@client.example"), ("Sales", OTHER)],
    )
    cfg = write_outlook_config(tmp_path, graph_base=graph.base, authority_base=entra.base, tenant=TENANT,
                               client_id=CLIENT_ID, mailboxes=[MAILBOX, OTHER], extra="reply_all = true")
    rt = bootstrap(load_config(cfg))
    try:
        summary = rt.pipeline.run_source(rt.source("outlook:m365"))
        assert summary.counts["drafted"] == 1, summary.counts
    finally:
        rt.close()
    (draft,) = graph.drafts(MAILBOX)
    assert emails(draft["toRecipients"]) == ["jane@client.example", "carol@client.example"]
    assert emails(draft["ccRecipients"]) == ["bob@client.example"]


def test_fake_create_reply_all_addresses_like_graph(graph, make_source, make_cfg, cursors):
    """The local Graph's createReplyAll (no recipients in the request) addresses as Graph does."""
    orig = graph.deliver(MAILBOX, subject="x", to=[("Support", MAILBOX), ("Carol", "carol@client.example")],
                         cc=[("Bob", "bob@client.example")])
    src = make_source(make_cfg(reply_all=True))
    url = f"{src.con.protocol.service_url}users/{MAILBOX}/messages/{orig['id']}/createReplyAll"
    made = src.con.post(url, data={}).json()
    assert emails(made["toRecipients"]) == ["jane@client.example", "carol@client.example"]
    assert emails(made["ccRecipients"]) == ["bob@client.example"]


RAW = (
    b"From: Ann Lee <Ann.Lee@Client.example>\r\n"
    b"Reply-To: Accounts <accounts@client.example>\r\n"
    b"To: support@northwind.example, Carol <carol@client.example>, ann.lee@client.example\r\n"
    b"Cc: Bob <bob@client.example>, HELP@northwind.example, Carol <carol@client.example>\r\n"
    b"Subject: Invoice\r\n"
    b"Message-ID: <m1@client.example>\r\n"
    b"Date: Tue, 03 Jun 2025 10:15:00 +0200\r\n"
    b"\r\n"
    b"Hello\r\n"
)


def test_reply_all_from_a_parsed_rfc5322_message():
    msg = parse_message(RAW, source="maildir:local", external_id="1.M1.host", max_body_bytes=100_000)
    to, cc = reply_recipients(msg, own_addresses=["support@northwind.example", "help@northwind.example"], reply_all=True)
    assert [a.email.lower() for a in to] == ["accounts@client.example", "carol@client.example", "ann.lee@client.example"]
    assert [a.email.lower() for a in cc] == ["bob@client.example"]
    to1, cc1 = reply_recipients(msg, own_addresses=["support@northwind.example"], reply_all=False)
    assert [a.email for a in to1] == ["accounts@client.example"] and cc1 == []
