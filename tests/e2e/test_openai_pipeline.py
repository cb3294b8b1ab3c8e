"""The whole pipeline on the example mailbox through the real ``openai`` client and a local
OpenAI-compatible server: no personal value reaches the model, drafts carry the restored values."""

from __future__ import annotations

import email
import email.policy
import json
import re
from pathlib import Path

from sqlalchemy import select

from agent.config import load_config
from connectors.maildir.parse import parse_message
from jobs.bootstrap import bootstrap
from storage.models import Draft, Item
from tests.e2e.helpers import write_config
from tests.servers.openai_server import OpenAIServer
from tests.unit.fakes import FakeNotifier

PLACEHOLDER = re.compile(r"<[A-Z][A-Z_]*_\d+>")


STRONG_IDS = {"EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_BANK_NUMBER", "US_SSN", "ACCOUNT_NUMBER", "CRYPTO", "IP_ADDRESS"}


def _pii(redactor, path: Path) -> set[tuple[str, str]]:
    """(entity, value) for every PII entity Presidio finds in one inbound message, plus its sender."""
    msg = parse_message(path.read_bytes(), source="t", external_id=path.name, max_body_bytes=1_000_000)
    found = {(s.entity, s.value) for t in (msg.subject, msg.text_body) for s in redactor.analyze(t)}
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
        finally:
            rt.close()
        bodies = [json.loads(b) for b in server.raw_bodies]

    assert summary.counts["drafted"] >= 10, summary.counts
    assert len(bodies) == len(modelled) >= 10
    assert bodies[0]["response_format"]["type"] == "json_schema"  # strict structured output
    texts = ["\n".join(m["content"] for m in b["messages"]) for b in bodies]
    box = tmp_path / "mailbox"
    files = {p.name.split(":")[0]: p for p in [*(box / "new").iterdir(), *(box / "cur").iterdir()]}

    # Words of our own prompt template (an NER false positive such as "Subject") are not client data.
    template = (Path(__file__).parents[2] / "agent" / "prompt_templates" / "reply" / "v1.j2").read_text()
    leaks, strong = [], set()
    for external_id, text in zip(modelled, texts, strict=True):
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
    assert summary.counts["drafted"] >= 10
    assert drafts and all(d.fallback_used and d.provider == "template" for d in drafts)
    assert all("unreachable" in d.fallback_reason or "prompt injection" in d.fallback_reason for d in drafts)
    assert sum("unreachable" in d.fallback_reason for d in drafts) >= 10


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
    assert len(server.raw_bodies) == 2  # one 429, one success


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
