"""The whole pipeline on the example mailbox through the real ``openai`` client and a local
OpenAI-compatible server: no personal value reaches the model, drafts carry the restored values."""

from __future__ import annotations

import email
import email.policy
import json
import re
import sqlite3
import time
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

import main
from agent.config import load_config
from connectors.maildir.parse import parse_message
from jobs.bootstrap import bootstrap
from storage.models import Draft, Item, RiskAssessmentRow
from tests.e2e.helpers import FIXTURES, mailbox_of, write_config
from tests.servers.openai_server import OpenAIServer, is_review
from tests.unit.fakes import FakeNotifier

PLACEHOLDER = re.compile(r"<[A-Z][A-Z_]*_\d+>")


STRONG_IDS = {"EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_BANK_NUMBER", "US_SSN", "ACCOUNT_NUMBER", "CRYPTO", "IP_ADDRESS"}


def _pii(redactor, path: Path) -> set[tuple[str, str]]:
    """(entity, value) for every PII entity Presidio finds in one inbound message, plus its sender.

    The subject is analysed in the language of the message, as the pipeline does: on its own, a
    two-word German subject ("AW: Rechnung März") is too short to tell its language, and the
    English NER then tags "Rechnung März" as a person, a value no German message contains."""
    msg = parse_message(path.read_bytes(), source="t", external_id=path.name, max_body_bytes=1_000_000)
    lang = redactor.language_for(msg.text_body)
    found = {(s.entity, s.value) for t in (msg.subject, msg.text_body) for s in redactor.analyze(t, lang)}
    found.add(("EMAIL_ADDRESS", msg.sender.email))
    if msg.sender.name and not redactor._allowed("PERSON", msg.sender.name):
        found.add(("PERSON", msg.sender.name))
    return {(e, v) for e, v in found if len(v.strip()) >= 3}


def _contains(text: str, value: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(value) + r"(?!\w)", text) is not None


def test_no_personal_value_reaches_the_model_and_drafts_are_restored(tmp_path, redactor):
    with OpenAIServer() as server:
        settings = load_config(write_config(tmp_path, base_url=server.base_url))
        rt = bootstrap(settings, notifier=FakeNotifier())
        try:
            summary = rt.pipeline.run_source(rt.sources[0])
            with rt.session_factory() as s:
                # Items reach the model one at a time, in id order: pair each request with its item.
                modelled = s.execute(
                    select(Item.external_id).join(Draft, Draft.item_id == Item.id).where(Draft.provider == "openai").order_by(Draft.id)
                ).scalars().all()
                # The risk reviewer's requests (one per analysed item, after its draft), in the same order.
                risk_rows = s.execute(select(Item.external_id, RiskAssessmentRow.detail).join(Item, Item.id == RiskAssessmentRow.item_id).order_by(RiskAssessmentRow.id)).all()
                reviewed = [x for x, detail in risk_rows if (detail.get("reviewer") or {}).get("requested")]
        finally:
            rt.close()
        bodies = [json.loads(b) for b in server.raw_bodies]

    assert summary.counts["drafted"] >= 10, summary.counts
    drafter_bodies = [b for b in bodies if not is_review(b)]
    review_bodies = [b for b in bodies if is_review(b)]
    assert len(drafter_bodies) == len(modelled) >= 10
    assert len(review_bodies) == len(reviewed) >= len(modelled)  # every analysed item was reviewed, the PII check covers them too
    assert bodies[0]["response_format"]["type"] == "json_schema"  # strict structured output
    texts = ["\n".join(m["content"] for m in b["messages"]) for b in [*drafter_bodies, *review_bodies]]
    box = tmp_path / "mailbox"
    files = {p.name.split(":")[0]: p for p in [*(box / "new").iterdir(), *(box / "cur").iterdir()]}

    # Words of our own prompt templates (an NER false positive such as "Subject") are not client data.
    templates = Path(__file__).parents[2] / "agent" / "prompt_templates"
    template = (templates / "reply" / "v1.j2").read_text() + (templates / "risk_review" / "v1.j2").read_text()
    leaks, strong = [], set()
    for external_id, text in zip([*modelled, *reviewed], texts, strict=True):
        pii = {(e, v) for e, v in _pii(redactor, files[external_id]) if not _contains(template, v)}
        strong |= {v for e, v in pii if e in STRONG_IDS}
        leaks += [(external_id, e, v) for e, v in pii if _contains(text, v)]
    assert leaks == [], f"personal values sent to the model: {leaks[:10]}"
    # Identifiers (addresses, numbers) from any message never appear in any request.
    everything = "\n".join(texts)
    assert [v for v in strong if _contains(everything, v)] == []

    from sqlalchemy.orm import Session

    with Session(rt.engine) as s:
        drafts = s.execute(select(Draft).join(Item, Item.id == Draft.item_id).where(Item.state == "drafted")).scalars().all()
        assert all(d.provider == "openai" and not d.fallback_used for d in drafts)
        restored = 0
        for d in drafts:
            assert not PLACEHOLDER.search(d.body_text), d.body_text
            first = next(iter(d.placeholder_map or {}), None)
            if first and first in " ".join(texts):
                restored += d.placeholder_map[first] in d.body_text
        assert restored >= 5

    # The Drafts Maildir holds the same restored text.
    drafted = list((tmp_path / "Drafts" / "cur").iterdir())
    assert len(drafted) == summary.counts["drafted"]
    for f in drafted:
        m = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
        assert not PLACEHOLDER.search(m.get_body(preferencelist=("plain",)).get_content())


