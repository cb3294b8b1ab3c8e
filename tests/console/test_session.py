"""Sessions and forms: the cookie's flags, idle and absolute expiry, logout (a copied cookie
is dead afterwards), CSRF on every form, the security headers, and `serve --local-login` only
on loopback with its banner."""

from __future__ import annotations

import logging

import pytest

from agent.errors import ConfigError
from console.app import COOKIE_NAME, create_app
from console.services import open_services
from storage.models import Item
from tests.console.console_testkit import (
    ALICE,
    SECRET,
    client,
    csrf,
    make_app,
    post,
    seed,
    settings_for,
    sign_in,
)


def cookie_header(c, subject: str) -> str:
    r = c.post("/login/local", data={"csrf_token": csrf(c), "subject": subject, "next": "/queue"}, follow_redirects=False)
    assert r.status_code == 303
    return r.headers["set-cookie"]


def test_cookie_flags_on_loopback_http(console_env):
    settings, app, services = console_env
    header = cookie_header(client(app), ALICE).lower()
    assert header.startswith(COOKIE_NAME + "=") and "httponly" in header and "samesite=lax" in header and "path=/" in header
    assert "secure" not in header  # http://127.0.0.1: a browser would drop a Secure cookie
    assert f"max-age={settings.console.absolute_minutes * 60}" in header


def test_cookie_is_secure_outside_loopback(tmp_path):
    settings = settings_for(tmp_path, public_url="https://review.northwind.example")
    app, services = make_app(settings, local_login=False)
    try:
        c = client(app)
        r = c.get("/login")
        assert "secure" in r.headers["set-cookie"].lower()  # the CSRF secret's session, before any sign-in
        assert "Local sign-in is ON" not in r.text
        assert "/login/local" not in r.text  # no local sign-in offered without --local-login
    finally:
        services.close()


def test_idle_and_absolute_expiry(console_env):
    settings, app, services = console_env
    idle, absolute = settings.console.idle_minutes * 60, settings.console.absolute_minutes * 60
    now = [1_000_000.0]
    app.state.clock = lambda: now[0]
    c = sign_in(client(app), ALICE)
    assert c.get("/queue", follow_redirects=False).status_code == 200
    # used just within the idle limit again and again: the session lives on ...
    for _ in range(3):
        now[0] += idle - 5
        assert c.get("/queue", follow_redirects=False).status_code == 200
    # ... but not past its idle limit
    now[0] += idle + 1
    r = c.get("/queue", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    # absolute: in use all the time, it still ends absolute_minutes after sign-in
    c = sign_in(client(app), ALICE)
    start = now[0]
    while now[0] + idle - 5 < start + absolute:
        now[0] += idle - 5
        assert c.get("/queue", follow_redirects=False).status_code == 200
    now[0] = start + absolute + 1
    assert c.get("/queue", follow_redirects=False).status_code == 303


def test_logout_ends_the_session_and_a_copied_cookie(console_env):
    settings, app, services = console_env
    c = sign_in(client(app), ALICE)
    stolen = c.cookies.get(COOKIE_NAME)
    r = post(c, "/logout")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert COOKIE_NAME + "=null" in r.headers["set-cookie"]
    assert c.get("/queue", follow_redirects=False).status_code == 303
    replay = client(app)
    replay.cookies.set(COOKIE_NAME, stolen)
    assert replay.get("/queue", follow_redirects=False).status_code == 303


def test_forms_without_a_valid_csrf_token_are_refused(console_env, caplog):
    settings, app, services = console_env
    it = seed(services.session_factory, settings)
    alice = sign_in(client(app), ALICE)
    other = sign_in(client(app), ALICE)
    foreign = csrf(other, "/queue")  # a valid token, of another session
    caplog.set_level(logging.WARNING, logger="draftguard.console")
    for data in ({}, {"csrf_token": "forged"}, {"csrf_token": foreign}):
        for action, extra in (("approve", {}), ("reject", {"reason": "x"}), ("edit-approve", {"body": "x"}), ("assign", {"group": "compliance"})):
            r = alice.post(f"/items/{it.item_id}/{action}", data={**data, **extra}, follow_redirects=False)
            assert r.status_code == 403, (action, data)
    assert alice.post("/logout", data={}, follow_redirects=False).status_code == 403
    assert alice.get("/queue", follow_redirects=False).status_code == 200  # still signed in
    with services.session_factory() as s:
        assert s.get(Item, it.item_id).state == "escalated"
    assert any("CSRF check failed" in rec.getMessage() for rec in caplog.records)
    # the header form (htmx) works
    token = csrf(alice, "/queue")
    r = alice.post(f"/items/{it.item_id}/reject", data={"reason": "header token"}, headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert r.status_code == 303


def test_security_headers_on_every_response(console_env):
    settings, app, services = console_env
    c = client(app)
    for path, status in (("/login", 200), ("/queue", 303), ("/static/console.css", 200), ("/nope", 404)):
        r = c.get(path, follow_redirects=False)
        assert r.status_code == status
        assert "script-src 'self'" in r.headers["content-security-policy"] and "'unsafe-inline'" not in r.headers["content-security-policy"]
        assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff" and r.headers["referrer-policy"] == "same-origin"


def test_local_login_banner_and_loopback_only(console_env, tmp_path):
    settings, app, services = console_env
    c = sign_in(client(app), ALICE)
    for path in ("/login", "/queue"):
        assert "Local sign-in is ON" in c.get(path).text
    for host in ("0.0.0.0", "192.168.1.10", "review.example.com", "::"):
        bad = settings.model_copy(update={"console": settings.console.model_copy(update={"host": host})})
        with pytest.raises(ConfigError, match="loopback"):
            create_app(bad, local_login=True, services=services, secret_key=SECRET)
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        ok = settings.model_copy(update={"console": settings.console.model_copy(update={"host": host})})
        create_app(ok, local_login=True, services=services, secret_key=SECRET)


def test_the_secret_comes_from_the_environment(tmp_path, monkeypatch):
    settings = settings_for(tmp_path)
    services = open_services(settings)
    try:
        monkeypatch.delenv("DRAFTGUARD_CONSOLE_SECRET", raising=False)
        with pytest.raises(ConfigError, match="DRAFTGUARD_CONSOLE_SECRET"):
            create_app(settings, services=services)
        monkeypatch.setenv("DRAFTGUARD_CONSOLE_SECRET", "short")
        with pytest.raises(ConfigError, match="shorter than"):
            create_app(settings, services=services)
        monkeypatch.setenv("DRAFTGUARD_CONSOLE_SECRET", "k" * 40)
        create_app(settings, services=services)
    finally:
        services.close()


def test_next_only_goes_to_this_site(console_env):
    settings, app, services = console_env
    c = client(app)
    for target, expected in (("/items/5", "/items/5"), ("//evil.example/x", "/queue"), ("https://evil.example", "/queue"), ("/\\evil.example", "/queue")):
        r = c.post("/login/local", data={"csrf_token": csrf(c), "subject": ALICE, "next": target}, follow_redirects=False)
        assert r.headers["location"] == expected
