"""Test kit for the Salesforce connector: an in-memory cursor store and a seeder that builds
realistic org data (queues, record types, account, contact, cases, Email-to-Case emails)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sf_fake import FakeSalesforce, sf_datetime

from agent.ports import CursorStore


class MemoryCursors(CursorStore):
    def __init__(self) -> None:
        self.data: dict[tuple[str, str], str | None] = {}

    def get(self, source: str, key: str) -> str | None:
        return self.data.get((source, key))

    def set(self, source: str, key: str, value: str | None) -> None:
        self.data[(source, key)] = value


class Seeder:
    """Builds realistic org data: queues, record types, accounts, contacts, cases, emails."""

    def __init__(self, fake: FakeSalesforce):
        self.fake = fake
        org = fake.org
        self.queue = org.insert("Group", {"DeveloperName": "Support_EN", "Name": "Support EN", "Type": "Queue"})
        self.other_queue = org.insert("Group", {"DeveloperName": "Sales", "Name": "Sales", "Type": "Queue"})
        self.escalations = org.insert("Group", {"DeveloperName": "Escalations", "Name": "Escalations", "Type": "Queue"})
        self.rt_support = org.insert("RecordType", {"DeveloperName": "Support", "SobjectType": "Case"})
        self.rt_billing = org.insert("RecordType", {"DeveloperName": "Billing", "SobjectType": "Case"})
        self.account = org.insert("Account", {"Name": "Globex Corporation"})
        self.contact = org.insert("Contact", {"Name": "Hank Scorpio", "Email": "hank@globex.example", "AccountId": self.account["Id"]})

    def case(self, subject="Invoice question", *, queue=None, status="New", record_type=None, contact=True, **extra):
        org = self.fake.org
        org.tick()
        values = {
            "Subject": subject,
            "Status": status,
            "Priority": "Medium",
            "Origin": "Email",
            "OwnerId": (queue or self.queue)["Id"],
            "RecordTypeId": (record_type or self.rt_support)["Id"],
            "Internal_Notes__c": "VIP — do not mention the discount",
            "Product__c": "Widget Pro",
        }
        if contact:
            values.update(ContactId=self.contact["Id"], AccountId=self.account["Id"], ContactEmail=self.contact["Email"])
        values.update(extra)
        return org.insert("Case", values)

    def email(self, case, text="Hello, where is my invoice?", *, incoming=True, status=None, html=None, at=None, touch_case=False, headers=None, **extra):
        """An EmailMessage on ``case`` stamped ``at`` (default: the clock ticks one second).

        The parent Case is NOT touched by default: Email-to-Case does not guarantee that a
        new EmailMessage bumps its case's ``SystemModstamp``, so the connector must not rely
        on it. ``touch_case=True`` simulates an org whose automation (a flow, assignment,
        status change) also updates the case."""
        org = self.fake.org
        when = at or org.tick()
        rec = org.insert(
            "EmailMessage",
            {
                "ParentId": case["Id"],
                "Incoming": incoming,
                "Status": status or ("0" if incoming else "3"),
                "Subject": extra.pop("subject", f"Re: {case['Subject']}"),
                "FromAddress": extra.pop("from_address", "hank@globex.example" if incoming else "support@ours.example"),
                "FromName": extra.pop("from_name", "Hank Scorpio" if incoming else "Support"),
                "ToAddress": extra.pop("to_address", "support@ours.example" if incoming else "hank@globex.example"),
                "MessageDate": sf_datetime(when),
                "MessageIdentifier": f"<{org.new_id('EmailMessage')}@mail.globex.example>",
                "Headers": headers if headers is not None else "Return-Path: <hank@globex.example>\nMessage-ID: <abc@globex.example>\nIn-Reply-To: <prev@ours.example>\nReferences: <root@ours.example> <prev@ours.example>\n",
                "TextBody": text,
                "HtmlBody": html,
                **extra,
            },
            stamp=when,
        )
        if touch_case:
            org.touch("Case", case["Id"])
        return rec


def after(dt: datetime, **kw) -> datetime:
    """``dt`` plus a ``timedelta(**kw)``."""
    return dt + timedelta(**kw)