def test_model_down_falls_back_to_templates_for_every_item(tmp_path):
    # A closed port: connection refused on every try.
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    settings = load_config(write_config(tmp_path, base_url=f"http://127.0.0.1:{port}/v1"))
    rt = bootstrap(settings, notifier=FakeNotifier())
    try:
        summary = rt.pipeline.run_source(rt.sources[0])
        with rt.session_factory() as s:
            drafts = s.execute(select(Draft)).scalars().all()
    finally:
        rt.close()
    assert drafts and all(d.fallback_used and d.provider == "template" for d in drafts)
    kept_from_model = ("prompt injection", "attachments only, no text")  # never sent to the model (issue 11)
    assert all(("unreachable" in d.fallback_reason or "circuit open" in d.fallback_reason or any(k in d.fallback_reason for k in kept_from_model)) for d in drafts)
    # three connection failures open the circuit breaker; the rest never try the closed port
    assert sum("unreachable" in d.fallback_reason for d in drafts) == 3
    assert sum("circuit open" in d.fallback_reason for d in drafts) == summary.circuit_open_drafts >= 10
    # Without the model there is no model review either: every template draft goes to a person (issue 11).
    assert summary.counts["drafted"] == 0 and summary.counts["escalated"] == len(drafts), summary.counts


def test_model_429_then_success_is_retried_by_the_client(tmp_path):
    with OpenAIServer() as server:
        server.fail_next = [(429, {"retry-after-ms": "10"})]
        settings = load_config(write_config(tmp_path, base_url=server.base_url))
        rt = bootstrap(settings, notifier=FakeNotifier())
        try:
            from tests.unit.fakes import message

            msg = message("x1", text="Hello, could you confirm my meeting on Tuesday?")
            a = rt.pipeline.analyse(msg)
        finally:
            rt.close()
    assert a.draft.provider == "openai" and not a.draft.fallback_used
    assert len(server.draft_requests) == 1 and len(server.review_requests) == 1
    assert len(server.raw_bodies) == 3  # one 429, the draft, the risk review


def test_a_run_connects_only_to_the_configured_endpoint(tmp_path, monkeypatch):
    """No library phones home: every socket the run opens goes to the model endpoint on 127.0.0.1."""
    import socket

    seen: list[tuple] = []
    real_connect = socket.socket.connect

    def guarded(self, address):
        seen.append(address)
        if not (isinstance(address, tuple) and address[0] in ("127.0.0.1", "::1", "localhost")):
            raise AssertionError(f"unexpected network call to {address!r}")
        return real_connect(self, address)

    with OpenAIServer() as server:
        settings = load_config(write_config(tmp_path, base_url=server.base_url))
        monkeypatch.setattr(socket.socket, "connect", guarded)
        rt = bootstrap(settings, notifier=FakeNotifier())
        try:
            summary = rt.pipeline.run_source(rt.sources[0])
        finally:
            rt.close()
    assert summary.counts["drafted"] >= 10
    port = int(server.base_url.rsplit(":", 1)[1].split("/")[0])
    assert seen and {a[1] for a in seen} == {port}


