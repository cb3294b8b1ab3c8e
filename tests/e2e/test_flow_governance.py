"""Governance of the flow of one item (issue 11, flow fixes), end to end through ``main.py run --once``
on a config made from config.example.toml: the real Maildir parser, redaction, both drafters
(the template drafter; the model path through the real ``openai`` client and the local model
server, with the scripted answers of ``evaluation/scripted_model.py`` or a test's own), the
policy pack, the risk stage, routing and the Drafts Maildir.

1. general finance questions are drafted with the pack's disclosure, added by the system and
   recorded (finding ``disclosure_added``, audit ids only); advice requests still escalate, and a
   draft that gives advice gets no disclaimer to dress it up;
2. Spanish, Italian and Dutch mail is answered in its language by both drafters; a language the
   firm does not serve still goes to a person;
3. a forged auto-reply (or bulk) header, or a routing rule on pre-draft facts, does not skip a
   must-review message; a real auto-reply is still skipped without a model call;
4. a model that answers ``no_reply_needed`` on a fraud report does not get it skipped;
5. greetings: no ``Dear xxx`` / ``Dear HAHA LOLO`` / ``Dear Riak User``; ``bob`` is greeted ``Bob``;
6. a message without a subject is answered under "Re: your message" in the reply's language;
7. a message that is only attachments goes to a person, not to quarantine.
"""

from __future__ import annotations

import email
import email.policy
import json
import sqlite3
from email.message import EmailMessage
from pathlib import Path

import pytest
from typer.testing import CliRunner

import main
from agent.language import detect_language
from evaluation import scripted_model
from tests.e2e.helpers import mailbox_of, write_config
from tests.servers.openai_server import PLACEHOLDER, OpenAIServer

NOT_ADVICE = "This email does not constitute investment advice."
FRAUD = (
    "Hello,\n\nI think my account has been hacked. There are two transfers this morning that I did not make, "
    "and I got a text asking for my login code which I did not request. Please freeze everything.\n"
)


def mail(
    key: str,
    body: str | None,
    *,
    subject: str = "A question",
    name: str = "Rita Shah",
    addr: str = "rita.shah@client.example",
    headers: dict[str, str] | None = None,
    attachment: bool = False,
) -> bytes:
    """One RFC 5322 message from a client to the firm (``body`` None: no text part at all)."""
    m = EmailMessage(policy=email.policy.SMTP)
    m["From"] = f"{name} <{addr}>" if name else addr
    m["To"] = "Northwind Client Services <support@northwind.example>"
    m["Subject"] = subject
    m["Message-ID"] = f"<{key}@client.example>"
    m["Date"] = "Mon, 30 Nov 2026 09:00:00 +0000"
    for k, v in (headers or {}).items():
        m[k] = v
    if body is not None:
        m.set_content(body)
    if attachment:
        m.add_attachment(b"%PDF-1.4\n%%EOF\n", maintype="application", subtype="pdf", filename="statement.pdf")
    return m.as_bytes()


def run_once(tmp_path: Path, messages: dict[str, bytes], *, base_url: str = "", extra_rules: str = "") -> Path:
    """Run ``main.py run --once`` over ``messages``; returns the SQLite database."""
    cfg = write_config(tmp_path, base_url=base_url, mailbox=mailbox_of(tmp_path, messages))
    if extra_rules:
        text = cfg.read_text()
        cfg.write_text(text.replace("[[routing.rules]]", extra_rules + "[[routing.rules]]", 1))
    res = CliRunner().invoke(main.app, ["-c", str(cfg), "run", "--once"])
    assert res.exit_code == 0, res.output
    return tmp_path / "dg.db"


def items(db: Path) -> dict[str, dict]:
    """Message file name -> the item's state, last decision, draft, findings and audit events."""
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        out = {}
        for it in con.execute("select * from items"):
            iid = it["id"]
            dec = con.execute("select * from decisions where item_id = ? order by id desc limit 1", (iid,)).fetchone()
            draft = con.execute("select * from drafts where item_id = ? order by id desc limit 1", (iid,)).fetchone()
            out[it["external_id"]] = {
                "state": it["state"],
                "skip_rule": it["skip_rule"],
                "rule": dec["rule_id"] if dec else None,
                "group": dec["group"] if dec else None,
                "reasons": json.loads(dec["reasons"]) if dec and dec["reasons"] else [],
                "draft": dict(draft) if draft else None,
                "findings": [dict(f) for f in con.execute("select * from findings where item_id = ?", (iid,))],
                "events": [(e["event"], json.loads(e["data"])) for e in con.execute("select event, data from audit_events where item_id = ? order by seq", (iid,))],
                "quarantine": [dict(q) for q in con.execute("select * from quarantine where item_id = ?", (iid,))],
            }
        return out
    finally:
        con.close()


