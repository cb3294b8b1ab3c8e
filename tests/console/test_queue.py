"""The queue: the person's open reviews by group, oldest first, SLA time left (overdue shown),
why each was escalated, filters by group, rule, category, source and age (also as an htmx
partial)."""

from __future__ import annotations

import re

from tests.console.console_testkit import AUDREY, client, seed, sign_in


def order(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/items/(\d+)"', html)]


def test_queue_groups_orders_and_filters(console_env):
    settings, app, services = console_env
    sf = services.session_factory
    new_billing = seed(sf, settings, group="billing", age_minutes=5, categories=("complaint",)).item_id
    old_billing = seed(sf, settings, group="billing", age_minutes=90, categories=("legal_threat",)).item_id  # SLA 60 min: overdue
    compliance = seed(sf, settings, group="compliance", age_minutes=30, categories=("complaint",)).item_id  # SLA 240 min
    c = sign_in(client(app), AUDREY)
    page = c.get("/queue").text
    assert order(page) == [old_billing, new_billing, compliance]  # billing first (by name), oldest first inside
    table = page[page.index('id="queue-table"'):]
    assert table.index("billing") < table.index(f"/items/{old_billing}") < table.index(f"/items/{new_billing}") < table.index("compliance")
    assert "overdue 0h30m" in page or "overdue 0h29m" in page
    assert "3h30m left" in page or "3h29m left" in page
    assert "max_severity &gt;= 3" in page and "high-severity-finding" in page
    assert order(c.get("/queue?group=compliance").text) == [compliance]
    assert order(c.get("/queue?category=legal_threat").text) == [old_billing]
    assert order(c.get("/queue?age=1h").text) == [old_billing]
    assert order(c.get("/queue?rule=nope").text) == [] and "match these filters" in c.get("/queue?rule=nope").text
    assert order(c.get("/queue?source=maildir:local").text) == [old_billing, new_billing, compliance]
    partial = c.get("/queue?group=billing", headers={"HX-Request": "true", "HX-Target": "queue-table"}).text
    assert partial.lstrip().startswith('<table class="queue" id="queue-table">') and "<html" not in partial
    assert order(partial) == [old_billing, new_billing]
