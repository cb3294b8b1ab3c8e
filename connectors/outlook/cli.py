"""``main.py outlook check`` and ``main.py outlook login``.

``check`` signs in for every ``[[sources.outlook]]`` entry and, per mailbox, makes the
requests poll and delivery make: the Inbox delta, a createReply carrying draftguard's
extended property, the ``$filter`` on that property; the probe draft is then deleted
permanently, so nothing is left in any folder (:mod:`connectors.outlook.access_check`).
Typical failures: ``401``/``invalid_client`` (wrong secret), ``403 ErrorAccessDenied``
(permission not granted, or the mailbox is outside the Exchange application access policy).
Exit code 0 when every mailbox passes, 1 otherwise, 2 for a bad config.

``login`` runs the device code flow for ``auth_flow = "device_code"`` entries and stores the
tokens in the database (``kv_store``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from agent.config import load_config
from agent.errors import DraftguardError, StorageError
from agent.exit_codes import ExitCode
from agent.terminal import config_path, fail, literal, out_console

app = typer.Typer(help="Outlook connector: check mailbox access, sign in with a device code.", no_args_is_help=True)


def _open(ctx: typer.Context, config: Path | None):
    from storage.db import open_database

    try:
        settings = load_config(config_path(ctx, config))
    except DraftguardError as exc:
        raise fail(ExitCode.USAGE, str(exc)) from None
    if not settings.sources.outlook:
        raise fail(ExitCode.USAGE, f"{config_path(ctx, config)}: no [[sources.outlook]] entries; docs/outlook.md explains the app registration and the keys to add")
    try:
        engine, sf = open_database(settings.storage_url())
    except StorageError as exc:
        raise fail(ExitCode.STORAGE, str(exc)) from None
    return settings, engine, sf


def _mark(v: bool | None) -> str:
    return "-" if v is None else ("yes" if v else "[red]no[/]")  # markup: ours


@app.command()
def check(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option("--config", "-c", help="TOML config (default: the main --config).")] = None,
) -> None:
    """Sign in and check, per mailbox, the Inbox delta, a reply draft with draftguard's key and the look-up by key (the probe is deleted)."""
    from connectors.outlook.access_check import MailboxCheck, check_mailboxes
    from connectors.outlook.auth import build_account
    from connectors.outlook.source import TOKEN_NAMESPACE
    from storage.repository import SqlKeyValueStore

    settings, engine, sf = _open(ctx, config)
    console = out_console
    results: list[MailboxCheck] = []
    try:
        for cfg in settings.sources.outlook:
            try:
                account = build_account(cfg, SqlKeyValueStore(sf, TOKEN_NAMESPACE))
            except DraftguardError as exc:
                results += [MailboxCheck(f"outlook:{cfg.name}", m, signed_in=False, error=str(exc)) for m in cfg.mailboxes]
                continue
            results += check_mailboxes(cfg, account)
    finally:
        engine.dispose()
    t = Table(title="Outlook mailboxes")
    for col in ("source", "mailbox", "signed in", "read Inbox (delta)", "write Drafts (createReply)", "find by key", "problem"):
        t.add_column(col, overflow="fold")
    for r in results:
        t.add_row(literal(r.source), literal(r.mailbox), _mark(r.signed_in), _mark(r.read_inbox), _mark(r.write_drafts),
                  _mark(r.find_by_key), literal(r.error))
    console.print(t)
    raise typer.Exit(ExitCode.OK if results and all(r.ok for r in results) else ExitCode.FAILED)


@app.command()
def login(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option("--config", "-c", help="TOML config (default: the main --config).")] = None,
    source: Annotated[str | None, typer.Option("--source", "-s", help="Only this \\[\\[sources.outlook]] name.")] = None,
) -> None:
    """Delegated access: sign in with a device code; tokens are kept in the database."""
    from connectors.outlook.auth import device_code_login
    from connectors.outlook.source import TOKEN_NAMESPACE
    from storage.repository import SqlKeyValueStore

    settings, engine, sf = _open(ctx, config)
    console = out_console
    cfgs = [c for c in settings.sources.outlook if c.auth_flow == "device_code" and (source is None or c.name == source)]
    if not cfgs:
        engine.dispose()
        raise fail(ExitCode.USAGE, 'no [[sources.outlook]] entry with auth_flow = "device_code"; see docs/outlook.md (delegated access)')
    try:
        for cfg in cfgs:
            try:
                user = device_code_login(cfg, SqlKeyValueStore(sf, TOKEN_NAMESPACE), show=console.print)
            except DraftguardError as exc:
                raise fail(ExitCode.FAILED, f"outlook:{cfg.name}: {exc}") from None
            console.print(literal(f"outlook:{cfg.name}: signed in as {user or 'the user'}; tokens stored in the database"))
    finally:
        engine.dispose()
