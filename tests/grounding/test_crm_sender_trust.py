"""CRM context is picked by the From address, which anyone can write: a message whose reply would
go elsewhere (Reply-To) or whose sender failed authentication (Authentication-Results) gets no
CRM context, says why with a reason code, and the draft checks do not treat CRM values as the
client's. Real .eml files through the Maildir parser; simple-salesforce against the local
Salesforce test server."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from agent.grounding import grounding_audit
from agent.models import InboundMessage
from agent.sender_trust import crm_withheld_reason
from connectors.maildir.parse import parse_message
from rules.draft_safety import DraftCheckFacts
from tests.grounding.test_crm_context import _lookup, org  # noqa: F401 - the Salesforce fixture

CLIENT = "hank@globex.example"
ATTACKER = "attacker@evil.example"
TEXT = "Hello, where is my invoice for the Widget Pro order? Please also confirm the status of my case. Thanks"


def _eml(*, reply_to: str | None = None, auth: list[str] = ()) -> bytes:
    m = EmailMessage()
    for a in auth:  # topmost first, as each receiving server prepends its own
        m["Authentication-Results"] = a
    m["From"] = f"Hank Scorpio <{CLIENT}>"
    if reply_to:
        m["Reply-To"] = reply_to
    m["To"] = "support@northwind.example"
    m["Subject"] = "Invoice"
    m["Message-ID"] = "<spoof-1@globex.example>"
    m["Date"] = "Mon, 30 Nov 2026 09:00:00 +0000"
    m.set_content(TEXT)
    return m.as_bytes()


def _parsed(raw: bytes) -> InboundMessage:
    return parse_message(raw, source="maildir:local", external_id="cur/1", max_body_bytes=1_000_000)


class _Counting:
    """The real lookup, counting its calls."""

    def __init__(self, inner):
        self.inner, self.calls = inner, 0

    def context_for(self, email: str) -> dict[str, str]:
        self.calls += 1
        return self.inner.context_for(email)

    def close(self) -> None:
        self.inner.close()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (_eml(reply_to=f"Hank <{ATTACKER}>"), "reply_to_differs"),
        (
            _eml(auth=["mx.northwind.example; spf=pass smtp.mailfrom=evil.example; dkim=none; dmarc=fail (p=none) header.from=globex.example",
                       "mx.northwind.example; dmarc=pass header.from=globex.example"]),  # a forged one below ours is not read
            "dmarc_fail",
        ),
        (_eml(auth=["mx.northwind.example; spf=fail smtp.mailfrom=globex.example; dkim=fail header.d=globex.example"]), "spf_and_dkim_fail"),
    ],
    ids=["reply-to", "dmarc", "spf+dkim"],
)
def test_untrusted_sender_gets_no_crm_context_and_the_reason_is_recorded(org, make_pipeline, raw, reason):  # noqa: F811
    fake, seed = org
    seed.case("Widget Pro invoice", status="New")
    lookup = _Counting(_lookup(fake))
    p = make_pipeline(crm=lookup)
    msg = _parsed(raw)
    assert msg.sender.email == CLIENT
    a = p.analyse(msg)
    assert lookup.calls == 0  # the real client's record is not even fetched
    assert "Account.Name" not in a.prompt.user and "Globex Corporation" not in a.prompt.user and "Status: New" not in a.prompt.user
    assert "Globex Corporation" not in a.restored_text
    assert a.grounding["crm_fields"] == []
    assert f"CRM context withheld: {reason}" in a.grounding["errors"]
    assert grounding_audit(a.grounding)["crm_withheld"] == [reason]
    assert not any("@" in e for e in a.grounding["errors"])  # a code, no address
    if reason == "reply_to_differs":
        assert [t.email for t in a.reply.to] == [ATTACKER]  # where the draft would have gone


def test_trusted_sender_still_gets_crm_context(org, make_pipeline):  # noqa: F811
    fake, seed = org
    seed.case("Widget Pro invoice", status="New")
    lookup = _Counting(_lookup(fake))
    p = make_pipeline(crm=lookup)
    passing = "mx.northwind.example; spf=pass smtp.mailfrom=globex.example; dkim=pass header.d=globex.example; dmarc=pass header.from=globex.example"
    for raw in (_eml(), _eml(reply_to=f"Hank <{CLIENT.upper()}>"), _eml(auth=[passing]), _eml(auth=["mx.northwind.example; spf=softfail; dkim=pass"])):
        a = p.analyse(_parsed(raw))
        assert "Account.Name" in a.prompt.user and "Status: New" in a.prompt.user
        assert not any(e.startswith("CRM context withheld") for e in a.grounding["errors"])
        assert grounding_audit(a.grounding)["crm_withheld"] == []
    assert lookup.calls == 4


def test_draft_checks_do_not_exempt_crm_values_of_an_untrusted_sender():
    crm = {"Account.Name": "Globex Corporation", "Contact.Phone": "+1 555 0100", "Case 00001001.Status": "New"}
    spoofed = _parsed(_eml(reply_to=ATTACKER)).model_copy(update={"crm_fields": crm})
    genuine = _parsed(_eml()).model_copy(update={"crm_fields": crm})
    assert crm_withheld_reason(spoofed) == "reply_to_differs" and crm_withheld_reason(genuine) is None
    bad, good = DraftCheckFacts.of(spoofed), DraftCheckFacts.of(genuine)
    assert "Globex Corporation" in good.client_texts and "+1 555 0100" in good.contacts
    assert "Globex Corporation" not in bad.client_texts and "+1 555 0100" not in bad.contacts
    assert ATTACKER in bad.contacts  # the addresses themselves are still the client's
