"""The dashboard: every signed-in role sees it; its figures come from what the reviews did
(approve as is, edit and approve through the console with real delivery, reject); its charts are
SVG images without script, served with their own CSP."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from console.routes import charts
from console.routes import dashboard_data as data
from storage.models import ReviewTask
from tests.console.console_testkit import ALICE, AUDREY, BOB, NOBODY, client, post, seed, sign_in


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
    found = re.findall(r'<img class="chart" src="(/dashboard/charts/[a-z_]+\.svg\?days=14)"', html)
    assert len(found) == 7, found
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
