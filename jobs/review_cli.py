"""``main.py review ...``: the reviewer commands (mounted by main.py as the ``review`` sub-app).

Items are addressed by item id (as in ``status``). The reviewer's name comes from
``--reviewer`` or the ``DRAFTGUARD_REVIEWER`` environment variable and is the actor of
the ``reviewed`` audit event. Exit codes as main.py: 0 ok, 1 delivery failed, 2 bad
usage/input, 4 storage unavailable.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel
from rich.table import Table

from agent.config import Settings, load_config
from agent.errors import DraftguardError
from agent.exit_codes import ExitCode
from agent.terminal import config_path, literal
from agent.terminal import fail as _fail
from agent.terminal import out_console as console

app = typer.Typer(help="Reviewer actions on escalated and held drafts: list, show, approve, reject, assign.", no_args_is_help=True)

ReviewerOpt = Annotated[str, typer.Option("--reviewer", "-r", envvar="DRAFTGUARD_REVIEWER", help="Your name, recorded in the audit chain (env DRAFTGUARD_REVIEWER).")]
ItemArg = Annotated[int, typer.Argument(help="Item id (see `review list`).")]


def _settings(ctx: typer.Context) -> Settings:
    try:
        return load_config(config_path(ctx))
    except DraftguardError as exc:
        raise _fail(ExitCode.USAGE, str(exc)) from None


def _database(settings: Settings):
    from agent.errors import StorageError
    from storage.db import open_database

    try:
        return open_database(settings.storage_url(), create=False, events_source=settings.events.source_prefix())
    except StorageError as exc:
        raise _fail(ExitCode.STORAGE, str(exc)) from None


def _age(dt: datetime | None) -> str:
    if dt is None:
        return "-"
    minutes = int((datetime.now(UTC) - dt).total_seconds() // 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    group: Annotated[str | None, typer.Option("--group", "-g", help="Only this reviewer group.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include approved and rejected reviews.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Escalated and held items waiting for a reviewer, oldest first."""
    from jobs.review import list_reviews

    settings = _settings(ctx)
    engine, sf = _database(settings)
    try:
        rows = list_reviews(sf, group=group, include_closed=all_)
    finally:
        engine.dispose()
    if as_json:
        print(json.dumps([{**r.__dict__, "created_at": r.created_at.isoformat() if r.created_at else None} for r in rows], indent=2))
        return
    if not rows:
        console.print("No reviews waiting." if not all_ else "No reviews.")
        return
    # One line per review (fits an 80-column terminal; `review show ITEM` has the details).
    console.print(f"[bold]Reviews ({len(rows)})[/]  item · state · group · rule · age · notified · reviewer — subject")
    for r in rows:
        notified = ("notified" + (f" +{r.reminders}" if r.reminders else "")) if r.notified else ("-" if r.task_id is None else "pending")
        line = f"{r.item_id:>5}  {r.state:<9} {r.group or '-'}  {r.rule_id or '-'}  {_age(r.created_at)}  {notified}  {r.reviewer or '-'} — {r.subject or '-'}"
        console.print(literal(line), highlight=False, overflow="ellipsis", no_wrap=True)


