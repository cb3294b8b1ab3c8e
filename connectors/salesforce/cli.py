"""``main.py salesforce check``: sign in to each configured org and report what draftguard needs.

For every ``[[sources.salesforce]]`` entry: the sign-in (flow, instance), the API version
(configured, and whether the org offers it: ``GET /services/data/``), the remaining daily
API calls (from the ``Sforce-Limit-Info`` header of those answers), and for each object and
field the connector reads or writes whether the signed-in user can read it (present in
``sobjects/{Object}/describe``: fields hidden by field-level security are left out of the
describe result) and write it (``createable`` / ``updateable``) [REST API Developer Guide,
"sObject Describe"]. Exit code 0 when everything is in place, 1 when something is missing
or the sign-in fails, 2 for a bad config.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from agent.config import SalesforceSourceConfig, Settings, load_config
from agent.errors import DraftguardError
from agent.exit_codes import ExitCode
from agent.terminal import config_path, fail, literal, out_console
from connectors.salesforce import soql
from connectors.salesforce.auth import SalesforceClient
from connectors.salesforce.soql import EMAIL_FIELDS

app = typer.Typer(help="Salesforce connector: check sign-in, API limits and field access.", no_args_is_help=True)

#: parent relationships on Case whose fields may appear in the allow-list
_CASE_PARENTS = {"Account": "Account", "Contact": "Contact", "RecordType": "RecordType"}


@dataclass
class Need:
    """One field the connector uses: ``mode`` is ``"read"``, ``"create"`` or ``"update"``."""

    sobject: str
    field: str
    mode: str
    why: str


def needs(cfg: SalesforceSourceConfig, settings: Settings | None = None) -> list[Need]:
    """Every (object, field, access) the connector needs for this config and the routing rules."""
    out: list[Need] = []
    for f in soql.case_select_fields(cfg):
        parts = f.split(".")
        if len(parts) == 1:
            out.append(Need("Case", f, "read", "poll"))
        elif parts[0] in _CASE_PARENTS:
            out.append(Need(_CASE_PARENTS[parts[0]], parts[1], "read", f"poll ({f})"))
    for f in EMAIL_FIELDS:
        out.append(Need("EmailMessage", f, "read", "poll"))
    for f in soql.COMMENT_FIELDS:
        out.append(Need("CaseComment", f, "read", "poll"))
    if cfg.reply_mode == "email_draft":
        write = ["ParentId", "Status", "Incoming", "Subject", "TextBody", "HtmlBody", "ToAddress", "CcAddress", "ReplyToEmailMessageId"]
        if cfg.from_address:
            write.append("FromAddress")
        if cfg.idempotency_field:
            write.append(cfg.idempotency_field)
            out.append(Need("EmailMessage", cfg.idempotency_field, "read", "look before write"))
        out += [Need("EmailMessage", f, "create", "draft") for f in write]
    else:
        out += [Need("CaseComment", f, "create", "internal comment") for f in ("ParentId", "CommentBody", "IsPublished")]
    if cfg.queues:
        out += [Need("Group", f, "read", "queue filter") for f in ("Id", "DeveloperName", "Type")]
    if cfg.record_types:
        out.append(Need("RecordType", "DeveloperName", "read", "record type filter"))
    actions: dict[str, str] = {}
    if settings is not None:
        for rule in settings.routing.rules:
            actions.update(rule.case_actions)
    for k in sorted(actions):
        if k == "owner_queue":
            out.append(Need("Case", "OwnerId", "update", "case action owner_queue"))
            out += [Need("Group", f, "read", "case action owner_queue") for f in ("Id", "DeveloperName", "Type")]
        elif k == "chatter_post":
            out += [Need("FeedItem", f, "create", "case action chatter_post") for f in ("ParentId", "Body", "Type")]
            out.append(Need("FeedItem", "Body", "read", "case action chatter_post"))
        else:
            out.append(Need("Case", k, "update", f"case action {k}"))
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for n in out:
        if (n.sobject, n.field, n.mode) not in seen:
            seen.add((n.sobject, n.field, n.mode))
            unique.append(n)
    return unique


def check_source(cfg: SalesforceSourceConfig, settings: Settings | None, console: Console, *, client: SalesforceClient | None = None) -> bool:
    """Run the check for one org, print the report, return True when nothing is missing."""
    name = f"salesforce:{cfg.name}"
    client = client or SalesforceClient(cfg, source_name=name)
    console.print(f"[bold]{literal(name)}[/] " + literal(f"({cfg.domain}, {cfg.auth_flow})"))
    try:
        try:
            sf = client.call(lambda s: s, sobject="(sign-in)", action="sign in")
        except DraftguardError as exc:
            console.print(f"  [red]sign-in failed:[/] {literal(exc)}")
            return False
        console.print(literal(f"  signed in: instance https://{sf.sf_instance}"))
        ok = True
        versions = client.raw_call(lambda s: s.session.get(f"https://{s.sf_instance}/services/data/").json())
        offered = sorted((v.get("version", "") for v in versions), key=lambda v: float(v or 0))
        if cfg.api_version in offered:
            console.print(literal(f"  API version: v{cfg.api_version} (org offers up to v{offered[-1]})"))
        else:
            ok = False
            console.print(f"  [red]API version v{cfg.api_version} not offered[/] " + literal(f"(org offers {', '.join(offered)})"))
        describes: dict[str, Any] = {}
        rows = []
        for need in needs(cfg, settings):
            if need.sobject not in describes:
                try:
                    describes[need.sobject] = client.call(
                        lambda s, o=need.sobject: getattr(s, o).describe(), sobject=need.sobject, action="describe"
                    )
                except DraftguardError as exc:
                    describes[need.sobject] = exc
            d = describes[need.sobject]
            if isinstance(d, DraftguardError):
                rows.append((need, False, False, f"describe failed: {d}"))
                ok = False
                continue
            fields = {f["name"].lower(): f for f in d.get("fields", [])}
            f = fields.get(need.field.lower())
            readable = f is not None
            writable = bool(f and (f.get("createable") if need.mode == "create" else f.get("updateable")))
            good = readable if need.mode == "read" else writable
            note = ""
            if f is None:
                note = "not visible (missing, or hidden by field-level security)"
            elif need.mode != "read" and not writable:
                note = f"not {'createable' if need.mode == 'create' else 'updateable'}"
            elif need.field == cfg.idempotency_field and need.mode == "read" and not (f.get("externalId") and f.get("filterable")):
                good, note = False, "should be an External ID (indexed, filterable) text field"
            ok = ok and good
            rows.append((need, readable, writable, note))
        table = Table(show_edge=False)
        for col in ("object", "field", "needed for", "access", "readable", "writable", "ok"):
            table.add_column(col)
        for need, readable, writable, note in rows:
            mark = "[green]yes[/]" if (readable if need.mode == "read" else writable) and not note else f"[red]no[/] {literal(note)}"
            w = "-" if need.mode == "read" else ("yes" if writable else "no")
            table.add_row(literal(need.sobject), literal(need.field), literal(need.why), need.mode, "yes" if readable else "no", w, mark)
        console.print(table)
        for need, _readable, _writable, note in rows:
            if note:
                console.print(f"  [red]missing:[/] {literal(f'{need.sobject}.{need.field} ({need.mode}, {need.why}): {note}')}", highlight=False)
        usage = client.tracker.last
        if usage is not None:
            console.print(f"  daily API calls: {usage.used} used of {usage.total}, {usage.remaining} remaining (Sforce-Limit-Info)")
        else:
            console.print("  daily API calls: unknown (no Sforce-Limit-Info header seen)")
        console.print("  [green]ready[/]" if ok else "  [red]not ready: see the rows marked no[/]")
        return ok
    finally:
        client.close()


@app.command()
def check(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option("--config", "-c", help="TOML config (default: the main --config).")] = None,
    source: Annotated[list[str] | None, typer.Option("--source", "-s", help="Only the salesforce source with this name (repeatable).")] = None,
) -> None:
    """Sign in to each configured org; report API version, remaining daily API calls and field access."""
    console = out_console
    try:
        settings = load_config(config_path(ctx, config))
    except DraftguardError as exc:
        raise fail(ExitCode.USAGE, str(exc)) from None
    cfgs = [c for c in settings.sources.salesforce if not source or c.name in source or f"salesforce:{c.name}" in source]
    if not cfgs:
        raise fail(ExitCode.USAGE, "no [[sources.salesforce]] entries to check; docs/salesforce.md explains the connected app and the keys to add")
    results = [check_source(c, settings, console) for c in cfgs]
    raise typer.Exit(ExitCode.OK if all(results) else ExitCode.FAILED)
