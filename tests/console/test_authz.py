"""Authorisation on the server for every route and role: anonymous → sign-in page, reviewer of
the item's group → reads and acts, reviewer of another group → 403 (logged without personal
data), auditor → reads, never acts, signed in without a role → 403."""

from __future__ import annotations

import logging

import pytest

from tests.console.console_testkit import ALICE, AUDREY, BOB, NOBODY, client, csrf, post, seed, sign_in

READ, ACT = "read", "act"
ROLES = {"anonymous": None, "billing reviewer": ALICE, "compliance reviewer": BOB, "auditor": AUDREY, "no role": NOBODY}

# (role, route, item: "A" billing / "B" compliance / None, expected status)
CASES = [
    ("anonymous", ("GET", "/queue"), None, 303),
    ("anonymous", ("GET", "/"), None, 303),
    ("anonymous", ("GET", "/items/{}"), "A", 303),
    ("anonymous", ("POST", "/items/{}/approve"), "A", 303),
    ("anonymous", ("POST", "/items/{}/edit-approve"), "A", 303),
    ("anonymous", ("POST", "/items/{}/reject"), "A", 303),
    ("anonymous", ("POST", "/items/{}/assign"), "A", 303),
    ("billing reviewer", ("GET", "/queue"), None, 200),
    ("billing reviewer", ("GET", "/items/{}"), "A", 200),
    ("billing reviewer", ("GET", "/items/{}"), "B", 403),
    ("billing reviewer", ("GET", "/items/{}"), "missing", 403),
    ("billing reviewer", ("POST", "/items/{}/approve"), "B", 403),
    ("billing reviewer", ("POST", "/items/{}/edit-approve"), "B", 403),
    ("billing reviewer", ("POST", "/items/{}/reject"), "B", 403),
    ("billing reviewer", ("POST", "/items/{}/assign"), "B", 403),
    ("billing reviewer", ("POST", "/items/{}/reject"), "A", 409),  # authorised; refused for the empty reason
    ("compliance reviewer", ("GET", "/items/{}"), "A", 403),
    ("compliance reviewer", ("GET", "/items/{}"), "B", 200),
    ("compliance reviewer", ("POST", "/items/{}/approve"), "A", 403),
    ("compliance reviewer", ("POST", "/items/{}/reject"), "B", 409),
    ("auditor", ("GET", "/queue"), None, 200),
    ("auditor", ("GET", "/items/{}"), "A", 200),
    ("auditor", ("GET", "/items/{}"), "B", 200),
    ("auditor", ("GET", "/items/{}"), "missing", 404),
    ("auditor", ("POST", "/items/{}/approve"), "A", 403),
    ("auditor", ("POST", "/items/{}/edit-approve"), "A", 403),
    ("auditor", ("POST", "/items/{}/reject"), "A", 403),
    ("auditor", ("POST", "/items/{}/assign"), "B", 403),
    ("no role", ("GET", "/queue"), None, 403),
    ("no role", ("GET", "/items/{}"), "A", 403),
    ("no role", ("POST", "/items/{}/approve"), "A", 403),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Two escalations (billing, compliance) on one app for the whole table: a refused or
    authorised-but-invalid request changes nothing (each case checks it)."""
    from tests.console.console_testkit import make_app, settings_for

    settings = settings_for(tmp_path_factory.mktemp("authz"))
    app, services = make_app(settings)
    a = seed(services.session_factory, settings, group="billing", subject="Billing question")
    b = seed(services.session_factory, settings, group="compliance", subject="Compliance question")
    yield settings, app, services, {"A": a.item_id, "B": b.item_id, "missing": 99999, None: None}
    services.close()


FORMS = {"edit-approve": {"body": "Edited reply"}, "reject": {"reason": ""}, "assign": {"group": "compliance"}}


@pytest.mark.parametrize("role,route,item,expected", CASES, ids=[f"{c[0]}:{c[1][0]} {c[1][1]}:{c[2]}" for c in CASES])
def test_route_role(world, role, route, item, expected, caplog):
    settings, app, services, ids = world
    c = client(app)
    if ROLES[role]:
        sign_in(c, ROLES[role])
    method, path = route
    url = path.format(ids[item]) if item else path
    caplog.set_level(logging.INFO, logger="draftguard.console")
    if method == "GET":
        r = c.get(url, follow_redirects=False)
    else:
        action = url.rsplit("/", 1)[1]
        token = csrf(c, "/login")  # a valid token of this session, signed in or not
        r = c.post(url, data={"csrf_token": token, **FORMS.get(action, {})}, follow_redirects=False)
    assert r.status_code == expected, r.text[:500]
    if expected == 303 and role == "anonymous":
        assert r.headers["location"].startswith("/login?next=")
    if expected == 403 and ROLES[role]:
        refused = [rec.getMessage() for rec in caplog.records if "console: forbidden" in rec.getMessage()]
        assert refused, "a refused request must be logged"
        assert all("Alice" not in m and "Bob" not in m and "Audrey" not in m and "question" not in m for m in refused)
    # the state of the items never changed through a refused request
    from storage.models import Item

    with services.session_factory() as s:
        assert {s.get(Item, ids["A"]).state, s.get(Item, ids["B"]).state} == {"escalated"}


def test_queue_shows_only_the_groups_items(world):  # reads only
    settings, app, services, ids = world
    alice = sign_in(client(app), ALICE)
    page = alice.get("/queue").text
    assert f"/items/{ids['A']}" in page and f"/items/{ids['B']}" not in page
    audrey = sign_in(client(app), AUDREY)
    page = audrey.get("/queue").text
    assert f"/items/{ids['A']}" in page and f"/items/{ids['B']}" in page and "read-only" in page
    item = audrey.get(f"/items/{ids['A']}").text
    assert "/approve" not in item and "Read-only" in item


def test_assign_moves_the_item_out_of_reach(console_env):
    settings, app, services = console_env
    ids = {"A": seed(services.session_factory, settings, group="billing").item_id}
    alice = sign_in(client(app), ALICE)
    r = post(alice, f"/items/{ids['A']}/assign", {"group": "compliance"})
    assert r.status_code == 303
    assert alice.get(f"/items/{ids['A']}").status_code == 403
    bob = sign_in(client(app), BOB)
    assert f"/items/{ids['A']}" in bob.get("/queue").text
    from tests.console.test_actions import reviewed_events

    ev = reviewed_events(services, ids["A"])
    assert ev[-1].data["action"] == "assign" and ev[-1].data["to_group"] == "compliance" and ev[-1].actor.startswith("Alice")
