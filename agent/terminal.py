"""Terminal output shared by the command line and the console notifier.

Rich reads ``[...]`` in printed strings and table cells as markup, so text that comes from
a client or from the database (subjects, names, reasons, error messages, drafts) must never
reach it raw: ``[/]`` raises ``MarkupError`` and ``[red]`` silently disappears.
:func:`literal` is the one place that makes such text literal; every console print of
client or stored text goes through it. It also shows terminal controls visibly: an ESC sequence
(colours, OSC 8 hyperlinks, screen clears), a carriage return that overwrites a line, and
invisible format characters (bidi overrides such as U+202E, zero-width spaces) print as
``\\x1b`` / ``\\u202e`` instead of acting on the reader's terminal. :func:`fail` is the one error
line of the CLI; :func:`config_path` is the config file every sub-command reads.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

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


_JOINERS = frozenset("\u200c\u200d")  # ZWNJ/ZWJ: part of the spelling of Persian, Indic, emoji


def _in_word(ch: str) -> bool:
    """A letter or a combining mark (a virama before a ZWJ in Devanagari is a mark, not a letter)."""
    return unicodedata.category(ch)[0] in "LM"


def visible_controls(text: str) -> str:
    """``text`` with every character that acts on a terminal instead of printing shown as an escape.

    Control characters (Unicode category Cc, except newline and tab), format characters (Cf:
    bidi embeddings/overrides/isolates, zero-width space, BOM, soft hyphen …) and the line and
    paragraph separators (Zl, Zp) become ``\\xNN`` or ``\\uNNNN``; a ZWNJ/ZWJ between two letters
    stays (it belongs to the word). Source: Unicode TR9 (bidi controls) and ECMA-48 (C0/C1
    controls, ESC sequences); Trojan Source (CVE-2021-42574) for why bidi overrides matter."""
    if text.isprintable():
        return text
    out: list[str] = []
    n = len(text)
    for i, ch in enumerate(text):
        if ch in "\n\t" or ch.isprintable():
            out.append(ch)
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"):
            if ch in _JOINERS and 0 < i < n - 1 and _in_word(text[i - 1]) and _in_word(text[i + 1]):
                out.append(ch)
            else:
                out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)  # e.g. a space separator other than U+0020: prints as a space
    return "".join(out)


def literal(value: object) -> str:
    """``value`` as text that Rich prints exactly as given, inside a markup string or a table cell.

    ``None`` becomes ``""``; anything else is ``str()``-ed, terminal controls and invisible
    characters are made visible (:func:`visible_controls`), and every markup-like ``[...]``
    (and a trailing backslash) is escaped with :func:`rich.markup.escape`."""
    return "" if value is None else escape(visible_controls(str(value)))


def fail(code: ExitCode, reason: str) -> typer.Exit:
    """Print ``error: <reason>`` (literal text) on stderr and return the ``typer.Exit`` to raise."""
    err_console.print(f"[bold red]error:[/] {literal(reason)}", highlight=False, soft_wrap=True)
    return typer.Exit(int(code))


def config_path(ctx: typer.Context | None, override: Path | None = None) -> Path:
    """The config file a sub-command reads: ``override`` (the command's own ``--config``), else the
    root command's ``--config`` (main.py's, which already falls back to DRAFTGUARD_CONFIG), else
    the DRAFTGUARD_CONFIG environment variable, else ``config.toml`` (relative to the working
    directory). Reads nothing from disk."""
    if override is not None:
        return override
    root = ctx.find_root() if ctx is not None else None
    value = root.params.get("config") if root is not None else None
    return Path(value or os.environ.get("DRAFTGUARD_CONFIG") or "config.toml")
