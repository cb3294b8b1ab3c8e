"""The dashboard: every signed-in role sees it; its figures come from what the reviews did
(approve as is, edit and approve through the console with real delivery, reject); its charts are
SVG images without script, served with their own CSP. The shadow sources' quality (scored by the
real shadow outcome job against a Sent Maildir) and the variants' figures (provenance recorded
with storage/release.py, as the release tests do) are shown with their intervals; hostile source
and variant names render inert."""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from markupsafe import escape
from sqlalchemy import select

from agent.release.config import ReleaseConfig
from console.routes import charts
from console.routes import dashboard_data as data
from console.routes.dashboard import CHARTS
from jobs import variants as release_jobs
from jobs.shadow_outcomes import score_shadow_drafts, shadow_quality
from storage import release as store
from storage.models import Decision, Delivery, Draft, FindingRow, Item, ItemState, ReviewTask
from storage.repository import UnitOfWork
from tests.console.console_testkit import (
    ALICE,
    AUDREY,
    BOB,
    NOBODY,
    client,
    make_app,
    post,
    seed,
    settings_for,
    sign_in,
)


def _cell(page: str, header: str) -> str:
    m = re.search(rf"<tr><th>{re.escape(header)}</th><td>([^<]*)</td></tr>", page)
    assert m, header
    return m.group(1)


def test_dashboard_figures_follow_the_reviews(console_env):
    settings, app, services = console_env
    sf = services.session_factory
    quick = seed(sf, settings, group="billing", age_minutes=30, categories=("complaint",))
    edited = seed(sf, settings, group="billing", age_minutes=90, categories=("complaint", "fraud_report"))
    slow = seed(sf, settings, group="compliance", age_minutes=300, categories=("regulator_complaint",))
    seed(sf, settings, group="compliance", age_minutes=500, categories=("bereavement",))  # left open, past its 240 min SLA
    alice, bob = sign_in(client(app), ALICE), sign_in(client(app), BOB)
    assert post(alice, f"/items/{quick.item_id}/approve").status_code == 303
    text = "Dear Ann Lee,\n\nwe are looking into your refund and will write by Friday.\n\nNorthwind Client Services"
    assert post(alice, f"/items/{edited.item_id}/edit-approve", {"body": text}).status_code == 303
    assert post(bob, f"/items/{slow.item_id}/reject", {"reason": "needs a call"}).status_code == 303

    page = alice.get("/dashboard")
    assert page.status_code == 200
    html = page.text
    assert _cell(html, "Reviews approved as is") == "1"
    assert _cell(html, "Reviews approved with edits") == "1"
    assert _cell(html, "Reviews rejected") == "1"
    assert _cell(html, "Review acceptance") == "67%"
    assert "<tr><td>high-severity-finding</td><td>4</td></tr>" in html
    assert "<tr><td>complaint</td><td>2</td></tr>" in html and "<tr><td>bereavement</td><td>1</td></tr>" in html
    # time to review: billing (SLA 60) resolved at ~30 and ~90 minutes, compliance (SLA 240) at ~300 with one open past SLA
    billing = re.search(r"<tr><td>billing</td><td>60</td><td>2</td>\s*<td>1 \(50%\)</td>", html)
    compliance = re.search(r"<tr><td>compliance</td><td>240</td><td>1</td>\s*<td>0 \(0%\)</td>.*?<td>1</td><td class=\"sla-over\">1</td>", html, re.S)
    assert billing and compliance, html
    with sf() as s:
        sims = data.acceptance(s, data.window_start(14)).edit_similarity
    assert len(sims) == 1 and 0.3 < sims[0] < 1.0
    assert f"Mean similarity of reviewers' edits: {round(sims[0], 3)}" in html
    # drafts placed by the two approvals, not yet checked by the outcome job
    assert _cell(html, "Placed drafts: unchecked") == "2"
    for name in data_charts(html):
        r = alice.get(name)
        assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml"
        assert r.headers["content-security-policy"] == charts.SVG_CSP
        assert b"<script" not in r.content and r.content.startswith(b"<svg")
    states = alice.get("/dashboard/charts/states.svg").text
    assert "drafted" in states and "escalated" in states and "rejected" in states


def data_charts(html: str) -> list[str]:
    """The chart images the page links (every chart but the variants one, which the page carries
    itself as a data: image drawn from the report it already computed)."""
    found = re.findall(r'<img class="chart" src="(/dashboard/charts/[a-z_]+\.svg\?days=14)"', html)
    assert len(found) == len(CHARTS) - 1 and not any("variants" in f for f in found), found
    assert re.search(r'<img class="chart" src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="Bar chart: escalation', html)
    return found