# ------------------------------------------------------------ 8.7: the current config decides, before the model
BUSINESS = ("plain_business.eml", "quoted_reply.eml", "reply_to.eml", "html_only.eml")
SKIP_ALL = '[[routing.rules]]\nid = "pause-drafting"\nwhen = "true"\naction = "skip"\n\n'
REVIEW_ALL = '[[routing.rules]]\nid = "review-everything"\nwhen = \'source_kind == "maildir"\'\naction = "escalate"\ngroup = "compliance"\n\n'


def _business_box(tmp_path: Path) -> Path:
    return mailbox_of(tmp_path, {f"{i}.{name}": (FIXTURES / name).read_bytes() for i, name in enumerate(BUSINESS)})


def _cli(cfg: Path, *args: str):
    res = CliRunner().invoke(main.app, ["--config", str(cfg), *args])
    assert res.exit_code == 0, res.output
    return res


def _edit(cfg: Path, old: str, new: str) -> None:
    text = cfg.read_text()
    assert old in text
    cfg.write_text(text.replace(old, new, 1))


def _items(tmp_path: Path) -> list[tuple[int, str, str | None]]:
    with sqlite3.connect(tmp_path / "dg.db") as db:
        return db.execute("select id, state, skip_rule from items order by id").fetchall()


def _drafts_written(tmp_path: Path) -> list[Path]:
    cur = tmp_path / "Drafts" / "cur"
    return list(cur.iterdir()) if cur.is_dir() else []


def test_drafting_false_on_the_source_stops_every_item_before_the_model(tmp_path):
    with OpenAIServer() as server:
        cfg = write_config(tmp_path, base_url=server.base_url, mailbox=_business_box(tmp_path))
        _edit(cfg, "\ndrafting = true", "\ndrafting = false")  # the Maildir source's switch
        _cli(cfg, "run", "--once")
        assert server.raw_bodies == []  # not one request reached the model
    assert [(state, rule) for _, state, rule in _items(tmp_path)] == [("skipped", "drafting_off")] * len(BUSINESS)
    assert _drafts_written(tmp_path) == []


def test_a_skip_all_rule_never_calls_the_model(tmp_path):
    with OpenAIServer() as server:
        cfg = write_config(tmp_path, base_url=server.base_url, mailbox=_business_box(tmp_path))
        _edit(cfg, "[[routing.rules]]", SKIP_ALL + "[[routing.rules]]")
        _cli(cfg, "run", "--once")
        assert server.raw_bodies == []
    assert [(state, rule) for _, state, rule in _items(tmp_path)] == [("skipped", "routing:pause-drafting")] * len(BUSINESS)
    assert _drafts_written(tmp_path) == []
    with sqlite3.connect(tmp_path / "dg.db") as db:
        assert db.execute("select count(*) from drafts").fetchone()[0] == 0
        assert db.execute("select count(*) from decisions where action = 'skip' and rule_id = 'pause-drafting' and draft_id is null").fetchone()[0] == len(BUSINESS)


def test_a_released_item_is_routed_again_under_the_current_config_before_delivery(tmp_path):
    with OpenAIServer() as server:
        cfg = write_config(tmp_path, base_url=server.base_url, mailbox=_business_box(tmp_path))
        (tmp_path / "Drafts").write_text("a file where the Drafts Maildir should be")  # every delivery fails
        _cli(cfg, "run", "--once")
        asked = len(server.raw_bodies)
        assert len(server.draft_requests) == len(BUSINESS)  # drafted by the model, then the delivery failed
        assert asked == 2 * len(BUSINESS)  # each draft and its risk review
        status = json.loads(_cli(cfg, "status", "--json").stdout)
        released = [q["item_id"] for q in status["quarantine"]]  # every item the rules sent to delivery
        assert {q["stage"] for q in status["quarantine"]} == {"deliver"} and len(released) >= 3

        # The config changes (every message of this mailbox now goes to a reviewer), the cause is
        # fixed, the items are released: their saved drafts were decided "draft" under the old config.
        _edit(cfg, "[[routing.rules]]", REVIEW_ALL + "[[routing.rules]]")
        (tmp_path / "Drafts").unlink()
        for item_id in released:
            _cli(cfg, "quarantine", "release", str(item_id))
        _cli(cfg, "run", "--once")
        assert len(server.raw_bodies) == asked  # the saved drafts were routed again, not drafted again
    assert {state for item_id, state, _ in _items(tmp_path) if item_id in released} == {"escalated"}
    assert _drafts_written(tmp_path) == []  # nothing delivered under the old decision
    with sqlite3.connect(tmp_path / "dg.db") as db:
        assert db.execute("select count(*) from review_tasks where status = 'open' and rule_id = 'review-everything'").fetchone()[0] == len(released)
        rerouted = [json.loads(d) for (d,) in db.execute("select data from audit_events where event = 'routed' order by seq")]
    assert sum(1 for d in rerouted if d.get("rerouted_from") == "default" and d["rule_id"] == "review-everything") == len(released)


