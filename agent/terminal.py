"""Terminal output shared by the command line and the console notifier.

Rich reads ``[...]`` in printed strings and table cells as markup, so text that comes from
a client or from the database (subjects, names, reasons, error messages, drafts) must never
reach it raw: ``[/]`` raises ``MarkupError`` and ``[red]`` silently disappears.
:func:`literal` is the one place that makes such text literal; every console print of
client or stored text goes through it. :func:`fail` is the one error line of the CLI.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from agent.exit_codes import ExitCode


def make_console(*, stderr: bool = False) -> Console:
    """A Rich console for draftguard output; emoji codes are off, so a client's ``:warning:`` stays text."""
    return Console(stderr=stderr, emoji=False)


#: standard output and standard error of the command line
out_console = make_console()
err_console = make_console(stderr=True)


def literal(value: object) -> str:
    """``value`` as text that Rich prints exactly as given, inside a markup string or a table cell.

    ``None`` becomes ``""``; anything else is ``str()``-ed and every markup-like ``[...]``
    (and a trailing backslash) is escaped with :func:`rich.markup.escape`."""
    return "" if value is None else escape(str(value))


def fail(code: ExitCode, reason: str) -> typer.Exit:
    """Print ``error: <reason>`` (literal text) on stderr and return the ``typer.Exit`` to raise."""
    err_console.print(f"[bold red]error:[/] {literal(reason)}", highlight=False, soft_wrap=True)
    return typer.Exit(int(code))