@app.command("show")
def show_cmd(ctx: typer.Context, item_id: ItemArg, as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """Why the item was escalated or held, its risk assessment, draft, findings and audit history."""
    from jobs.review import ReviewError, show_review
    from jobs.risk_view import print_risk

    settings = _settings(ctx)
    engine, sf = _database(settings)
    try:
        d = show_review(sf, item_id)
    except ReviewError as exc:
        raise _fail(ExitCode.USAGE, str(exc)) from None
    finally:
        engine.dispose()
    if as_json:
        out = {k: v for k, v in d.__dict__.items() if k != "row"}
        out["row"] = {**d.row.__dict__, "created_at": d.row.created_at.isoformat() if d.row.created_at else None}
        print(json.dumps(out, indent=2, ensure_ascii=False, default=str))
        return
    r = d.row
    head = Table.grid(padding=(0, 1))
    head.add_column(style="bold")
    head.add_column()
    head.add_row("Item", literal(f"{r.item_id} ({r.state}) from {r.source}"))
    head.add_row("Subject", literal(r.subject or "-"))
    head.add_row("Group / rule", literal(f"{r.group or '-'} / {r.rule_id or '-'}"))
    if d.decision:
        reasons = "; ".join(r.removeprefix(f"rule {d.decision['rule_id']}: ") for r in d.decision["reasons"] or [])
        head.add_row("Decision", literal(f"{d.decision['action']} by rule {d.decision['rule_id']}" + (f": {reasons}" if reasons else "")))
    if d.draft:
        head.add_row("Draft", literal(f"#{d.draft['id']} {d.draft['provider']} {d.draft['model']} prompt {d.draft['prompt_template_id']} intent {d.draft['intent']} confidence {d.draft['confidence']:.2f}"))
    if d.link:
        head.add_row("Original", literal(d.link))
    if r.task_id:
        head.add_row("Review task", literal(f"#{r.task_id} {r.task_status}" + (f" by {r.reviewer}" if r.reviewer else "") + (f"; notified{' +' + str(r.reminders) + ' reminders' if r.reminders else ''}" if r.notified else "; not notified yet")))
    if d.notify_error:
        head.add_row("Last notify error", literal(d.notify_error))
    if d.reason:
        head.add_row("Reason", literal(d.reason))
    if d.draft and d.draft.get("grounding"):
        from agent.grounding import citation_lines

        g = d.draft["grounding"]
        head.add_row("Sources cited", literal("\n".join(citation_lines(g)) or "none"))
        b = g.get("budget") or {}
        if b:
            head.add_row("Token budget", literal(f"{b.get('used')} of {b.get('budget')} ({b.get('model')}); {b.get('thread_cut', 0)} earlier message(s) and {len(b.get('snippets_cut') or [])} snippet(s) cut"))
    console.print(head)
    print_risk(console, d.risk)
    if d.findings:
        ft = Table(title="Findings")
        for col in ("rule", "severity", "target", "message"):
            ft.add_column(col, overflow="fold")
        for f in d.findings:
            ft.add_row(*(literal(f[k]) for k in ("rule_id", "severity", "target", "message")))
        console.print(ft)
    if d.draft_text:
        console.print(Panel(literal(d.draft_text), title="Draft", expand=False), highlight=False)
    elif d.draft and d.draft["purged"]:
        console.print("Draft body purged by retention.")
    ht = Table(title="History")
    for col in ("seq", "time", "event", "actor"):
        ht.add_column(col)
    for h in d.history:
        ht.add_row(str(h["seq"]), literal(str(h["ts"])[:19]), literal(h["event"]), literal(h["actor"]))
    console.print(ht)


@app.command("approve")
def approve_cmd(
    ctx: typer.Context,
    item_id: ItemArg,
    reviewer: ReviewerOpt,
    edited: Annotated[Path | None, typer.Option("--edited", help="A UTF-8 text file with your edited draft: it is delivered instead (the original is kept; the audit chain holds both hashes).")] = None,
) -> None:
    """Deliver the held/escalated draft (or your edited text) to its mailbox or case, and close the review."""
    from jobs.bootstrap import bootstrap
    from jobs.review import ReviewError, approve, runtime_deliver

    edited_text = None
    if edited is not None:
        try:
            edited_text = edited.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise _fail(ExitCode.USAGE, f"--edited {edited}: cannot read it as UTF-8 text ({exc})") from None
    settings = _settings(ctx)
    from agent.errors import StorageError

    try:
        rt = bootstrap(settings)
    except StorageError as exc:
        raise _fail(ExitCode.STORAGE, str(exc)) from None
    except DraftguardError as exc:
        raise _fail(ExitCode.USAGE, str(exc)) from None

    try:
        res = approve(rt.session_factory, item_id, reviewer, deliver=runtime_deliver(rt), edited_text=edited_text)
    except ReviewError as exc:
        raise _fail(ExitCode.FAILED if "delivery failed" in str(exc) else ExitCode.USAGE, str(exc)) from None
    except DraftguardError as exc:
        raise _fail(ExitCode.FAILED, f"item {item_id}: {exc}") from None
    finally:
        rt.close()
    console.print(literal(f"item {res.item_id} approved by {reviewer}: draft delivered ({res.state})"), highlight=False)


@app.command("reject")
def reject_cmd(
    ctx: typer.Context,
    item_id: ItemArg,
    reason: Annotated[str, typer.Option("--reason", help="Why the draft is rejected (kept with the review; the audit chain holds its hash).")],
    reviewer: ReviewerOpt,
) -> None:
    """Reject the draft: it is never delivered; the reason is recorded."""
    from jobs.review import ReviewError, reject

    settings = _settings(ctx)
    engine, sf = _database(settings)
    try:
        res = reject(sf, item_id, reviewer, reason)
    except ReviewError as exc:
        raise _fail(ExitCode.USAGE, str(exc)) from None
    finally:
        engine.dispose()
    console.print(literal(f"item {res.item_id} rejected by {reviewer}"), highlight=False)


@app.command("assign")
def assign_cmd(
    ctx: typer.Context,
    item_id: ItemArg,
    group: Annotated[str, typer.Argument(help="Reviewer group (see \\[\\[reviewer_groups]] in the config).")],
    reviewer: ReviewerOpt,
) -> None:
    """Hand the review to another group (it is notified again), or escalate a held item to it."""
    from jobs.review import ReviewError, assign

    settings = _settings(ctx)
    engine, sf = _database(settings)
    try:
        res = assign(sf, settings, item_id, group, reviewer)
    except ReviewError as exc:
        raise _fail(ExitCode.USAGE, str(exc)) from None
    finally:
        engine.dispose()
    console.print(literal(f"item {res.item_id} assigned to {group} by {reviewer} (review task #{res.task_id}); the group is notified on the next run"), highlight=False)