# ------------------------------------------------------------ 8.12: a circuit breaker around the model
CIRCUIT_LINE = re.compile(r"model unavailable: (\d+) items? drafted by the template drafter \(circuit open\)")


def _fallbacks(tmp_path: Path) -> list[tuple[str, str | None]]:
    with sqlite3.connect(tmp_path / "dg.db") as db:
        return db.execute("select provider, fallback_reason from drafts order by id").fetchall()


def test_model_down_opens_the_circuit_and_the_rest_of_the_run_sends_no_request(tmp_path):
    with OpenAIServer() as server:
        server.down = 503
        cfg = write_config(tmp_path, base_url=server.base_url)  # breaker_failures defaults to 3, max_retries 1
        started = time.monotonic()
        res = _cli(cfg, "run", "--once")
        elapsed = time.monotonic() - started
        asked = len(server.raw_bodies)
    assert asked == 3 * 2  # three items, each one try plus the client's one retry; then not one request
    drafts = _fallbacks(tmp_path)
    open_drafts = [r for p, r in drafts if r and r.startswith("model unavailable: circuit open")]
    assert [r.startswith("model failed: model endpoint answered HTTP 503") for p, r in drafts if r and r.startswith("model failed")] == [True] * 3
    assert len(open_drafts) >= 20 and all(p == "template" for p, _ in drafts)
    line = CIRCUIT_LINE.search(" ".join(res.output.split()))
    assert line and int(line.group(1)) == len(open_drafts), res.output
    assert elapsed < 60  # without the breaker every item waited for the client's retries


def test_hung_model_endpoint_opens_the_circuit_after_its_timeouts(tmp_path):
    names = ("plain_business.eml", "quoted_reply.eml", "reply_to.eml", "html_only.eml")
    with OpenAIServer() as server:
        server.stall_seconds = 5
        box = mailbox_of(tmp_path, {f"{i}.{n}": (FIXTURES / n).read_bytes() for i, n in enumerate(names)})
        cfg = write_config(tmp_path, base_url=server.base_url, mailbox=box)
        _edit(cfg, "timeout_seconds = 30", "timeout_seconds = 1")
        _edit(cfg, "max_retries = 1", "max_retries = 0")
        _cli(cfg, "run", "--once")
        assert len(server.raw_bodies) == 3  # three timeouts, then the circuit is open
    reasons = [r for _, r in _fallbacks(tmp_path)]
    assert sum(1 for r in reasons if r and "unreachable" in r) == 3
    assert sum(1 for r in reasons if r and r.startswith("model unavailable: circuit open")) == len(reasons) - 3 >= 1


def test_a_half_open_probe_closes_the_circuit_when_the_model_is_back(tmp_path):
    with OpenAIServer() as server:
        server.fail_next = [(503, {})] * 6  # three items fail (with the client's retry), then the endpoint is back
        cfg = write_config(tmp_path, base_url=server.base_url)
        _edit(cfg, "breaker_cooldown_seconds = 60", "breaker_cooldown_seconds = 1")
        _cli(cfg, "run", "--once")
        answered = len(server.draft_requests)
    drafts = _fallbacks(tmp_path)

    def kind(provider: str, reason: str | None) -> str:
        if provider == "openai":
            return "o"  # the model answered
        if reason and reason.startswith("model failed"):
            return "f"  # a request failed (after the client's retry)
        return "c" if reason and reason.startswith("model unavailable: circuit open") else "t"  # t: kept from the model (injection)

    seq = "".join(kind(p, r) for p, r in drafts)
    # three failures open the circuit; items go to the template drafter without a request until,
    # a second later, the half-open probe reaches the model again and the circuit closes
    assert re.fullmatch(r"t*(ft*){3}(ct*)+(ot*)+", seq), seq
    assert answered == seq.count("o") >= 5