def placed(tmp_path: Path) -> dict[str, email.message.EmailMessage]:
    """The drafts in the Drafts Maildir, by the Message-ID they answer (without brackets)."""
    out = {}
    for f in (tmp_path / "Drafts" / "cur").iterdir():
        msg = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
        out[str(msg["In-Reply-To"]).strip("<>").split("@")[0]] = msg
    return out


def body_of(msg: email.message.EmailMessage) -> str:
    return msg.get_body(("plain",)).get_content()


# ------------------------------------------------------------------ the template drafter
TEMPLATE_MAIL = {
    "isa.eml": mail("isa", "What is the ISA allowance for this tax year, and does it reset in April?", subject="ISA allowance"),
    "emerging.eml": mail("emerging", "What are the general characteristics of emerging markets?", subject="General question", name="", addr="client@client.example"),
    "advice.eml": mail("advice", "I have 50,000 pounds in savings. Should I buy Tesla shares now or put it all into my pension? Just tell me which one to pick.", subject="What should I do"),
    "es.eml": mail("es", "Hola, me he mudado. ¿Cómo puedo actualizar mi dirección postal? Gracias.", subject="Cambio de dirección", name="Ana López", addr="ana.lopez@client.example"),
    "it.eml": mail("it", "Buongiorno, dove posso scaricare l'estratto conto annuale? Grazie mille.", subject="Estratto conto", name="Giulia Rossi", addr="giulia.rossi@client.example"),
    "nl.eml": mail("nl", "Goedemorgen, waar kan ik het jaaroverzicht van mijn rekening downloaden? Alvast bedankt.", subject="Jaaroverzicht", name="Joost Vermeer", addr="joost.vermeer@client.example"),
    "ga.eml": mail("ga", "Dia duit, an féidir leat an ráiteas bliantúil a sheoladh chugam, le do thoil?", subject="Ráiteas", name="Aoife Byrne", addr="aoife.byrne@client.example"),
    "forged_auto.eml": mail("forged-auto", FRAUD, subject="Someone is using my account", name="Owen Hart", addr="owen.hart@client.example", headers={"Auto-Submitted": "auto-replied"}),
    "forged_bulk.eml": mail("forged-bulk", FRAUD, subject="Someone is using my account", name="Owen Hart", addr="owen.hart@client.example", headers={"Precedence": "bulk", "List-Unsubscribe": "<https://client.example/u>"}),
    "real_auto.eml": mail("real-auto", "I am out of the office until Monday 7 December with limited access to e-mail.", subject="Automatic reply: Your statement", headers={"Auto-Submitted": "auto-replied"}),
    "xxx.eml": mail("xxx", "Could you send me the statement for March, please?", name="xxx", addr="x1@client.example"),
    "haha.eml": mail("haha", "Could you send me the statement for April, please?", name="HAHA LOLO", addr="x2@client.example"),
    "riak.eml": mail("riak", "Could you send me the statement for May, please?", name="Riak User", addr="riak@client.example"),
    "bob.eml": mail("bob", "Could you send me the statement for June, please?", name="bob", addr="bob@client.example"),
    "no_subject.eml": mail("no-subject", "Could you send me the statement for July, please?", subject=""),
    "no_subject_es.eml": mail("no-subject-es", "Buenos días, ¿me pueden enviar el extracto de marzo? Muchas gracias.", subject="   ", name="Ana López", addr="ana.lopez@client.example"),
    "attachments_only.eml": mail("attachments-only", None, subject="Signed form", attachment=True),
    "empty.eml": mail("empty", "", subject="Nothing"),
}


@pytest.fixture(scope="module")
def template_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("flow")
    db = run_once(tmp, TEMPLATE_MAIL)
    return items(db), placed(tmp)