def test_every_role_sees_it_and_nobody_else(console_env):
    settings, app, services = console_env
    seed(services.session_factory, settings)
    for who in (ALICE, AUDREY):
        c = sign_in(client(app), who)
        assert c.get("/dashboard?days=30").status_code == 200
        assert c.get("/dashboard/charts/rules.svg?days=7").status_code == 200
    assert sign_in(client(app), NOBODY).get("/dashboard").status_code == 403
    r = client(app).get("/dashboard/charts/states.svg", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert sign_in(client(app), ALICE).get("/dashboard/charts/secret.svg").status_code == 404


def test_window_and_empty_dashboard(console_env):
    settings, app, services = console_env
    c = sign_in(client(app), AUDREY)
    page = c.get("/dashboard?days=1234").text  # not offered: the default window
    assert "last 14 days" in page and "No items in this period." in page
    svg = c.get("/dashboard/charts/states.svg").text
    assert "No data in this period" in svg
    for name in data_charts(c.get("/dashboard").text):  # every chart draws on an empty database
        assert c.get(name).status_code == 200, name


def test_review_times_and_histogram_units():
    """Nearest-rank quantiles and the similarity buckets, on known numbers."""
    assert data._quantile([5, 1, 3, 2, 4], 0.5) == 3
    assert data._quantile(list(range(1, 11)), 0.9) == 9
    assert data._quantile([], 0.5) is None
    hist = dict(data.similarity_histogram([1.0, 0.99, 0.95, 0.93, 0.5, 0.49, 0.0]))
    assert hist["1.00"] == 1 and hist["0.95–<1"] == 2 and hist["0.90–0.95"] == 1
    assert hist["0.50–0.70"] == 1 and hist["0.00–0.50"] == 2


def test_open_tasks_past_sla_count_now(console_env):
    settings, app, services = console_env
    seed(services.session_factory, settings, group="billing", age_minutes=61)
    seed(services.session_factory, settings, group="billing", age_minutes=10)
    with services.session_factory() as s:
        assert len(s.execute(select(ReviewTask)).all()) == 2
        timing = {t.group: t for t in data.review_times(s, datetime.now(UTC) - timedelta(days=1), {"billing": 60, "compliance": 240})}
    assert timing["billing"].open_total == 2 and timing["billing"].open_overdue == 1
    assert timing["compliance"].open_total == 0 and timing["billing"].resolved == 0


HOSTILE_SOURCE = "maildir:<script>alert(1)</script>"
HOSTILE_VARIANT = '<img src=x onerror="alert(2)">'
DRAFT_TEXT = "Dear Ann,\n\nyour refund of order 1234 was sent today and reaches you within five days.\n\nNorthwind Client Services"


def _sent(box: Path, n: int, in_reply_to: str, text: str) -> None:
    """A reply a person sent, in the Sent Maildir (answers ``in_reply_to``)."""
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "support@northwind.example", "ann@client.example", "Re: refund"
    m["Message-ID"], m["In-Reply-To"], m["References"] = f"<sent-{n}@northwind.example>", in_reply_to, in_reply_to
    m.set_content(text)
    (box / "cur").mkdir(parents=True, exist_ok=True)
    (box / "cur" / f"17000000{n}.sent:2,S").write_bytes(m.as_bytes())


def _item(uow: UnitOfWork, source: str, state: str, variant: str | None, *, escalate: bool = False, findings: int = 0, outcome: str | None = None, n: int = 0) -> Item:
    """An item with its draft as the pipeline records it; with ``variant``, the draft's provenance
    (storage/release.py) and decision; ``outcome``: a placed draft's outcome."""
    item = Item(source=source, external_id=f"k{n}-{uuid.uuid4().hex[:8]}", correlation_id=str(uuid.uuid4()), state=state, internet_message_id=f"<client-{n}@client.example>")
    uow.session.add(item)
    uow.session.flush()
    d = Draft(item_id=item.id, provider="template", model="templates/v2", prompt_template_id="reply/v1", prompt_hash="0" * 64, intent="refund", confidence=0.8,
              body_text=DRAFT_TEXT, body_sha256=hashlib.sha256(DRAFT_TEXT.encode()).hexdigest())  # fmt: skip
    uow.session.add(d)
    uow.session.flush()
    if variant is not None:
        store.add_provenance(uow.session, draft_id=d.id, item_id=item.id, variant=variant, variant_salt="s", shadow=state == ItemState.SHADOW, prompt_sha256="0" * 64, pack_sha256="1" * 64, model_sha256="2" * 64)
        uow.session.add(Decision(item_id=item.id, draft_id=d.id, action="escalate" if escalate else "draft", rule_id="r"))
    for i in range(findings):
        uow.session.add(FindingRow(item_id=item.id, draft_id=d.id, rule_id=f"rule.{i}", severity="high", target="draft", span_start=0, span_end=4, excerpt="Dear", message="m", pack_version="1"))
    if outcome is not None:
        uow.session.add(Delivery(item_id=item.id, draft_id=d.id, idempotency_key=uuid.uuid4().hex, target="maildir", target_ref="x", outcome=outcome, outcome_similarity=1.0 if outcome == "sent" else 0.8))
    return item


def test_dashboard_shows_shadow_quality_and_variants(tmp_path, monkeypatch):
    settings = settings_for(tmp_path)
    sent = tmp_path / "Sent"
    settings.sources.maildir[0].sent_path = sent
    settings.sources.maildir[0].mode = "shadow"
    settings = settings.model_copy(update={"release": ReleaseConfig.model_validate(
        {"default": "base", "variants": [{"name": "base"}, {"name": "canary", "share": 0.2}, {"name": "spare", "share": 0.1}]}
    )})  # fmt: skip
    app, services = make_app(settings)
    try:
        sf = services.session_factory
        with UnitOfWork(sf) as uow:
            # shadow source maildir:local: three drafts, a person answered two of them
            for n in (1, 2, 3):
                _item(uow, "maildir:local", ItemState.SHADOW, "base", n=n)
            _item(uow, HOSTILE_SOURCE, ItemState.SHADOW, None, n=9)
            # base: 4 live drafts, 1 escalated, 2 findings on one; 3 placed: 2 sent, 1 deleted
            _item(uow, "maildir:other", ItemState.ESCALATED, "base", escalate=True, findings=2, n=10)
            for n, outcome in ((11, "sent"), (12, "sent"), (13, "deleted")):
                _item(uow, "maildir:other", ItemState.DRAFTED, "base", outcome=outcome, n=n)
            # canary: 2 drafts, both escalated
            for n in (20, 21):
                _item(uow, "maildir:other", ItemState.ESCALATED, "canary", escalate=True, n=n)
            _item(uow, "maildir:other", ItemState.DRAFTED, HOSTILE_VARIANT, n=30)
            uow.commit()
        _sent(sent, 1, "<client-1@client.example>", DRAFT_TEXT)
        _sent(sent, 2, "<client-2@client.example>", "Dear Ann,\n\nwe need your bank details before we can refund anything.\n\nNorthwind")
        assert score_shadow_drafts(settings, sf) == {"maildir:local": {"replied": 2, "waiting": 1}}
        release_jobs.stop(sf, settings, "spare", actor="tester", reason="test")

        c = sign_in(client(app), AUDREY)
        calls = []
        real_report = release_jobs.report
        monkeypatch.setattr(release_jobs, "report", lambda *a, **k: calls.append(k) or real_report(*a, **k))
        page = c.get("/dashboard").text
        # one report per view: the page carries its variants chart (no second request computes it again)
        assert calls == [{"since_days": 14}]
        assert "/dashboard/charts/variants.svg" not in page
        inline = re.search(r'<img class="chart" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" alt="Bar chart: escalation, fallback', page)
        assert inline, page
        inline_svg = base64.b64decode(inline.group(1))
        assert inline_svg.startswith(b"<svg") and b"canary" in inline_svg and b"<script" not in inline_svg and b"<img" not in inline_svg
        q = shadow_quality(sf)["maildir:local"]
        assert q["replied"] == 2 and 0.3 < q["similarity"]["mean"] < 1.0 and q["similarity"]["low"] < q["similarity"]["high"]
        sim = q["similarity"]
        row = re.search(r"<tr><td>maildir:local</td><td>3</td><td>2</td><td>([^<]*) <span class=\"muted\">\(([^)]*)\)</span></td><td>50\.0%[^/]*</span></td><td>1</td></tr>", page)
        assert row, page
        assert row.group(1) == f"{sim['mean']:.3f}" and row.group(2) == f"{sim['low']:.3f}–{sim['high']:.3f}, n=2"

        rows = {m.group(1): m.group(0) for m in re.finditer(r"<tr><td>([^<]+)</td><td>\d+%.*?</tr>", page, re.S)}
        base, canary, spare = rows["base"], rows["canary"], rows["spare"]
        # base: 7 drafts (3 shadow + 4 live), 1 escalated: Wilson 95 % for 1 of 7 is 2.6–51.3 %
        assert "<td>default</td><td>7</td>" in base and "14.3% <span class=\"muted\">(2.6–51.3%, n=7)</span>" in base
        assert "<td>28.57</td>" in base  # 2 findings per 7 drafts
        assert "66.7% <span class=\"muted\">(20.8–93.8%, n=3)</span>" in base  # 2 of 3 decided placed drafts sent (Wilson 0.2077–0.9385)
        assert "1.000 <span class=\"muted\">(1.000–1.000, n=2)</span>" in base  # both sent unchanged
        assert "<td>20%" in canary and "<td>active</td><td>2</td>" in canary and "100.0% <span class=\"muted\">(34.2–100.0%, n=2)</span>" in canary
        assert "<td>0%" in spare and "<td>stopped</td><td>0</td>" in spare
        # hostile names: escaped text, no live markup
        assert HOSTILE_SOURCE not in page and HOSTILE_VARIANT not in page and "<img src=x" not in page
        assert str(escape(HOSTILE_SOURCE)) in page and str(escape(HOSTILE_VARIANT)) in page
        svg = c.get("/dashboard/charts/variants.svg")
        assert len(calls) == 2  # the chart on its own (a direct link) computes the report itself
        assert svg.status_code == 200 and svg.headers["content-security-policy"] == charts.SVG_CSP
        assert b"<script" not in svg.content and b"<img" not in svg.content and b"canary" in svg.content
        assert sign_in(client(app), ALICE).get("/dashboard").text.count("maildir:local") >= 1
    finally:
        services.close()
