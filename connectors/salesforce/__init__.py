"""Salesforce Service Cloud connector on ``simple-salesforce``: cases in, draft emails,
internal comments and case actions out. See docs/salesforce.md.

Modules: :mod:`.auth` (OAuth token flows, re-authentication, retries), :mod:`.soql`
(the queries), :mod:`.source` (the :class:`agent.ports.Source`), :mod:`.limits`
(``Sforce-Limit-Info`` and the polling pause), :mod:`.errors` (exception mapping),
:mod:`.cli` (``main.py salesforce check``).
"""

from connectors.salesforce.source import SalesforceSource

__all__ = ["SalesforceSource"]
