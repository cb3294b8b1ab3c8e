"""The default notifier: escalations go to the log and to the terminal (rich).

Used when ``notify.transport = "console"`` (no Teams configured). It shows what a Teams
card would show, under the same :class:`connectors.teams.card.CardOptions` (no draft
body unless the config allows it).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from agent.ports import Digest, Escalation, Notifier
from agent.terminal import literal, make_console
from connectors.teams.card import CardOptions, client_label, draft_url, risk_line

log = logging.getLogger(__name__)


class ConsoleNotifier(Notifier):
    """Writes one log record and one rich panel (on ``console``, stderr by default) per notification.

    Every value on the panel is client or stored text and goes through
    :func:`agent.terminal.literal`, so a subject such as ``[/]`` is shown as written."""

    transport = "console"

    def __init__(self, options: CardOptions | None = None, console: Console | None = None):
        self.options = options or CardOptions()
        self.console = console or make_console(stderr=True)

    def notify(self, escalation: Escalation) -> str:
        """Show the escalation; returns ``console:<review task id>:<UTC timestamp>``."""
        e = escalation
        log.info(
            "escalation for %s: review task %d, rule %s, findings %s",
            e.group,
            e.review_task_id,
            e.rule_id,
            ",".join(r for r, _ in e.findings) or "-",
            extra={"review_task_id": e.review_task_id, "item_id": e.item_id, "correlation_id": e.correlation_id, "reminder": e.reminder},
        )
        table = Table.grid(padding=(0, 1))
        table.add_column(style="bold")
        table.add_column()
        table.add_row("Subject", literal(e.subject or "(no subject)"))
        client = client_label(e.sender, self.options.client_display)
        if client:
            table.add_row("Client", literal(client))
        table.add_row("Source", literal(e.source))
        table.add_row("Routing rule", literal(e.rule_id))
        risk = risk_line(e)
        if risk:
            table.add_row("Risk", literal(risk))
        table.add_row("Findings", "\n".join(literal(f"{r} ({s})") for r, s in e.findings) or "-")
        table.add_row("Model", literal(f"{e.model or '-'} / {e.prompt_template_id or '-'}"))
        if e.link:
            table.add_row("Original", literal(e.link))
        durl = draft_url(e, self.options)
        if durl:
            table.add_row("Draft", literal(durl))
        if self.options.include_draft_preview and e.draft_preview:
            table.add_row("Preview", literal(e.draft_preview[: self.options.preview_chars]))
        title = f"Reminder {e.reminder}: " if e.reminder else "Escalation: "
        self.console.print(Panel(table, title=f"{title}review task #{e.review_task_id} → {literal(e.group)}", expand=False))
        return f"console:{e.review_task_id}:{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}"

    def notify_digest(self, digest: Digest) -> str:
        """Show the group's open escalations as a table."""
        log.info("daily digest for %s: %d open escalations", digest.group, len(digest.escalations))
        table = Table(title=f"{literal(digest.group)}: {len(digest.escalations)} open escalation(s) on {digest.day}")
        for col in ("task", "subject", "open min", "rule", "findings"):
            table.add_column(col)
        for e in digest.escalations:
            table.add_row(str(e.review_task_id), literal(e.subject), str(e.open_minutes), literal(e.rule_id), literal(",".join(r for r, _ in e.findings)))
        self.console.print(table)
        return f"console:digest:{digest.group}:{digest.day}"
