"""``main.py outlook check`` and ``main.py outlook login``.

``check`` signs in for every ``[[sources.outlook]]`` entry and, per mailbox, reports whether
draftguard can read the Inbox (``GET /users/{m}/mailFolders/Inbox/messages?$top=1`` through
O365's ``MailBox.inbox_folder().get_messages``) and write to Drafts (O365 creates a small
draft with ``POST /users/{m}/mailFolders/Drafts/messages`` and deletes it again). Typical
failures: ``401``/``invalid_client`` (wrong secret), ``403 ErrorAccessDenied`` (permission
not granted, or the mailbox is outside the Exchange application access policy). Exit code 0
when every mailbox passes, 1 otherwise, 2 for a bad config.

``login`` runs the device code flow for ``auth_flow = "device_code"`` entries and stores the
tokens in the database (``kv_store``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from agent.config import OutlookSourceConfig, load_config
from agent.errors import DraftguardError
from agent.exit_codes import ExitCode
from agent.terminal import fail, literal, out_console

app = typer.Typer(help="Outlook connector: check mailbox access, sign in with a device code.", no_args_is_help=True)


@dataclass
class MailboxCheck:
    """The result for one mailbox: ``read_inbox`` / ``write_drafts`` True, False, or None (not tried)."""

    source: str
    mailbox: str
    signed_in: bool
    read_inbox: bool | None = None
    write_drafts: bool | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.signed_in and bool(self.read_inbox) and bool(self.write_drafts)


def _why(exc: BaseException) -> str:
    from connectors.outlook.source import _describe

    return _describe(exc)


def check_mailboxes(cfg: OutlookSourceConfig, account: Any) -> list[MailboxCheck]:
    """Sign in once, then test reading the Inbox and writing Drafts for each mailbox."""
    name = f"outlook:{cfg.name}"
    try:
        account.con.acquire_token()
    except Exception as exc:  # noqa: BLE001 - reported per mailbox
        return [MailboxCheck(name, m, signed_in=False, error=_why(exc)) for m in cfg.mailboxes]
    out = []
    for m in cfg.mailboxes:
        res = MailboxCheck(name, m, signed_in=True)
        mailbox = account.mailbox(resource=m)
        try:
            list(mailbox.inbox_folder().get_messages(limit=1))
            res.read_inbox = True
        except Exception as exc:  # noqa: BLE001
            res.read_inbox = False
            res.error = f"read Inbox: {_why(exc)}"
        try:
            msg = mailbox.new_message()
            msg.subject = "draftguard access check (safe to delete)"
            msg.body = "<p>draftguard checked that it can write to Drafts. This draft is deleted at once.</p>"
            msg.categories = [cfg.category]
            if not msg.save_draft():
                raise RuntimeError("Graph refused the draft")
            msg.delete()
            res.write_drafts = True
        except Exception as exc:  # noqa: BLE001
            res.write_drafts = False
            res.error = (res.error + "; " if res.error else "") + f"write Drafts: {_why(exc)}"
        out.append(res)
    return out


def _config_path(ctx: typer.Context, config: Path | None) -> Path:
    if config is not None:
        return config
    root = ctx.find_root()
    value = root.params.get("config") if root is not None else None
    return Path(value) if value else Path("config.toml")


def _open(ctx: typer.Context, config: Path | None):
    from storage.db import open_database

    try:
        settings = load_config(_config_path(ctx, config))
    except DraftguardError as exc:
        raise fail(ExitCode.USAGE, str(exc)) from None
    if not settings.sources.outlook:
        raise fail(ExitCode.USAGE, "no [[sources.outlook]] entries in the config")
    engine, sf = open_database(settings.storage_url())
    return settings, engine, sf


def _mark(v: bool | None) -> str:
    return "-" if v is None else ("yes" if v else "[red]no[/]")  # markup: ours


@app.command()
def check(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option("--config", "-c", help="TOML config (default: the main --config).")] = None,
) -> None:
    """Sign in and report, per mailbox, whether draftguard can read the Inbox and write Drafts."""
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
    for col in ("source", "mailbox", "signed in", "read Inbox", "write Drafts", "problem"):
        t.add_column(col, overflow="fold")
    for r in results:
        t.add_row(literal(r.source), literal(r.mailbox), _mark(r.signed_in), _mark(r.read_inbox), _mark(r.write_drafts), literal(r.error))
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
        raise fail(ExitCode.USAGE, 'no [[sources.outlook]] entry with auth_flow = "device_code"')
    try:
        for cfg in cfgs:
            try:
                user = device_code_login(cfg, SqlKeyValueStore(sf, TOKEN_NAMESPACE), show=console.print)
            except DraftguardError as exc:
                raise fail(ExitCode.FAILED, f"outlook:{cfg.name}: {exc}") from None
            console.print(literal(f"outlook:{cfg.name}: signed in as {user or 'the user'}; tokens stored in the database"))
    finally:
        engine.dispose()