def test_general_finance_questions_are_drafted_with_the_packs_disclosure(template_run):
    out, drafts = template_run
    for name in ("isa.eml", "emerging.eml"):
        it = out[name]
        assert (it["state"], it["rule"]) == ("drafted", "default"), (name, it["rule"], [f["rule_id"] for f in it["findings"]])
        assert it["draft"]["body_text"].endswith("\n\n" + NOT_ADVICE), it["draft"]["body_text"]  # the pack's sentence, last
        assert NOT_ADVICE in " ".join(body_of(drafts[name.removesuffix(".eml")]).split())  # and in the placed draft
        ids = [f["rule_id"] for f in it["findings"]]
        assert "disclosure_added" in ids and "disclosures.not_investment_advice" not in ids
        added = next(f for f in it["findings"] if f["rule_id"] == "disclosure_added")
        assert added["severity"] == "info" and not added["excerpt"] and "disclosures.not_investment_advice" in added["message"]
        drafted = next(d for e, d in it["events"] if e == "drafted")
        assert drafted["disclosures_added"] == ["disclosures.not_investment_advice"]
        assert NOT_ADVICE not in json.dumps([d for _, d in it["events"]])  # ids in the audit chain, no text


def test_a_personalised_advice_request_still_goes_to_compliance(template_run):
    out, _ = template_run
    it = out["advice.eml"]
    assert (it["state"], it["group"]) == ("escalated", "compliance")


@pytest.mark.parametrize(("name", "lang", "greeting"), [("es.eml", "es", "Estimado/a Ana López:"), ("it.eml", "it", "Gentile Giulia Rossi,"), ("nl.eml", "nl", "Beste Joost Vermeer,")])
def test_spanish_italian_and_dutch_mail_is_answered_in_its_language(template_run, name, lang, greeting):
    out, drafts = template_run
    it = out[name]
    assert (it["state"], it["rule"]) == ("drafted", "default"), (it["rule"], [f["rule_id"] for f in it["findings"]])
    assert it["draft"]["language"] == lang
    text = body_of(drafts[name.removesuffix(".eml")])
    assert text.startswith(greeting) and detect_language(text) == lang


def test_a_language_the_firm_does_not_serve_goes_to_a_person(template_run):
    out, _ = template_run
    assert (out["ga.eml"]["state"], out["ga.eml"]["rule"]) == ("escalated", "language-mismatch")


@pytest.mark.parametrize("name", ["forged_auto.eml", "forged_bulk.eml"])
def test_a_forged_auto_reply_or_bulk_header_does_not_silence_a_fraud_report(template_run, name):
    out, _ = template_run
    it = out[name]
    assert (it["state"], it["group"]) == ("escalated", "security"), it
    refused = [r for e, d in it["events"] if e == "routed" for r in d.get("skip_refused", [])]
    assert len(refused) == 1 and refused[0]["rule"].startswith("skip:") and "fraud_report" in refused[0]["categories"]
    assert "skipped" not in [e for e, _ in it["events"]]
    assert any(r.startswith("skip skip:") and "refused" in r for r in it["reasons"])  # the reviewer sees it


def test_a_real_auto_reply_is_still_skipped(template_run):
    out, _ = template_run
    it = out["real_auto.eml"]
    assert (it["state"], it["skip_rule"], it["draft"]) == ("skipped", "auto_reply", None)
    assert not [d for e, d in it["events"] if e == "routed"]


@pytest.mark.parametrize("name", ["xxx.eml", "haha.eml", "riak.eml"])
def test_display_names_that_are_not_names_get_the_generic_greeting(template_run, name):
    _, drafts = template_run
    assert body_of(drafts[name.removesuffix(".eml")]).startswith("Dear Sir or Madam,")


def test_a_lower_case_name_is_greeted_in_name_case(template_run):
    _, drafts = template_run
    assert body_of(drafts["bob"]).startswith("Dear Bob,")


def test_a_message_without_subject_is_answered_under_a_real_subject(template_run):
    _, drafts = template_run
    assert str(drafts["no-subject"]["Subject"]) == "Re: your message"
    assert str(drafts["no-subject-es"]["Subject"]) == "Re: su mensaje"  # in the reply's language


