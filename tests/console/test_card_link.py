"""Teams cards link to the item's console page when [console] public_url is set (and no
notify.draft_url_template overrides it)."""

from __future__ import annotations

import json

from agent.config import ConsoleConfig, NotifyConfig, Settings
from agent.ports import Escalation
from connectors.teams.card import CardOptions, escalation_card

ESC = Escalation(
    review_task_id=7, item_id=42, correlation_id="c-1", source="maildir:local", group="billing", subject="Refund",
    sender="ann@client.example", rule_id="high-severity-finding", findings=(("commitment.refund", "high"),),
    draft_preview="", model="m", prompt_template_id="reply/v1",
)  # fmt: skip


def urls(settings: Settings) -> list[str]:
    card = json.dumps(escalation_card(ESC, CardOptions.from_config(settings.notify)))
    return [a["url"] for a in json.loads(card).get("actions", []) if a.get("type") == "Action.OpenUrl"]


def test_card_opens_the_console_item():
    s = Settings(console=ConsoleConfig(public_url="https://review.northwind.example/"))
    assert "https://review.northwind.example/items/42" in urls(s)


def test_without_public_url_no_console_link_and_a_template_wins():
    assert not any("/items/" in u for u in urls(Settings()))
    s = Settings(console=ConsoleConfig(public_url="https://review.northwind.example"), notify=NotifyConfig(draft_url_template="https://crm.example/t/{review_task_id}"))
    assert urls(s) == ["https://crm.example/t/7"]
