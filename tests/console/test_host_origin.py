"""DNS rebinding and cross-site posts: a request naming another Host is refused (400) before it
reaches a page, and an unsafe request whose Origin is not the console's own is refused (403)
even with a valid CSRF token; the console's own hosts and origins keep working."""

from __future__ import annotations

import logging

from fastapi.testclient import TestClient

from storage.models import Item, ItemState
from tests.console.console_testkit import (
    ALICE,
    CSRF_RE,
    client,
    csrf,
    make_app,
    post,
    seed,
    settings_for,
    sign_in,
)


def test_foreign_host_is_refused_before_local_sign_in(console_env):
    settings, app, services = console_env
    rebound = TestClient(app, base_url="http://attacker.example:8080")
    assert rebound.get("/login").status_code == 400
    # the sign-in form (with a token taken from a real page) cannot be reached through that name either
    token = csrf(client(app))
    r = rebound.post(
        "/login/local", data={"csrf_token": token, "subject": ALICE, "next": "/queue"}, follow_redirects=False
    )
    assert r.status_code == 400 and "set-cookie" not in r.headers
    assert rebound.get("/queue", follow_redirects=False).status_code == 400


def test_console_hosts_are_answered(tmp_path):
    settings = settings_for(
        tmp_path, public_url="https://review.northwind.example", host="127.0.0.2", port=9090
    )
    app, services = make_app(settings, local_login=True)
    try:
        for base in (
            "https://review.northwind.example",
            "http://127.0.0.2:9090",
            "http://localhost:9090",
            "http://127.0.0.1:9090",
        ):
            assert TestClient(app, base_url=base).get("/login").status_code == 200, base
        assert (
            TestClient(app, base_url="http://review.northwind.example.attacker.example")
            .get("/login")
            .status_code
            == 400
        )
    finally:
        services.close()


def test_foreign_origin_is_refused_with_a_valid_token(console_env, caplog):
    settings, app, services = console_env
    c = client(app)
    token = csrf(c)
    with caplog.at_level(logging.WARNING, logger="draftguard.console"):
        r = c.post(
            "/login/local",
            data={"csrf_token": token, "subject": ALICE, "next": "/queue"},
            headers={"Origin": "http://attacker.example:8080"},
            follow_redirects=False,
        )
    assert r.status_code == 403
    assert c.get("/queue", follow_redirects=False).status_code == 303  # still signed out: sent to /login
    assert (
        "attacker.example" not in caplog.text
        and "cross-origin request refused: POST /login/local" in caplog.text
    )
    for origin in ("null", "https://127.0.0.1:8080", "http://127.0.0.1:8081"):
        assert (
            c.post(
                "/login/local",
                data={"csrf_token": token, "subject": ALICE},
                headers={"Origin": origin},
                follow_redirects=False,
            ).status_code
            == 403
        ), origin


def test_foreign_origin_cannot_act_on_an_item(console_env):
    settings, app, services = console_env
    item = seed(services.session_factory, settings)
    c = sign_in(client(app), ALICE)
    token = CSRF_RE.search(c.get(f"/items/{item.item_id}").text).group(1)

    def reject(origin: str):
        return c.post(
            f"/items/{item.item_id}/reject",
            data={"csrf_token": token, "reason": "x"},
            headers={"Origin": origin},
            follow_redirects=False,
        )

    assert reject("http://evil.example").status_code == 403
    with services.session_factory() as s:
        assert s.get(Item, item.item_id).state == ItemState.ESCALATED
    assert reject("http://127.0.0.1:8080").status_code == 303


def test_own_origin_and_no_origin_pass(console_env):
    settings, app, services = console_env
    c = client(app)
    r = c.post(
        "/login/local",
        data={"csrf_token": csrf(c), "subject": ALICE, "next": "/queue"},
        headers={"Origin": "http://127.0.0.1:8080"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert c.get("/queue").status_code == 200
    assert post(c, "/logout").status_code in (
        302,
        303,
    )  # no Origin header (older clients): the CSRF token decides


def test_trusted_sets():
    from console.config import ConsoleConfig
    from console.security import trusted_hosts, trusted_origins

    cfg = ConsoleConfig(host="::1", port=8443, public_url="https://Review.Example.com:443")
    assert trusted_hosts(cfg) == ["review.example.com", "[::1]", "localhost", "127.0.0.1"]
    origins = trusted_origins(cfg)
    assert (
        "https://review.example.com" in origins
        and "http://[::1]:8443" in origins
        and "http://localhost:8443" in origins
    )
    assert "http://review.example.com.attacker.example" not in origins