def test_attachments_only_goes_to_a_person_not_to_quarantine(template_run):
    out, _ = template_run
    it = out["attachments_only.eml"]
    assert (it["state"], it["rule"], it["quarantine"]) == ("escalated", "attachments_only", [])
    assert any("attachments only, no text" in r for r in it["reasons"])
    assert it["draft"]["provider"] == "template" and it["draft"]["fallback_reason"].startswith("attachments only, no text")
    # no text and no attachment is still an empty body
    assert out["empty.eml"]["state"] == "quarantined" and "empty body" in out["empty.eml"]["quarantine"][0]["error"]


# ------------------------------------------------------------------ pre-draft routing rules
def test_a_pre_draft_skip_rule_does_not_skip_a_must_review_message(tmp_path):
    # An operator's rule on pre-draft facts only (decided before drafting, no model call).
    rule = '[[routing.rules]]\nid = "skip-client-domain"\nwhen = \'sender_domain == "client.example"\'\naction = "skip"\n\n'
    msgs = {"fraud.eml": mail("pre-fraud", FRAUD, name="Owen Hart", addr="owen.hart@client.example"),
            "plain.eml": mail("pre-plain", "Could you send me the statement for March, please?")}
    out = items(run_once(tmp_path, msgs, extra_rules=rule))
    assert (out["plain.eml"]["state"], out["plain.eml"]["rule"]) == ("skipped", "skip-client-domain")
    fraud = out["fraud.eml"]
    assert (fraud["state"], fraud["group"]) == ("escalated", "security")
    assert [r["rule"] for e, d in fraud["events"] if e == "routed" for r in d.get("skip_refused", [])] == ["skip-client-domain"]


