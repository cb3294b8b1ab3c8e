"""The fake org's SOQL must refuse what Salesforce refuses, or a query the connector sends could
pass here and fail in a real org. Semi-join rules: SOQL and SOSL Reference, "Semi-Join and
Anti-Join Restrictions". Sent through the real simple-salesforce client."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from connectors.salesforce.errors import error_items


@pytest.fixture
def sf(fake, seed, make_source):
    return make_source().client.sf


def _refused(sf, q: str) -> str:
    with pytest.raises(SalesforceMalformedRequest) as err:
        sf.query(q)
    (item,) = error_items(err.value.content)
    assert item["errorCode"] == "MALFORMED_QUERY"
    return item["message"]


def test_semi_join_with_or_is_refused(sf):
    msg = _refused(sf, "SELECT Id FROM Case WHERE Status = 'New' OR Id IN (SELECT ParentId FROM EmailMessage WHERE Incoming = true)")
    assert msg == "Semi join sub-selects are not allowed with the 'OR' operator"
    # also when the OR is inside parentheses under a top-level AND
    _refused(sf, "SELECT Id FROM Case WHERE Priority = 'High' AND (Status = 'New' OR Id IN (SELECT ParentId FROM EmailMessage))")


def test_semi_join_under_not_is_refused(sf):
    assert "top level" in _refused(sf, "SELECT Id FROM Case WHERE NOT (Id IN (SELECT ParentId FROM EmailMessage))")


def test_nested_semi_join_is_refused(sf):
    q = (
        "SELECT Id FROM Case WHERE Id IN (SELECT ParentId FROM EmailMessage WHERE "
        "ParentId IN (SELECT ParentId FROM CaseComment WHERE IsPublished = true))"
    )
    assert _refused(sf, q) == "Nesting of semi join sub-selects is not supported"
    # nor in a parent-to-child sub-select of the SELECT list
    _refused(sf, "SELECT Id, (SELECT Id FROM EmailMessages WHERE ParentId IN (SELECT ParentId FROM CaseComment)) FROM Case")


def test_at_most_two_semi_joins(sf):
    two = (
        "SELECT Id FROM Case WHERE Id IN (SELECT ParentId FROM EmailMessage) "
        "AND OwnerId IN (SELECT Id FROM Group WHERE Type = 'Queue')"
    )
    sf.query(two)
    _refused(sf, two + " AND Id IN (SELECT ParentId FROM CaseComment)")


def test_sub_select_shape(sf):
    assert _refused(sf, "SELECT Id FROM Case WHERE Id IN (SELECT Id FROM Case WHERE Status = 'New')") == (
        "The inner and outer selects should not be on the same object type"
    )
    _refused(sf, "SELECT Id FROM Case WHERE Id IN (SELECT ParentId, Id FROM EmailMessage)")
    _refused(sf, "SELECT Id FROM Case WHERE Id IN (SELECT Subject FROM EmailMessage)")
    _refused(sf, "SELECT Id FROM Case WHERE Id IN (SELECT Parent.Id FROM EmailMessage)")
    _refused(sf, "SELECT Id FROM Case WHERE Id IN (SELECT ParentId FROM EmailMessage ORDER BY CreatedDate)")
    _refused(sf, "SELECT Id FROM Case WHERE Id IN (SELECT ParentId FROM EmailMessage LIMIT 5)")
    _refused(sf, "SELECT Id FROM Case WHERE Owner.Id IN (SELECT Id FROM Group)")
    _refused(sf, "SELECT Id FROM Case WHERE Subject IN (SELECT Id FROM Group)")
    _refused(sf, "SELECT Id FROM Case WHERE Id IN (SELECT Id FROM Group)")  # Group Ids are not Case Ids


def test_or_and_relationship_fields_inside_the_sub_select_are_fine(fake, seed, sf):
    changed, quiet, follow = (seed.case(s) for s in ("changed itself", "quiet", "follow-up only"))
    for case in (changed, quiet, follow):
        seed.email(case)
    since = fake.org.tick(60)
    fake.org.touch("Case", changed["Id"])  # the case changed, no new email
    seed.email(follow, "one more thing")  # a new email, the case untouched
    stamp = since.strftime("%Y-%m-%dT%H:%M:%SZ")
    q = (
        "SELECT Id FROM Case WHERE Id IN (SELECT ParentId FROM EmailMessage WHERE Incoming = true "
        f"AND (SystemModstamp >= {stamp} OR Parent.SystemModstamp >= {stamp}))"
    )
    assert {r["Id"] for r in sf.query(q)["records"]} == {changed["Id"], follow["Id"]}
