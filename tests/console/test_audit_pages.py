"""Auditor pages: only the auditor role reads them (reviewers get a logged 403, anonymous the
sign-in page); the audit chain's verify result (and a tampered chain shown as broken); any item's
history; the audit export for a date range, line for line what ``main.py audit export`` writes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from storage import audit
from storage.models import AuditEvent
from tests.console.console_testkit import ALICE, AUDREY, BOB, client, seed, sign_in


def test_only_auditors_read_the_audit_pages(console_env, caplog):
    settings, app, services = console_env
    item = seed(services.session_factory, settings, group="compliance")
    anon = client(app)
    for path in ("/audit", f"/audit/items/{item.item_id}", "/audit/export", "/audit/item?id=1"):
        r = anon.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path
    reviewer = sign_in(client(app), ALICE)
    for path in ("/audit", f"/audit/items/{item.item_id}", "/audit/export", "/audit/item?id=1"):
        assert reviewer.get(path, follow_redirects=False).status_code == 403, path
    assert any("forbidden" in r.getMessage() and "auditor page" in r.getMessage() for r in caplog.records)
    auditor = sign_in(client(app), AUDREY)
    assert auditor.get("/audit").status_code == 200
    # nothing to act on here: every audit route is a GET
    assert auditor.post("/audit", data={}, follow_redirects=False).status_code in (403, 405)


def test_verify_status_ok_then_broken_after_tampering(console_env):
    settings, app, services = console_env
    seed(services.session_factory, settings)
    auditor = sign_in(client(app), AUDREY)
    page = auditor.get("/audit").text
    assert 'data-ok="true"' in page and "audit chain OK: 3 events verified" in page
    with services.session_factory() as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(actor="someone else"))
        s.commit()
    page = auditor.get("/audit").text
    assert 'data-ok="false"' in page and "audit chain broken at seq=2" in page


def test_history_of_any_item(console_env):
    settings, app, services = console_env
    a = seed(services.session_factory, settings, group="billing")
    b = seed(services.session_factory, settings, group="compliance", subject="<script>window.__pwned=1</script>")
    auditor = sign_in(client(app), AUDREY)
    for item in (a, b):
        page = auditor.get(f"/audit/items/{item.item_id}")
        assert page.status_code == 200
        for event in ("ingested", "drafted", "escalated"):
            assert f'<span class="tag">{event}</span>' in page.text
        assert "high-severity-finding" in page.text
        assert "<script>window" not in page.text  # the subject is not on the history page at all
    assert auditor.get("/audit/items/999").status_code == 404
    r = auditor.get(f"/audit/item?id={b.item_id}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/audit/items/{b.item_id}"
    assert auditor.get("/audit/item?id=abc").status_code == 400


def test_export_for_a_date_range(console_env):
    settings, app, services = console_env
    seed(services.session_factory, settings)
    seed(services.session_factory, settings, group="compliance")
    auditor = sign_in(client(app), AUDREY)
    today = datetime.now(UTC).date()
    r = auditor.get("/audit/export", params={"since": (today - timedelta(days=1)).isoformat(), "until": today.isoformat()})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/x-ndjson")
    assert "attachment" in r.headers["content-disposition"] and ".jsonl" in r.headers["content-disposition"]
    lines = r.text.splitlines()
    with services.session_factory() as s:
        expected = [json.dumps(ev, ensure_ascii=False, sort_keys=True) for ev in audit.export(s)]
        n = len(s.execute(select(AuditEvent.seq)).all())
    assert lines == expected and len(lines) == n == 6
    events = [json.loads(line) for line in lines]
    assert [e["seq"] for e in events] == list(range(1, 7))
    assert all(events[i]["prev_hash"] == events[i - 1]["hash"] for i in range(1, len(events)))
    # a range before today holds nothing; until is inclusive of its day
    assert auditor.get("/audit/export", params={"until": (today - timedelta(days=1)).isoformat()}).text == ""
    assert len(auditor.get("/audit/export", params={"since": today.isoformat()}).text.splitlines()) == 6
    assert auditor.get("/audit/export", params={"since": (today + timedelta(days=1)).isoformat()}).text == ""
    bad = auditor.get("/audit/export", params={"since": "yesterday"})
    assert bad.status_code == 400 and "since" in bad.text
    assert auditor.get("/audit/export", params={"since": today.isoformat(), "until": (today - timedelta(days=2)).isoformat()}).status_code == 400


def test_reviewer_with_auditor_role_reads_other_groups_history(console_env):
    """Bob reviews compliance; without the auditor role he cannot read the audit pages even for his own group's items."""
    settings, app, services = console_env
    item = seed(services.session_factory, settings, group="compliance")
    bob = sign_in(client(app), BOB)
    assert bob.get(f"/items/{item.item_id}").status_code == 200  # his group's item page (the core page)
    assert bob.get(f"/audit/items/{item.item_id}").status_code == 403


# Every route of the auditor pages and the dashboard, for every role (status codes).
ROUTES = ["/audit", "/audit/items/{A}", "/audit/item?id={A}", "/audit/export?since=2026-01-01", "/dashboard", "/dashboard/charts/states.svg"]
EXPECTED = {
    "anonymous": [303, 303, 303, 303, 303, 303],
    "billing reviewer": [403, 403, 403, 403, 200, 200],
    "compliance reviewer": [403, 403, 403, 403, 200, 200],
    "auditor": [200, 200, 303, 200, 200, 200],
    "no role": [403, 403, 403, 403, 403, 403],
}
WHO = {"anonymous": None, "billing reviewer": ALICE, "compliance reviewer": BOB, "auditor": AUDREY, "no role": "local:Nobody"}


def test_route_role_table(tmp_path):
    from tests.console.console_testkit import make_app, settings_for

    settings = settings_for(tmp_path)
    app, services = make_app(settings)
    try:
        a = seed(services.session_factory, settings, group="billing")
        for role, statuses in EXPECTED.items():
            c = client(app)
            if WHO[role]:
                sign_in(c, WHO[role])
            got = [c.get(r.format(A=a.item_id), follow_redirects=False).status_code for r in ROUTES]
            assert got == statuses, role
    finally:
        services.close()