# ------------------------------------------------------------------ the model path
def _no_disclosure(body: dict) -> dict:
    """A model that answers in English and never writes a disclosure; advice for 'Tesla'."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    phs = list(dict.fromkeys(PLACEHOLDER.findall(user)))
    greet = f"Dear {phs[0]}," if phs else "Hello,"
    text = "Thank you for your question. Here is a short general explanation, and we are happy to tell you more."
    if "Tesla" in user:
        text = "You should buy Tesla shares now, before the price rises."
    return {"reply": f"{greet}\n\n{text}\n\nKind regards,\nNorthwind Client Services", "intent": "information_request", "confidence": 0.9, "reasons": ["test"]}


def test_model_drafts_get_the_disclosure_but_advice_is_not_dressed_up(tmp_path):
    msgs = {k: TEMPLATE_MAIL[k] for k in ("isa.eml", "emerging.eml", "bob.eml")}
    msgs["tesla.eml"] = mail("tesla", "Is Tesla a good company? I am curious about how electric car makers are valued.", subject="Tesla")
    with OpenAIServer(_no_disclosure) as server:
        out = items(run_once(tmp_path, msgs, base_url=server.base_url))
    drafts = placed(tmp_path)
    for name in ("isa", "emerging"):
        assert out[f"{name}.eml"]["state"] == "drafted" and out[f"{name}.eml"]["draft"]["provider"] == "openai"
        assert out[f"{name}.eml"]["draft"]["body_text"].endswith("\n\n" + NOT_ADVICE)
        assert NOT_ADVICE in " ".join(body_of(drafts[name]).split())
    assert body_of(drafts["bob"]).startswith("Dear Bob,")  # the restored placeholder, in name case
    tesla = out["tesla.eml"]
    ids = {f["rule_id"] for f in tesla["findings"]}
    assert tesla["state"] == "escalated" and "prohibited.personal_advice" in ids
    assert "disclosures.not_investment_advice" in ids and "disclosure_added" not in ids  # nothing hidden
    assert NOT_ADVICE not in tesla["draft"]["body_text"]


def _fraud_variants(n: int) -> dict[str, bytes]:
    return {f"fraud{i:02d}.eml": mail(f"fraud-{i}", FRAUD.replace("two transfers", f"{i + 2} transfers"), subject="Someone is using my account",
                                      name="Owen Hart", addr="owen.hart@client.example") for i in range(n)}


def test_a_scripted_no_reply_needed_never_skips_a_fraud_report(tmp_path):
    # Pre-draft skips are refused for these too: a forged auto-reply header on every other one.
    msgs = _fraud_variants(12)
    for i, k in enumerate(sorted(msgs)):
        if i % 2:
            msgs[k] = msgs[k].replace(b"Subject:", b"Auto-Submitted: auto-replied\r\nSubject:", 1)
    msgs["real_auto.eml"] = TEMPLATE_MAIL["real_auto.eml"]
    with OpenAIServer(scripted_model.answer) as server:
        out = items(run_once(tmp_path, msgs, base_url=server.base_url))
        asked = [json.dumps(b) for b in server.requests]
    talked_down = [k for k, it in out.items() if it["draft"] and it["draft"]["intent"] == "no_reply_needed" and it["draft"]["provider"] == "openai"]
    assert talked_down, "the scripted model answered no_reply_needed on none of the variants: the test proves nothing"
    for k in msgs:
        if k == "real_auto.eml":
            continue
        assert (out[k]["state"], out[k]["group"]) == ("escalated", "security"), (k, out[k]["rule"])
    assert out["real_auto.eml"]["state"] == "skipped"
    assert not any("out of the office" in a for a in asked)  # a real auto-reply costs no model call


def test_the_model_is_asked_for_the_clients_language_and_answers_in_it(tmp_path):
    msgs = {k: TEMPLATE_MAIL[k] for k in ("es.eml", "it.eml", "nl.eml")}
    with OpenAIServer(scripted_model.answer) as server:
        out = items(run_once(tmp_path, msgs, base_url=server.base_url))
        systems = [next(m["content"] for m in b["messages"] if m["role"] == "system") for b in server.draft_requests]
    for lang in ("es", "it", "nl"):
        assert any(f"Reply in the language of the client's message ({lang})" in s for s in systems), lang
    for name in msgs:
        it = out[name]
        assert "language_mismatch" not in {f["rule_id"] for f in it["findings"]}, name
        assert it["draft"]["language"] == name[:2]


# ------------------------------------------------------------------ draft --dry-run of a file
def _dry_run(cfg: Path, eml: Path, *extra: str) -> dict:
    res = CliRunner().invoke(main.app, ["-c", str(cfg), "draft", str(eml), "--dry-run", "--json", *extra])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_a_dry_run_reports_the_source_its_facts_come_from(tmp_path):
    # A rule that tests the source decides the same in the preview as in a run of that source.
    rule = '[[routing.rules]]\nid = "hold-local"\nwhen = \'source == "maildir:local" and source_kind == "maildir"\'\naction = "hold"\n\n'
    cfg = write_config(tmp_path, mailbox=mailbox_of(tmp_path, {}))
    cfg.write_text(cfg.read_text().replace("[[routing.rules]]", rule + "[[routing.rules]]", 1))
    eml = tmp_path / "plain.eml"
    eml.write_bytes(mail("dry-plain", "Could you send me the statement for March, please?"))
    for extra in ((), ("--source", "local"), ("--source", "maildir:local")):
        report = _dry_run(cfg, eml, *extra)
        assert report["message"]["source"] == "maildir:local" and report["message"]["read_from"] == "file"
        assert (report["routing"]["facts"]["source"], report["routing"]["facts"]["source_kind"]) == ("maildir:local", "maildir")
        assert report["decision"]["rule_id"] == "hold-local"
    res = CliRunner().invoke(main.app, ["-c", str(cfg), "draft", str(eml), "--dry-run", "--source", "nowhere"])
    assert res.exit_code == 2 and "not a configured source" in res.output


def test_a_dry_run_follows_the_pipeline_for_forged_skips_and_attachments(tmp_path):
    cfg = write_config(tmp_path, mailbox=mailbox_of(tmp_path, {}))
    forged, attached = tmp_path / "forged.eml", tmp_path / "attached.eml"
    forged.write_bytes(TEMPLATE_MAIL["forged_auto.eml"])
    attached.write_bytes(TEMPLATE_MAIL["attachments_only.eml"])
    report = _dry_run(cfg, forged)
    assert report["skip"]["rule"] == "auto_reply" and report["skip_refused"].startswith("skip skip:auto_reply refused: fraud_report")
    assert (report["decision"]["action"], report["decision"]["group"]) == ("escalate", "security")
    report = _dry_run(cfg, attached)
    assert (report["decision"]["action"], report["decision"]["rule_id"]) == ("escalate", "attachments_only")
