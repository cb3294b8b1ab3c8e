"""``main.py kb ...``: index the knowledge folders, search them (mounted by main.py; docs/knowledge.md).

* ``kb index``: bring the index in step with ``[knowledge] folders`` (progress bar), print the
  counts (added, updated, removed, unchanged, failed) and each failed file with its reason;
  exit 1 when a file failed, 2 for a missing folder or no folders configured, 4 when the
  database cannot be opened.
* ``kb search "question" [-k 3] [--language de] [--json]``: the snippets a draft would be
  grounded on: id, title, score, link and a preview of the text (article text is shown
  literally: it may hold anything).
"""

from __future__ import annotations

import json
import unicodedata
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from agent.config import Settings
from agent.errors import DraftguardError, StorageError
from agent.exit_codes import ExitCode
from agent.terminal import err_console as err
from agent.terminal import fail, literal
from agent.terminal import out_console as console
from jobs.review_cli import _settings

app = typer.Typer(help="The knowledge base drafts are grounded on (docs/knowledge.md): index, search.", no_args_is_help=True)

#: characters of a snippet's text shown by ``kb search`` (``--json`` gives the whole text)
PREVIEW_CHARS = 240


def _open(settings: Settings, *, create: bool):
    from storage.db import open_database

    try:
        return open_database(settings.storage_url(), create=create, events_source=settings.events.source_prefix())
    except StorageError as exc:
        raise fail(ExitCode.STORAGE, str(exc)) from None


def _json_safe(text: str) -> str:
    """JSON text with every invisible or terminal-control character written as a ``\\uXXXX``
    escape: the same JSON value, but nothing in it acts on the terminal it is printed to."""
    return "".join(
        f"\\u{ord(ch):04x}" if ord(ch) > 0x7E and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Co", "Cn") else ch
        for ch in text
    )


@app.command("index")
def index_cmd(ctx: typer.Context) -> None:
    """Index the [knowledge] folders: new and changed files are (re-)chunked, removed ones deleted, unchanged ones left alone."""
    from kb.index import discover, index_knowledge

    settings = _settings(ctx)
    cfg = settings.knowledge
    if not cfg.folders:
        raise fail(ExitCode.USAGE, "no knowledge folders: set [knowledge] folders = [\"path/to/articles\"] in the config")
    try:
        total = len(discover(cfg, settings.base_dir))  # a missing folder stops here, before the database is touched
    except DraftguardError as exc:
        raise fail(ExitCode.USAGE, str(exc)) from None
    engine, sf = _open(settings, create=True)
    try:
        with Progress(TextColumn("indexing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      TextColumn("{task.description}"), console=err, transient=True) as bar:
            task = bar.add_task("", total=total)

            def on_file(done: int, all_: int, path: str) -> None:
                bar.update(task, completed=done, total=all_, description=literal(path[-60:]))

            report = index_knowledge(sf, cfg, settings.base_dir, on_file=on_file)
    except DraftguardError as exc:
        raise fail(ExitCode.USAGE, str(exc)) from None
    finally:
        engine.dispose()
    c = report.counts()
    console.print(f"knowledge base: {c['added']} added, {c['updated']} updated, {c['removed']} removed, "
                  f"{c['unchanged']} unchanged, {c['failed']} failed", highlight=False)
    for path, reason in report.errors:
        console.print(f"  failed: {literal(path)}: {literal(reason)}", highlight=False, soft_wrap=True)
    if report.errors:
        raise typer.Exit(int(ExitCode.FAILED))


@app.command("search")
def search_cmd(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="A question or a client's message.")],
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=50, help="How many snippets.")] = 3,
    language: Annotated[str | None, typer.Option("--language", "-l", help="The client's language (ISO 639-1); default: identified from the question.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output (whole snippet texts).")] = False,
) -> None:
    """Show the snippets a draft for QUESTION would be grounded on (ids to cite, titles, scores, text)."""
    from sqlalchemy.exc import OperationalError

    from kb.retrieve import retrieve

    settings = _settings(ctx)
    if language is not None and not (len(language) == 2 and language.isalpha()):
        raise fail(ExitCode.USAGE, f"--language {language[:20]!r} is not a two-letter language code such as en, de or fr")
    engine, sf = _open(settings, create=False)
    try:
        snippets = retrieve(sf, question, k=k, language=language)
    except OperationalError as exc:
        raise fail(ExitCode.STORAGE, f"knowledge search failed: {str(exc.orig).strip().splitlines()[0]}") from None
    finally:
        engine.dispose()
    if as_json:
        typer.echo(_json_safe(json.dumps([s.__dict__ for s in snippets], ensure_ascii=False, indent=2)))
        return
    if not snippets:
        console.print("no snippets match (is the knowledge base indexed? `main.py kb index`)", highlight=False)
        return
    table = Table(show_lines=True)
    for col in ("snippet", "title", "score", "text"):
        table.add_column(col, overflow="fold")
    for s in snippets:
        preview = " ".join(s.text.split())
        preview = preview if len(preview) <= PREVIEW_CHARS else preview[: PREVIEW_CHARS - 1] + "…"
        title = s.title + (f"\n{s.url}" if s.url else "") + f"\n{s.source_path}"
        table.add_row(literal(s.id), literal(title), f"{s.score:.3f}", literal(preview))
    console.print(table)
