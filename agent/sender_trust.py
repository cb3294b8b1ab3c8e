"""Whether a message's From address may be trusted to pick the client's CRM record.

The CRM lookup for mail (:class:`agent.grounding.Grounder`, :mod:`connectors.salesforce.crm`)
finds the contact by the From address, which any sender can write. A reply goes to the
Reply-To address when there is one (:mod:`agent.reply`), so "From: real.client@globex.com,
Reply-To: attacker@evil.example" would put the real client's account and cases into a draft
addressed to the attacker. CRM context is therefore withheld when:

* ``reply_to_differs`` — a Reply-To address is present that is not the From address (compared
  case-insensitively): the reply would go to someone the CRM record does not belong to;
* ``dmarc_fail`` — the receiving server's ``Authentication-Results`` header (RFC 8601) says
  ``dmarc=fail``;
* ``spf_and_dkim_fail`` — it says ``spf=fail`` (or ``softfail``) and no ``dkim=pass``, with at
  least one ``dkim=`` result that is not a pass (no aligned signature vouches for the sender).

A message without ``Authentication-Results`` is judged on Reply-To alone (not every mail server
adds the header). Only the topmost header reaches the pipeline from Maildir and Salesforce
(``rules.skip.skip_headers`` keeps the first: the one our own receiving server added); Graph
joins repeated headers, so a ``fail`` anywhere in them withholds (an attacker can only add a
failure, never remove one). The reason codes name no address: they may be stored and audited.
"""

from __future__ import annotations

import re

from agent.models import InboundMessage

AUTH_RESULTS_HEADER = "authentication-results"

REPLY_TO_DIFFERS = "reply_to_differs"
DMARC_FAIL = "dmarc_fail"
SPF_AND_DKIM_FAIL = "spf_and_dkim_fail"

#: Prefix of the grounding error that records a withheld CRM context (``"CRM context withheld: dmarc_fail"``).
CRM_WITHHELD = "CRM context withheld: "

# RFC 8601 §2.2 resinfo: "method=result", optional CFWS around "=".
_RESULT = re.compile(r"(?<![\w.-])(dmarc|spf|dkim)\s*=\s*([a-z]+)", re.IGNORECASE)


def auth_results(value: str | None) -> dict[str, set[str]]:
    """``{"dmarc": {"fail"}, "spf": {"pass"}, "dkim": {"fail", "pass"}}``: every result per
    method found in an ``Authentication-Results`` value (lower-cased); ``{}`` for None or
    text without results. Never raises."""
    out: dict[str, set[str]] = {}
    for method, result in _RESULT.findall(value or ""):
        out.setdefault(method.lower(), set()).add(result.lower())
    return out


def crm_withheld_reason(msg: InboundMessage) -> str | None:
    """The reason code (:data:`REPLY_TO_DIFFERS`, :data:`DMARC_FAIL`, :data:`SPF_AND_DKIM_FAIL`)
    for which ``msg``'s sender must not pick CRM context, or None when it may (see the module
    docstring). Reads ``msg.sender``, ``msg.reply_to`` and ``msg.headers``; never raises."""
    sender = (msg.sender.email or "").strip().lower()
    if any((a.email or "").strip().lower() != sender for a in msg.reply_to):
        return REPLY_TO_DIFFERS
    results = auth_results(msg.headers.get(AUTH_RESULTS_HEADER))
    if "fail" in results.get("dmarc", set()):
        return DMARC_FAIL
    spf, dkim = results.get("spf", set()), results.get("dkim", set())
    if spf & {"fail", "softfail"} and dkim and "pass" not in dkim:
        return SPF_AND_DKIM_FAIL
    return None


__all__ = [
    "AUTH_RESULTS_HEADER",
    "CRM_WITHHELD",
    "DMARC_FAIL",
    "REPLY_TO_DIFFERS",
    "SPF_AND_DKIM_FAIL",
    "auth_results",
    "crm_withheld_reason",
]
