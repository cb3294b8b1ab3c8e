"""JSON logs (correlation id, redaction) and the /metrics + /healthz server over real HTTP."""

from __future__ import annotations

import io
import json
import logging

import pytest
import requests
import structlog
from jobs_testkit import db, seed_escalation
from prometheus_client import CollectorRegistry

from agent.config import ObservabilityConfig
from jobs.metrics import DraftTail, StoreCollector, instrument_session
from jobs.observability import (
    bind_item,
    configure_logging,
    get_logger,
    is_sensitive_key,
    mask_text,
    redact,
    start_http_server,
)
from tests.teams.teams_testkit import SIG, FakeTeams, make_escalation


@pytest.fixture
def log_stream():
    stream = io.StringIO()
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    configure_logging(ObservabilityConfig(log_level="DEBUG"), stream=stream, force=True)
    yield stream
    root.setLevel(level)
    for h in handlers:
        root.addHandler(h)
    for h in list(root.handlers):
        if h.get_name() == "draftguard":
            root.removeHandler(h)
    structlog.reset_defaults()


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_sensitive_keys():
    for k in ("api_key", "apiKey", "access_token", "client_secret", "clientSecret", "password", "Authorization", "body", "body_text", "html_body", "sig"):
        assert is_sensitive_key(k), k
    for k in ("prompt_tokens", "body_sha256", "correlation_id", "assigned_group", "event", "review_task_id", "author"):
        assert not is_sensitive_key(k), k


def test_mask_text():
    assert mask_text("from Ann.Lee@Client.example and bo@x.co.uk") == "from ***@Client.example and ***@x.co.uk"
    assert mask_text("Authorization: Bearer eyJ0eXAi.abc-def") == "Authorization: Bearer ***"
    assert mask_text("POST /paths/invoke?api-version=1&sig=abcDEF123 HTTP/1.1") == "POST /paths/invoke?api-version=1&sig=*** HTTP/1.1"
    assert redact(None, "info", {"event": "x", "nested": {"token": "t", "who": "a@b.example"}, "_record": 1}) == {
        "event": "x",
        "nested": {"who": "***@b.example"},
        "_record": 1,
    }


def test_json_logs_carry_the_correlation_id_and_no_secrets(log_stream):
    log = get_logger("draftguard.test")
    with bind_item("5f0c2b1e-aaaa", item_id=42):
        log.info("drafted for %s", "ann.lee@client.example", api_key="sk-123", body="Dear Ann", prompt_tokens=12)
        logging.getLogger("draftguard.stdlib").warning("stdlib record about bo@client.example", extra={"access_token": "tok-SECRET-1"})
    log.info("outside")
    recs = lines(log_stream)
    assert recs[0]["event"] == "drafted for ***@client.example"
    assert recs[0]["correlation_id"] == "5f0c2b1e-aaaa" and recs[0]["item_id"] == 42 and recs[0]["prompt_tokens"] == 12
    assert "api_key" not in recs[0] and "body" not in recs[0]
    assert recs[1]["level"] == "warning" and recs[1]["correlation_id"] == "5f0c2b1e-aaaa"
    assert recs[1]["event"] == "stdlib record about ***@client.example" and "access_token" not in recs[1]
    assert "correlation_id" not in recs[2]
    assert all("timestamp" in r and r["timestamp"].endswith("Z") for r in recs)
    text = log_stream.getvalue()
    assert "sk-123" not in text and "Dear Ann" not in text and "ann.lee" not in text and "tok-SECRET-1" not in text


def test_webhook_secret_never_reaches_the_log(log_stream):
    """Even at DEBUG, urllib3's request lines (which hold the URL) are silenced and sig= is masked."""
    from connectors.teams.webhook import TeamsWebhookNotifier

    with FakeTeams() as teams:
        teams.fail(("status", 500))
        TeamsWebhookNotifier(teams.webhook_url, max_wait=0.01).notify(make_escalation())
        logging.getLogger("other").debug("a URL %s", teams.webhook_url)
    text = log_stream.getvalue()
    assert "attempt 1 failed (HTTP 500)" in text
    assert SIG not in text and "sig=***" in text


def test_metrics_and_health_over_http(tmp_path):
    _, sf = db(f"sqlite:///{tmp_path / 'dg.db'}")
    tail = DraftTail(sf)  # starts at the current high-water mark
    seed_escalation(sf, group="compliance")
    seed_escalation(sf, group="security")
    registry = CollectorRegistry()
    registry.register(StoreCollector(sf))
    healthy = {"ok": True}
    server = start_http_server(0, health=lambda: (healthy["ok"], {"database": "ok"}), before_scrape=tail.refresh)
    try:
        base = f"http://127.0.0.1:{server.port}"
        body = requests.get(f"{base}/metrics", timeout=5).text
        # process metrics (default registry): fed by the draft tail
        assert 'draftguard_drafts_total{provider="template"}' in body
        assert 'draftguard_model_latency_seconds_bucket{le="2.0",model="templates/v1",provider="template"}' in body
        assert 'draftguard_model_tokens_total{kind="prompt",model="templates/v1",provider="template"}' in body
        assert 'draftguard_escalations_total{rule="high-severity-finding"}' in body
        h = requests.get(f"{base}/healthz", timeout=5)
        assert h.status_code == 200 and h.json() == {"status": "ok", "database": "ok"}
        healthy["ok"] = False
        assert requests.get(f"{base}/healthz", timeout=5).status_code == 503
        assert requests.get(f"{base}/nope", timeout=5).status_code == 404
    finally:
        server.stop()
    # database gauges (own registry so the test sees exactly its database)
    from prometheus_client import generate_latest

    text = generate_latest(registry).decode()
    assert 'draftguard_items{state="escalated"} 2.0' in text
    assert 'draftguard_open_escalations{group="compliance",rule="high-severity-finding"} 1.0' in text
    assert 'draftguard_drafts_stored{provider="template"} 2.0' in text
    age = [line for line in text.splitlines() if line.startswith('draftguard_queue_age_seconds{queue="open_reviews"}')][0]
    assert 1150 < float(age.split()[-1]) < 1300  # seeded 20 minutes ago
    assert "draftguard_store_up 1.0" in text


def test_server_binds_loopback_only():
    server = start_http_server(0)
    try:
        assert server.host == "127.0.0.1"
        assert server._server.server_address[0] == "127.0.0.1"
    finally:
        server.stop()


def test_source_api_calls_and_throttling_are_counted():
    from prometheus_client import REGISTRY

    def value(name, **labels):
        return REGISTRY.get_sample_value(name, labels) or 0.0

    with FakeTeams() as teams:
        session = instrument_session(requests.Session(), "test-source")
        instrument_session(session, "test-source")  # idempotent
        before_2xx = value("draftguard_source_api_calls_total", source="test-source", status="2xx")
        before_429 = value("draftguard_source_throttled_total", source="test-source")
        teams.fail(("retry_after", 429, "1"))
        session.post(teams.webhook_url, json={"type": "message", "attachments": []})
        session.post(teams.webhook_url, json={"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": {"type": "AdaptiveCard", "version": "1.4"}}]})
    assert value("draftguard_source_throttled_total", source="test-source") == before_429 + 1
    assert value("draftguard_source_api_calls_total", source="test-source", status="2xx") == before_2xx + 1
    assert value("draftguard_source_api_calls_total", source="test-source", status="4xx") >= 1
