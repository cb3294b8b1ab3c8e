"""Header-only skip cases shared by the connector tests (Maildir, Outlook, Salesforce).

Each case is one header a skip rule reads, its value, and the rule it must trigger. The
connector tests put the header into the message as that source delivers it (an .eml file,
Graph ``internetMessageHeaders``, Salesforce ``EmailMessage.Headers`` text), parse it with
the connector's own code and run :func:`rules.skip.skip_reason` on the result: a header the
connector drops never reaches the rules and the case fails."""

from __future__ import annotations

#: (header name as a sender writes it, value, expected rule). Prefix families and the
#: ``X-`` variants are included because connectors used to keep fixed lists without them.
HEADER_CASES: list[tuple[str, str, str]] = [
    ("Auto-Submitted", "auto-replied", "auto_reply"),
    ("X-Autoreply", "yes", "auto_reply"),
    ("X-Autorespond", "yes", "auto_reply"),
    ("Precedence", "auto_reply", "auto_reply"),
    ("X-Precedence", "auto_reply", "auto_reply"),
    ("X-Failed-Recipients", "bob@client.example", "bounce"),
    ("List-Id", "Product news <news.vendor.example>", "mailing_list"),
    ("List-Unsubscribe", "<mailto:unsub@vendor.example>", "mailing_list"),
    ("List-Post", "<mailto:list@vendor.example>", "mailing_list"),
    ("Precedence", "bulk", "mailing_list"),
    ("X-Precedence", "bulk", "mailing_list"),
    ("X-Newsletter", "weekly", "mailing_list"),
    ("X-Newsletter-Id", "2291", "mailing_list"),
    ("X-Mailchimp-Campaign", "abc123", "mailing_list"),
    ("X-Mailchimp-Campaign-Id", "abc123", "mailing_list"),
    ("X-MC-User", "abc123", "mailing_list"),
    ("X-Campaign-Id", "123", "mailing_list"),
    ("X-CampaignID", "123", "mailing_list"),
]


def case_subject(i: int) -> str:
    """A neutral subject that identifies case ``i`` (no auto-reply or DSN wording)."""
    return f"Question about contract {1000 + i}"


def assert_case(reason, name: str, value: str, rule: str) -> None:
    """The rule fired and its detail names the header and its value."""
    assert reason is not None, f"{name}: {value} was not seen by the skip rules"
    assert reason.rule == rule, (name, value, reason)
    assert reason.detail.lower() == f"{name}: {value}".lower(), reason.detail
