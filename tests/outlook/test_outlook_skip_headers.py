"""Skip rules see every header they read in Outlook mail (issue 8.8).

Messages carry the headers in Graph's ``internetMessageHeaders`` (as in the delta answer, and
fetched separately when the delta item leaves them out); the real :class:`OutlookSource` polls
the local Graph fake and parses them, then :func:`rules.skip.skip_reason` runs on the result."""

from __future__ import annotations

import pytest

from agent.config import OrganisationConfig
from agent.models import InboundMessage
from rules.skip import skip_reason
from tests.outlook.conftest import MAILBOX
from tests.rules.skip_header_cases import HEADER_CASES, assert_case, case_subject

ORG = OrganisationConfig(name="Contoso", domains=["contoso.example"])


@pytest.mark.parametrize("omit_in_delta", [False, True])
def test_every_skip_header_reaches_the_rules_from_graph(graph, make_source, cursors, omit_in_delta):
    for i, (name, value, _) in enumerate(HEADER_CASES):
        graph.deliver(MAILBOX, subject=case_subject(i), headers=[(name, value)])
    graph.deliver(MAILBOX, subject="control: no skip header")
    graph.omit_headers_in_delta = omit_in_delta
    got = {m.subject: m for m in make_source().poll(cursors) if isinstance(m, InboundMessage)}
    assert len(got) == len(HEADER_CASES) + 1
    for i, (name, value, rule) in enumerate(HEADER_CASES):
        assert_case(skip_reason(got[case_subject(i)], ORG, [MAILBOX]), name, value, rule)
    assert skip_reason(got["control: no skip header"], ORG, [MAILBOX]) is None
