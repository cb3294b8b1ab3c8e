"""CRM context for mail (issue 14): a Maildir or Outlook message from a known Salesforce contact
gets the contact's account and open cases as prompt context.

:class:`SalesforceContactLookup` implements :class:`agent.grounding.CrmLookup` with
simple-salesforce (through :class:`connectors.salesforce.auth.SalesforceClient`: sign-in,
re-authentication, retries, error translation) and two SOQL queries built with
``simple_salesforce.format_soql`` (values quoted and escaped by the library):

1. ``Contact`` by ``Email`` (the sender's address; several contacts with one address: the
   oldest, ``ORDER BY CreatedDate``) with the allow-listed ``Account`` fields;
2. the contact's cases that are not closed (``Status != 'Closed'``), newest first, at most
   ``[drafting] crm_open_cases``, with the source's ``case_fields_allow_list``.

Only allow-listed fields leave this module: ``{"Account.Name": "Globex", "Case 00001001.Status":
"New", …}``. The values go into ``InboundMessage.crm_fields`` before redaction, so they are
pseudonymised and seeded like every other client value. Errors raise ``SourceError`` (the
analyse stage then drafts without CRM context and records why).
"""

from __future__ import annotations

import re

from simple_salesforce import format_soql

from agent.config import SalesforceSourceConfig
from agent.drafting_config import DraftingConfig
from connectors.salesforce.auth import SalesforceClient

_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)?$")
CLOSED_STATUS = "Closed"
VALUE_MAX_CHARS = 200  # a long field value is cut: context, not a document


def _fields(names: list[str], what: str) -> list[str]:
    bad = [n for n in names if not _FIELD.match(n)]
    if bad:
        raise ValueError(f"{what}: not a Salesforce field name: {bad}")
    return list(dict.fromkeys(names))


class SalesforceContactLookup:
    """The account and open cases of the contact whose ``Email`` is a mail's sender.

    ``cfg``: the Salesforce source whose org is asked (its ``case_fields_allow_list`` are the case
    fields allowed); ``drafting``: ``crm_account_fields`` and ``crm_open_cases``; ``client``: the
    signed-in client (built from ``cfg`` when None). Raises ValueError for a field name that is
    not one (the config is checked when the lookup is built)."""

    def __init__(self, cfg: SalesforceSourceConfig, drafting: DraftingConfig, *, client: SalesforceClient | None = None):
        self.cfg = cfg
        self.account_fields = _fields(drafting.crm_account_fields, "drafting.crm_account_fields")
        self.case_fields = _fields([f for f in cfg.case_fields_allow_list if f != "Id"], f"sources.salesforce[{cfg.name}].case_fields_allow_list")
        self.max_cases = drafting.crm_open_cases
        self.client = client or SalesforceClient(cfg, source_name=f"salesforce:{cfg.name}")

    def context_for(self, email: str) -> dict[str, str]:
        """Allow-listed fields of the contact with this address, ``{}`` for an unknown address or
        an empty one. Raises SourceError when Salesforce cannot be asked."""
        email = (email or "").strip()
        if not email or "@" not in email:
            return {}
        account_cols = ", ".join(f"Account.{f}" for f in self.account_fields)
        contact_q = format_soql(
            "SELECT Id, AccountId" + (f", {account_cols}" if account_cols else "") + " FROM Contact WHERE Email = {} ORDER BY CreatedDate LIMIT 1",
            email,
        )
        rows = self.client.call(lambda sf: sf.query(contact_q)["records"], sobject="Contact", action="query")
        if not rows:
            return {}
        contact = rows[0]
        out: dict[str, str] = {}
        account = contact.get("Account") or {}
        for f in self.account_fields:
            v = account.get(f)
            if v not in (None, ""):
                out[f"Account.{f}"] = str(v)[:VALUE_MAX_CHARS]
        if self.max_cases and self.case_fields:
            case_q = format_soql(
                f"SELECT Id, {', '.join(self.case_fields)} FROM Case WHERE ContactId = {{}} AND Status != {{}} ORDER BY CreatedDate DESC LIMIT {int(self.max_cases)}",
                contact["Id"],
                CLOSED_STATUS,
            )
            cases = self.client.call(lambda sf: sf.query(case_q)["records"], sobject="Case", action="query")
            for i, case in enumerate(cases, 1):
                label = f"Case {case.get('CaseNumber') or i}"
                for f in self.case_fields:
                    v = case.get(f)
                    if f != "CaseNumber" and v not in (None, ""):
                        out[f"{label}.{f}"] = str(v)[:VALUE_MAX_CHARS]
        return out

    def close(self) -> None:
        """Nothing held open (the client's session is closed with the process)."""
