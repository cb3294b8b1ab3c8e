"""Skip rules see every header they read in Salesforce mail (issue 8.8).

The headers arrive as ``EmailMessage.Headers`` text on the fake org; the real
:class:`SalesforceSource` polls it through simple-salesforce and parses them, then
:func:`rules.skip.skip_reason` runs on the result."""

from __future__ import annotations

from agent.config import OrganisationConfig
from agent.models import InboundMessage
from rules.skip import skip_reason
from tests.rules.skip_header_cases import HEADER_CASES, assert_case, case_subject

ORG = OrganisationConfig(name="Acme", domains=["ours.example"])
OWN = ["support@ours.example"]


def test_every_skip_header_reaches_the_rules_from_email_message_headers(fake, seed, make_source, cursors):
    for i, (name, value, _) in enumerate(HEADER_CASES):
        case = seed.case(case_subject(i))
        seed.email(case, subject=case_subject(i), headers=f"Return-Path: <hank@globex.example>\n{name}: {value}\nMessage-ID: <m{i}@globex.example>\n")
    control = seed.case("control")
    seed.email(control, subject="control", headers="Return-Path: <hank@globex.example>\nX-Mailer: Outlook\n")
    got = {m.subject: m for m in make_source().poll(cursors) if isinstance(m, InboundMessage)}
    assert len(got) == len(HEADER_CASES) + 1
    for i, (name, value, rule) in enumerate(HEADER_CASES):
        assert_case(skip_reason(got[case_subject(i)], ORG, OWN), name, value, rule)
    assert skip_reason(got["control"], ORG, OWN) is None
    assert got["control"].headers == {"return-path": "<hank@globex.example>"}
