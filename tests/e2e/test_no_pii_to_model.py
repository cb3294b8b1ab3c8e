"""No personal value reaches a model (issue 10): the whole pipeline, run by ``main.py run --once``,
through the real ``openai`` client against the local OpenAI-compatible server, which keeps every
request body. Every body is scanned for every labelled personal value of its message.

Messages: every sample of the labelled PII evaluation set (``evaluation/data/pii/``: Presidio's
synthetic sample and the samples written for draftguard in six languages) wrapped as client
mail, plus a few full messages written here with the personal data in the headers, signature
blocks and lower case. The outbound check (``agent/outbound_guard.py``) is the last line: a value
redaction missed must have been refused (item escalated with ``outbound_pii_blocked``), never sent.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
from collections import Counter
from email.message import EmailMessage

import pytest
from typer.testing import CliRunner

import main
from evaluation.pii_data import load
from tests.e2e.helpers import mailbox_of, write_config
from tests.servers.openai_server import OpenAIServer

try:  # the risk reviewer's requests (issue 11) start with this marker
    from agent.risk_reviewer import MARKER as REVIEW_MARKER
except ImportError:  # pragma: no cover - before the reviewer role exists
    REVIEW_MARKER = "[draftguard:risk_review"

# The module's fixture runs the pipeline over the whole labelled set (2,747 messages since
# written_samples_15): about 6 minutes on a quiet 2-core machine, 7-8 when the other two xdist workers
# compete for the cores; pytest-timeout counts the fixture in the first test's time.
pytestmark = pytest.mark.timeout(1500)

# Labels that are personal data (evaluation/data/pii/README.md: GPE without an address, TITLE,
# ORGANIZATION, AGE, NRP and other dates are not personal data alone).
PERSONAL = {
    "PERSON", "LOCATION", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "EMAIL_ADDRESS", "DATE_OF_BIRTH",
    "IP_ADDRESS", "UK_NINO", "US_DRIVER_LICENSE", "US_PASSPORT", "ACCOUNT_NUMBER", "US_BANK_NUMBER", "URL",
}  # fmt: skip
STRONG = {"PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "EMAIL_ADDRESS", "UK_NINO", "US_DRIVER_LICENSE", "US_PASSPORT", "IP_ADDRESS"}
GREETING = {"en": ("Hello,", "Kind regards"), "de": ("Guten Tag,", "Viele Grüße"), "fr": ("Bonjour,", "Cordialement"),
            "es": ("Hola,", "Saludos"), "it": ("Buongiorno,", "Cordiali saluti"), "nl": ("Goedendag,", "Met vriendelijke groet")}  # fmt: skip
PARTICLES = {"van", "von", "der", "den", "del", "della", "des", "los", "las", "ten", "ter"}

# Full messages written for this test (all values invented): name in the header and lower case in
# the text, a signature block with an address and national phone formats, a card that fails the
# checksum, a driver's licence, a date of birth, an address on a private mail suffix.
WRITTEN = [
    (
        "Okafor, Chidi <chidi.okafor@okafor-home.internal>",
        "Change of address",
        "Hi,\n\nchidi okafor here, please send the statements to my new address from now on.\n"
        "My card 4539 1488 0343 6468 was also replaced.\n\nThanks,\nChidi Okafor\n14 Elm Grove\nLeeds LS6 2AB\n07700 900461\n",
        {"PERSON": ["Chidi Okafor", "chidi okafor"], "LOCATION": ["14 Elm Grove", "Leeds LS6 2AB"], "PHONE_NUMBER": ["07700 900461"],
         "CREDIT_CARD": ["4539 1488 0343 6468"], "EMAIL_ADDRESS": ["chidi.okafor@okafor-home.internal"]},
    ),
    (
        "Margarethe Lindqvist-Berg <m.lindqvist@mail.lan>",
        "Vollmacht",
        "Guten Tag,\n\nich bin am 3. Mai 1961 geboren, mein Führerschein hat die Nummer B072RRE2I55.\n"
        "Bitte rufen Sie mich unter 030 12345678 an.\n\nMit freundlichen Grüßen\nMargarethe Lindqvist-Berg\n"
        "Kastanienallee 17\n10435 Berlin\n",
        {"PERSON": ["Margarethe Lindqvist-Berg"], "DATE_OF_BIRTH": ["3. Mai 1961"], "PHONE_NUMBER": ["030 12345678"],
         "LOCATION": ["Kastanienallee 17", "10435 Berlin"], "EMAIL_ADDRESS": ["m.lindqvist@mail.lan"]},
    ),
    (
        "rhodes.family@client.internal",
        "driver licence on file",
        "Hello,\n\nthis is gwendolyn rhodes. My driver's license number is D1234-56789-01234 (Illinois) and my date of "
        "birth is 07/22/1984. You can also write to name@client.internal.\nMy address: 88 Lakeview Drive, Evanston, IL 60201.\n"
        "Call (847) 555-0192.\n\nBest,\ngwendolyn\n",
        {"PERSON": ["gwendolyn rhodes"], "US_DRIVER_LICENSE": ["D1234-56789-01234"], "DATE_OF_BIRTH": ["07/22/1984"],
         "EMAIL_ADDRESS": ["name@client.internal", "rhodes.family@client.internal"], "LOCATION": ["88 Lakeview Drive", "IL 60201"],
         "PHONE_NUMBER": ["(847) 555-0192"]},
    ),
    (
        "Jean-Baptiste Moreau <jb.moreau@orange-client.example>",
        "Remboursement",
        "Bonjour,\n\nmerci de verser le remboursement sur FR76 3000 6000 0112 3456 7890 189.\n"
        "Mon adresse : 12 rue des Lilas, 69003 Lyon. Téléphone : 06 12 34 56 78.\n\nCordialement,\nJean-Baptiste Moreau\n",
        {"PERSON": ["Jean-Baptiste Moreau"], "IBAN_CODE": ["FR76 3000 6000 0112 3456 7890 189"], "LOCATION": ["12 rue des Lilas", "69003 Lyon"],
         "PHONE_NUMBER": ["06 12 34 56 78"], "EMAIL_ADDRESS": ["jb.moreau@orange-client.example"]},
    ),
]  # fmt: skip


def _mail(n: int, sender: str, subject: str, body: str) -> bytes:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = "support@northwind.example"
    m["Subject"] = subject
    m["Date"] = "Mon, 04 Mar 2024 09:00:00 +0000"
    m["Message-ID"] = f"<pii-{n}@test.draftguard>"
    m.set_content(body)
    return m.as_bytes()


def _messages() -> tuple[dict[str, bytes], dict[str, dict[str, list[str]]]]:
    """File name → RFC 5322 bytes, and file name → labelled personal values by type. Every
    subject holds ``Ticket <n>``, so a request (drafter or reviewer) names its message."""
    files: dict[str, bytes] = {}
    labels: dict[str, dict[str, list[str]]] = {}
    for n, s in enumerate(load()):
        hello, bye = GREETING.get(s.lang, GREETING["en"])
        name = f"{1700000000 + n}.M{n}P1.pii"
        files[name] = _mail(n, f"client{n}@inbox.example", f"Ticket {n}", f"{hello}\n\n{s.text}\n\n{bye}\n")
        values: dict[str, list[str]] = {}
        for sp in s.spans:
            if sp.entity in PERSONAL:
                values.setdefault(sp.entity, []).append(sp.value)
        values.setdefault("EMAIL_ADDRESS", []).append(f"client{n}@inbox.example")
        labels[name] = values
        unlabelled = list(s.text)
        for sp in s.spans:
            unlabelled[sp.start : sp.end] = " " * (sp.end - sp.start)
        _WORDS_OUTSIDE_LABELS[name] = _word_counts(f"Ticket {n} {hello} {''.join(unlabelled)} {bye}")
    for i, (sender, subject, body, values) in enumerate(WRITTEN):
        n = 10_000 + i
        name = f"{1700000000 + n}.M{n}P1.pii"
        files[name] = _mail(n, sender, f"Ticket {n}: {subject}", body)
        labels[name] = values
    return files, labels


#: message file -> word counts (case-folded) of the message outside its labelled values: a name that
#: is also a word ("Rose" and "rose by 3%", "Will" and "will") may stay where the client wrote the word
_WORDS_OUTSIDE_LABELS: dict[str, Counter] = {}
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def _word_counts(text: str) -> Counter:
    return Counter(w.casefold() for w in _WORD.findall(text))


@functools.lru_cache(maxsize=1)
def _template_words() -> Counter:
    """The most times each word occurs in one of the prompt templates (the text around the client's)."""
    from pathlib import Path

    import agent

    out: Counter = Counter()
    for path in (Path(agent.__file__).parent / "prompt_templates").rglob("*.j2"):
        out |= _word_counts(path.read_text(encoding="utf-8"))
    return out


def _word_leaked(external_id: str, word: str, text: str) -> bool:
    """True when ``text`` (a request) holds the one-word value ``word`` more often than the client
    wrote it as an ordinary word outside the labels and the prompt template holds it."""
    w = word.casefold()
    found = sum(1 for m in _WORD.finditer(text) if m.group(0).casefold() == w)
    return found > _WORDS_OUTSIDE_LABELS.get(external_id, Counter())[w] + _template_words()[w]


def _value_patterns(entity: str, value: str) -> list[re.Pattern]:
    """How a value may appear: as written (case-insensitive, any whitespace; a value of one or two
    letters case-sensitive), numbers with any separators or none, and each part (of at least 3
    letters) of a person's name."""
    value = " ".join(value.split())
    # A value of one or two letters (a region code such as "NO" in "Aalborg NO 9100") is matched
    # as written: in any case it would be the word "no" of every prompt.
    flags = 0 if len(value) <= 2 and value.isalpha() else re.IGNORECASE
    out = [re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in value.split()) + r"(?!\w)", flags)]
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 6:
        out.append(re.compile(r"(?<!\d)" + r"[\s\-./()]*".join(digits) + r"(?!\d)"))
    if entity == "PERSON":
        for part in re.findall(r"[^\W\d_][\w'’-]*", value):
            if len(part) >= 3 and part.lower() not in PARTICLES:
                out.append(re.compile(r"(?<!\w)" + re.escape(part) + r"(?!\w)", re.IGNORECASE))
    return out


