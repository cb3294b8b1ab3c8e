"""Maildir connector: reads client mail from a local Maildir, writes reply drafts to a Drafts Maildir.

The Maildir layout (``tmp/``, ``new/``, ``cur/``, ``:2,<flags>`` info) is the one in
D. J. Bernstein's description, https://cr.yp.to/proto/maildir.html, as used by
mbsync, offlineimap and Dovecot. Parsing is the stdlib :mod:`email` package with
``email.policy.default``; :mod:`connectors.maildir.parse` turns one file into an
:class:`agent.models.InboundMessage`, :mod:`connectors.maildir.drafts` builds and
stores the reply, :mod:`connectors.maildir.source` is the :class:`agent.ports.Source`.
"""

from connectors.maildir.source import MaildirSource

__all__ = ["MaildirSource"]