_SEPARATORS = re.compile(r"[\s\-./()]+")  # what _value_patterns allows between the digits of a number


def _may_hold(folded: str, compact: str, value: str) -> bool:
    """False only when no pattern of :func:`_value_patterns` can match ``value`` in a text whose
    case-folded form with each run of whitespace made one space is ``folded`` and whose form
    without :data:`_SEPARATORS` is ``compact``: the value as written (case-folded, its words one
    space apart) is not in ``folded``, and (for a value with 6 or more digits) its digits are not
    in ``compact``. A necessary condition, checked before the regular expressions: scanning
    megabytes of requests with hundreds of patterns took minutes (the value's first word alone,
    "+44", passed for most phone numbers)."""
    if " ".join(value.split()).casefold() in folded:
        return True
    digits = re.sub(r"\D", "", value)
    return len(digits) >= 6 and digits in compact


def _request_text(body: bytes) -> str:
    return "\n".join(m["content"] for m in json.loads(body)["messages"])


def _ticket(text: str) -> str:
    """The message file a request is about, from ``Ticket <n>`` in its subject."""
    m = re.search(r"Ticket (\d+)", text)
    assert m, text[-600:]
    n = int(m.group(1))
    return f"{1700000000 + n}.M{n}P1.pii"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One run over every labelled message; returns (server bodies, labels, database path, output)."""
    tmp = tmp_path_factory.mktemp("pii")
    files, labels = _messages()
    box = mailbox_of(tmp, files)
    with OpenAIServer() as server:
        cfg = write_config(tmp, base_url=server.base_url, mailbox=box)
        text = cfg.read_text()  # the subject's "Ticket" is ours (a NER tags it as a town in French text)
        cfg.write_text(text.replace('\noutbound = "refuse"', '\noutbound = "refuse"\nallow_list = ["Ticket"]', 1))
        res = CliRunner().invoke(main.app, ["--config", str(cfg), "run", "--once"])
        assert res.exit_code == 0, res.output
        bodies = list(server.raw_bodies)
    return bodies, labels, tmp / "dg.db", res.output


NAMES_AND_PLACES = {"PERSON", "LOCATION"}  # found by NER and address parsing; the last check knows only the item's map


def _leaks(run) -> tuple[list[tuple[str, str, str]], dict]:
    """(message, type, value) for every labelled value found in a request (drafter's or reviewer's)
    about its own message, each once, plus the facts read from the database."""
    bodies, labels, db_path, _ = run
    texts = [_request_text(b) for b in bodies]
    sent = [_ticket(t) for t in texts]  # drafter and reviewer requests, each naming its message
    with sqlite3.connect(db_path) as db:
        items = dict(db.execute("select id, external_id from items"))
        facts = {
            "sent": sent,
            "outbound": {items[i]: json.loads(d)["outbound"] for i, d in db.execute("select item_id, data from audit_events where event = 'prompted'")},
            "states": dict(db.execute("select external_id, state from items")),
            "blocked": {items[i] for (i,) in db.execute("select item_id from findings where rule_id = 'outbound_pii_blocked'")},
        }
    leaks = []
    for external_id, text in zip(sent, texts, strict=True):
        for entity, values in labels[external_id].items():
            for v in values:
                hits = [p for p in _value_patterns(entity, v) if p.search(text)]
                # a one-word value or name part counts only beyond the times the client wrote it as a word
                if any(not _WORD.fullmatch(_unescape(p)) or _word_leaked(external_id, _unescape(p), text) for p in hits):
                    leaks.append((external_id, entity, v))
    return sorted(set(leaks)), facts


def _unescape(p: re.Pattern) -> str:
    r"""The literal word of a one-word pattern of :func:`_value_patterns` (``(?<!\w)Rose(?!\w)``)."""
    return re.sub(r"\\(.)", r"\1", p.pattern.removeprefix(r"(?<!\w)").removesuffix(r"(?!\w)"))


def test_no_identifier_reaches_the_model_and_what_the_last_check_refused_was_escalated(run):
    bodies, labels, _, _ = run
    leaks, facts = _leaks(run)
    states, outbound, sent = facts["states"], facts["outbound"], facts["sent"]
    assert len(labels) == len(states) >= 590  # every message became an item
    assert len(set(sent)) >= 400  # most items reached the model

    identifiers = [x for x in leaks if x[1] not in NAMES_AND_PLACES]
    assert identifiers == [], f"{len(identifiers)} identifiers sent to the model, {identifiers}"
    # Identifiers of any message appear in no request at all.
    everything = "\n".join(_request_text(b) for b in bodies)
    strong = {(e, v) for vals in labels.values() for e, vs in vals.items() if e in STRONG for v in vs}
    folded, compact = " ".join(everything.casefold().split()), _SEPARATORS.sub("", everything)
    assert [ev for ev in strong if _may_hold(folded, compact, ev[1]) and any(p.search(everything) for p in _value_patterns(*ev))] == []

    # What the outbound check refused went to a person with the finding and was never sent.
    refused = {x for x, o in outbound.items() if o["action"] == "refused"}
    assert refused == facts["blocked"]
    assert not refused & set(sent)
    assert {states[x] for x in refused} <= {"escalated"}
    by_type = Counter()
    for x in refused:
        by_type.update(outbound[x]["found"])
    actions = Counter(o["action"] for o in outbound.values())
    names = Counter(e for _, e, _ in leaks)
    print(
        f"\noutbound check over {len(states)} PII-heavy messages: {actions['clean']} sent clean, {actions['masked']} masked, "
        f"{actions['refused']} refused (escalated), {actions['none']} without a model request; refused for: {dict(by_type.most_common())}; "
        f"labelled names/addresses redaction missed and no check could tell: {dict(names)}"
    )
    assert len(refused) <= len(states) // 10  # the redactor, not the last check, does the work


@pytest.mark.xfail(
    strict=True,
    reason="issue 10 gap: names and address parts that redaction misses are not in the item's placeholder map and have "
    "no shape the last check can tell from ordinary words: 15 in 2747 messages on 2026-12-07 (ninth session), none from "
    "the hand-written w15 tuning set added that session; 10 from w14 (a town the gazetteer spells otherwise, "
    "'Hay-on-Wye'; a highway 'US-20'; a place of loss 'London Road / Cemetery Junction, Reading'; 'the London flat'; "
    "'it's NJ.'; names that are words, 'mere', 'Cawed'; 'MRS NG'), 5 older ('jong-ho', 'tay', 'in ajah yesterday', "
    "'new owen', 'HAINBURG AN DER DONAU'); was 34 in 2587, 25 in 2427, 5 in 2127, 2 in 1977, 10 in 1672, 13 in 1252; "
    "the test split is not tuned on",
)
def test_no_name_or_address_reaches_the_model(run):
    leaks, _ = _leaks(run)
    missed = [x for x in leaks if x[1] in NAMES_AND_PLACES]
    assert missed == [], f"{len(missed)} names/address parts sent to the model, {missed}"


def test_the_audit_chain_holds_types_and_counts_never_values(run):
    bodies, labels, db_path, _ = run
    with sqlite3.connect(db_path) as db:
        events = [d for (d,) in db.execute("select data from audit_events")]
    chain = "\n".join(events)
    strong = {v for vals in labels.values() for e, vs in vals.items() if e in STRONG for v in vs}
    assert [v for v in strong if v in chain] == []
    prompted = [json.loads(d) for d in events if '"outbound"' in d]
    assert prompted and all(set(p["outbound"]) == {"action", "found", "requests"} for p in prompted)


# ------------------------------------------------------------ the last check on the outbound request
# Redaction configured to find names only: the phone number, IBAN, address and private e-mail below
# reach the rendered prompt, and only the outbound check stands between them and the model.
MISSED = {
    "phone.eml": ("Call me back", "please call me back on 020 7946 0958 tomorrow.", "020 7946 0958", "PHONE_NUMBER"),
    "iban.eml": ("Refund", "please refund the fee to DE89 3704 0044 0532 0130 00.", "DE89 3704 0044 0532 0130 00", "IBAN_CODE"),
    "address.eml": ("New address", "my new address is 27 Abbey Road, London NW8 9AY.", "NW8 9AY", "LOCATION"),
    "email.eml": ("Contact", "write to my private address a.b.1979@family-mail.internal instead.", "a.b.1979@family-mail.internal", "EMAIL_ADDRESS"),
}
CLEAN = "could we move our meeting to Thursday afternoon?"


def _guard_box(tmp_path):
    files = {
        f"{1710000000 + i}.M{i}P1.{name}": _mail(i, "Anna Berg <anna.berg@client.example>", subject, f"Hello,\n\n{text}\n\nAnna Berg\n")
        for i, (name, (subject, text, _, _)) in enumerate(MISSED.items())
    }
    files["1710000099.M99P1.clean.eml"] = _mail(99, "Tom Hale <tom.hale@client.example>", "Meeting", f"Hello,\n\n{CLEAN}\n\nTom\n")
    return mailbox_of(tmp_path, files)


DRAFT_ALL = '[[routing.rules]]\nid = "draft-everything"\nwhen = "finding_count >= 0"\naction = "draft"\n\n'


def _guard_run(tmp_path, outbound: str):
    """One run over the messages above with names-only redaction; a first routing rule drafts
    everything (so only the outbound check can send an item to a person)."""
    with OpenAIServer() as server:
        cfg = write_config(tmp_path, base_url=server.base_url, mailbox=_guard_box(tmp_path))
        text = cfg.read_text()
        assert text.count('\noutbound = "refuse"') == 1
        text = text.replace('\noutbound = "refuse"', f'\nentities = ["PERSON"]\noutbound = "{outbound}"', 1)
        cfg.write_text(text.replace("[[routing.rules]]", DRAFT_ALL + "[[routing.rules]]", 1))
        res = CliRunner().invoke(main.app, ["--config", str(cfg), "run", "--once"])
        assert res.exit_code == 0, res.output
        texts = [_request_text(b) for b in server.raw_bodies]
    db = sqlite3.connect(tmp_path / "dg.db")
    return texts, db, cfg


def _item_of(db, name: str) -> int:
    return db.execute("select id from items where external_id like ?", (f"%{name}",)).fetchone()[0]


def test_the_last_check_refuses_what_redaction_missed_and_a_reviewer_gets_the_item(tmp_path):
    texts, db, cfg = _guard_run(tmp_path, "refuse")
    with db:
        assert texts and all(CLEAN in t for t in texts)  # only the clean message reached the model (drafter, reviewer)
        for name, (_, _, value, entity) in MISSED.items():
            item = _item_of(db, name)
            assert db.execute("select state from items where id = ?", (item,)).fetchone() == ("escalated",)
            rule, group = db.execute("select rule_id, \"group\" from decisions where item_id = ?", (item,)).fetchone()
            assert (rule, group) == ("outbound_pii_blocked", "client-services")
            (message,) = db.execute("select message from findings where item_id = ? and rule_id = 'outbound_pii_blocked'", (item,)).fetchone()
            assert entity in message and value not in message  # the type, never the value
            provider, reason = db.execute("select provider, fallback_reason from drafts where item_id = ?", (item,)).fetchone()
            assert provider == "template" and reason.startswith("outbound_pii_blocked") and entity in reason and value not in reason
            (event,) = db.execute("select data from audit_events where item_id = ? and event = 'prompted'", (item,)).fetchone()
            outbound = json.loads(event)["outbound"]  # the drafter's request, and the reviewer's after it
            assert outbound["action"] == "refused" and set(outbound["found"]) == {entity} and outbound["requests"] >= 1
        chain = "\n".join(d for (d,) in db.execute("select data from audit_events"))
        assert not [v for _, _, v, _ in MISSED.values() if v in chain]
    # The reviewer sees why: the item, the rule and the finding (types only).
    shown = json.loads(CliRunner().invoke(main.app, ["--config", str(cfg), "review", "show", str(_item_of(db, "phone.eml")), "--json"]).stdout)
    assert shown["row"]["rule_id"] == "outbound_pii_blocked"
    assert any(f["rule_id"] == "outbound_pii_blocked" and "PHONE_NUMBER 1" in f["message"] for f in shown["findings"])


def test_mask_mode_sends_placeholders_and_the_draft_carries_the_value(tmp_path):
    texts, db, _ = _guard_run(tmp_path, "mask")
    with db:
        assert not [t for t in texts for _, _, v, _ in MISSED.values() if v in t]
        for name, (_, _, value, entity) in MISSED.items():
            item = _item_of(db, name)
            text = next(t for t in texts if f"Subject: {MISSED[name][0]}\n" in t and not t.startswith(REVIEW_MARKER))
            assert f"<{entity}_" in text  # the drafter's request, masked
            (mapping,) = db.execute("select placeholder_map from drafts where item_id = ?", (item,)).fetchone()
            assert value in json.loads(mapping).values()
            assert db.execute("select count(*) from findings where item_id = ? and rule_id = 'outbound_pii_masked'", (item,)).fetchone() == (1,)
            (event,) = db.execute("select data from audit_events where item_id = ? and event = 'prompted'", (item,)).fetchone()
            outbound = json.loads(event)["outbound"]
            assert outbound["action"] == "masked" and set(outbound["found"]) == {entity} and outbound["requests"] >= 1
            assert db.execute("select state from items where id = ?", (item,)).fetchone() == ("drafted",)
        # The local model repeats the placeholders it was given; the restored draft has the value back.
        phone = _item_of(db, "phone.eml")
        (body,) = db.execute("select body_text from drafts where item_id = ?", (phone,)).fetchone()
        assert "020 7946 0958" in body and "<PHONE_NUMBER_" not in body


def test_a_model_request_that_skips_the_check_is_not_sent():
    from agent.config import ModelConfig
    from agent.models import PlaceholderMap, Prompt
    from agent.outbound_guard import OutboundGuard, UnguardedRequest
    from connectors.llm_openai import OpenAIModelClient

    prompt = Prompt(template_id="reply/v1", template_hash="x", system="You draft replies.", user="Please call <PERSON_1> back.")
    with OpenAIServer() as server:
        client = OpenAIModelClient(ModelConfig(base_url=server.base_url, max_retries=0))
        try:
            with pytest.raises(UnguardedRequest):  # no item scope: nothing is known about what must not leave
                client.complete(prompt)
            with OutboundGuard().scope(PlaceholderMap(mapping={"<PERSON_1>": "Anna Berg"})):
                with pytest.raises(UnguardedRequest):  # a call that goes around the connector's check
                    client._client.chat.completions.create(model="m", messages=[{"role": "user", "content": "Anna Berg, 020 7946 0958"}])
                assert server.raw_bodies == []
                output, _ = client.complete(prompt)  # through the check: sent
        finally:
            client.close()
        assert len(server.raw_bodies) == 1 and output.reply


def test_config_check_names_an_unknown_outbound_mode(tmp_path):
    cfg = write_config(tmp_path)
    cfg.write_text(cfg.read_text().replace('\noutbound = "refuse"', '\noutbound = "drop"', 1))
    res = CliRunner().invoke(main.app, ["--config", str(cfg), "config", "check"])
    assert res.exit_code == 2 and "redaction.outbound" in res.output, res.output
