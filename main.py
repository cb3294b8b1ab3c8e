"""draftguard command line.

Exit codes (every command): :class:`agent.exit_codes.ExitCode` (0 ok; 1 a run finished but a
source failed; 2 bad usage, config or input, one-line reason on stderr; 3 audit chain broken;
4 storage unavailable; 5 another run holds the run lock).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from agent.config import Settings, load_config
from agent.errors import DraftguardError, StorageError
from agent.exit_codes import ExitCode, summary
from agent.terminal import err_console as err
from agent.terminal import fail, literal
from agent.terminal import out_console as console
from connectors.outlook import cli as outlook_cli
from connectors.salesforce import cli as salesforce_cli
from console import cli as console_cli
from jobs import events_cli, review_cli, worker_cli
from jobs.variants_cli import app as variants_app
from kb import cli as kb_cli

app = typer.Typer(
    help="draftguard: governed AI reply drafts for Outlook, Salesforce and Maildir. Never sends mail.",
    epilog=f"Exit codes: {summary()}.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",  # help texts name config tables ("[distributed] enabled"): shown as written, not read as Rich markup
)
audit_app = typer.Typer(help="Check and export the tamper-evident audit chain.", no_args_is_help=True, rich_markup_mode="markdown")
config_app = typer.Typer(help="Validate configuration files.", no_args_is_help=True, rich_markup_mode="markdown")
quarantine_app = typer.Typer(help="Inspect and release quarantined items.", no_args_is_help=True, rich_markup_mode="markdown")
app.add_typer(audit_app, name="audit")
app.add_typer(config_app, name="config")
app.add_typer(quarantine_app, name="quarantine")
app.add_typer(review_cli.app, name="review")
app.add_typer(variants_app, name="variants")  # issue 15: docs/release.md
app.add_typer(events_cli.app, name="events")
app.add_typer(outlook_cli.app, name="outlook")
app.add_typer(salesforce_cli.app, name="salesforce")
app.add_typer(kb_cli.app, name="kb")
app.command("serve")(console_cli.serve)
app.command("worker")(worker_cli.worker)

ConfigOpt = Annotated[
    Path,
    typer.Option("--config", "-c", envvar="DRAFTGUARD_CONFIG", help="TOML config file (env DRAFTGUARD_CONFIG).", show_default=True),
]


class LogFormat(StrEnum):
    """Values of ``run --log-format`` (see :class:`agent.config.ObservabilityConfig`)."""

    auto = "auto"
    json = "json"
    console = "console"


class _State:
    config_path: Path = Path("config.toml")


STATE = _State()


@app.callback()
def _root(config: ConfigOpt = Path("config.toml"), verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log INFO to stderr.")] = False) -> None:
    STATE.config_path = config
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one INFO line per plugin and migration check


def _settings() -> Settings:
    try:
        return load_config(STATE.config_path)
    except DraftguardError as exc:
        raise fail(ExitCode.USAGE, str(exc)) from None


def _runtime(settings: Settings):
    from jobs.bootstrap import bootstrap

    try:
        return bootstrap(settings)
    except StorageError as exc:
        raise fail(ExitCode.STORAGE, str(exc)) from None
    except DraftguardError as exc:
        raise fail(ExitCode.USAGE, str(exc)) from None


def _database(settings: Settings, *, create: bool = False):
    """(engine, session factory) for read-only commands; exit 4 with the reason when it cannot open."""
    from storage.db import open_database

    try:
        return open_database(settings.storage_url(), create=create, events_source=settings.events.source_prefix())
    except StorageError as exc:
        raise fail(ExitCode.STORAGE, str(exc)) from None


# ---------------------------------------------------------------------------- run
@contextmanager
def _run_lock(settings: Settings) -> Iterator[None]:
    """Hold the database's run lock (``jobs.scheduler.make_run_lock``) for the block.

    Taken on its own engine before the database is opened and migrated, so two runs started
    together never race on the schema. Exits 5 (``LOCKED``) when another run holds it, 4 when
    the storage URL is bad or the server cannot be reached."""
    from sqlalchemy.exc import OperationalError

    from jobs.scheduler import LockHeld, make_run_lock
    from storage.db import check_storage_url, make_engine

    url = settings.storage_url()
    try:
        shown = check_storage_url(url).render_as_string(hide_password=True)
        engine = make_engine(url)
    except StorageError as exc:
        raise fail(ExitCode.STORAGE, str(exc)) from None
    lock = make_run_lock(engine)
    try:
        lock.acquire()  # one run per database, --once included: never two processes on one item
    except LockHeld as exc:
        engine.dispose()
        raise fail(ExitCode.LOCKED, str(exc)) from None
    except OperationalError as exc:
        engine.dispose()
        raise fail(ExitCode.STORAGE, f"storage {shown} unavailable: {str(exc.orig).strip().splitlines()[0]}") from None
    try:
        yield
    finally:
        lock.release()
        engine.dispose()


@app.command()
def run(
    once: Annotated[bool, typer.Option("--once", help="Poll every source once, print a summary and exit.")] = False,
    source: Annotated[list[str] | None, typer.Option("--source", "-s", help="Only this source (repeatable).")] = None,
    wait: Annotated[bool, typer.Option("--wait", help="Without --once: if another run holds the database lock, wait for it instead of exiting (exit 5).")] = False,
    log_format: Annotated[
        LogFormat | None,
        typer.Option("--log-format", help="Service logs: auto (readable on a terminal, JSON lines otherwise), json or console. Default: the config's observability.log_format."),
    ] = None,
) -> None:
    """Poll the configured sources and process new messages (forever, or once with --once)."""
    settings = _settings()
    if log_format is not None:
        settings.observability.log_format = log_format.value
    if not once:
        from jobs.scheduler import run_forever

        raise typer.Exit(run_forever(settings, wait=wait))
    from agent.pipeline import RunSummary

    total = RunSummary()
    failed: list[str] = []
    storage_failed: str | None = None
    with _run_lock(settings):  # before anything touches the schema: a second run exits 5 at once
        rt = _runtime(settings)
        from jobs.run_report import audit_mark, run_details

        mark = audit_mark(rt.session_factory)  # the items this run touches are named by later events
        try:
            try:
                sources = [rt.source(n) for n in source] if source else rt.sources
            except KeyError as exc:
                raise fail(ExitCode.USAGE, exc.args[0]) from None
            if not sources:
                raise fail(ExitCode.USAGE, f"{STATE.config_path}: no sources configured ([[sources.maildir]], ...)")
            from kb.refresh import changed, failure_lines, refresh_before_run, summary_line

            try:  # the knowledge index in step before polling (kb/refresh.py): drafts ground on the current articles
                kb_report = refresh_before_run(rt.session_factory, settings.knowledge, settings.base_dir, err)
            except DraftguardError as exc:  # a missing folder
                raise fail(ExitCode.USAGE, str(exc)) from None
            try:
                rt.pipeline.prepare()  # fail closed before any item: no analyzer, no run
            except DraftguardError as exc:
                raise fail(ExitCode.USAGE, str(exc)) from None
            with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=False) as progress:
                for src in sources:
                    task = progress.add_task(src.name, total=src.estimate())
                    try:
                        total.merge(rt.pipeline.run_source(src, on_item=lambda _o, t=task: progress.advance(t)))
                    except StorageError:
                        raise
                    except DraftguardError as exc:
                        failed.append(str(exc))  # SourceError names the source
                    progress.update(task, total=progress.tasks[task].completed)
            # Notifications left over (failed earlier, or a review reassigned): the outbox sends them now.
            from jobs.notifications import dispatch_pending

            outbox = dispatch_pending(rt.session_factory, rt.pipeline.notifier, settings, reminders=False)
            events = _relay_events(rt.session_factory, settings)
            details = run_details(rt.session_factory, mark)
        except StorageError as exc:  # database or disk full, server gone: no later write can succeed
            storage_failed = str(exc)
        finally:
            rt.close()
    if storage_failed is not None:
        raise fail(ExitCode.STORAGE, f"run stopped: {storage_failed}")
    _print_summary(total, details, any_failed=bool(failed))
    for pause in total.pauses.values():  # one line per paused source, every run while it lasts
        console.print(literal(pause.line()), highlight=False, soft_wrap=True)
    if total.model_line():
        console.print(total.model_line(), highlight=False, soft_wrap=True)
    if changed(kb_report):  # only when an article was added, changed, removed or failed
        console.print(summary_line(kb_report), highlight=False, soft_wrap=True)
    for line in failure_lines(kb_report):
        err.print(literal(line), highlight=False, soft_wrap=True)
    if outbox.sent or outbox.failed:
        console.print(f"Reviewer notifications from the outbox: {outbox.sent} sent, {outbox.failed} failed (kept for retry)")
    if events is not None:
        (err if events.error else console).print(literal(events.line()), highlight=False, soft_wrap=True)
    for f in failed:
        err.print(f"[bold red]source failed:[/] {literal(f)}", highlight=False)
    raise typer.Exit(ExitCode.FAILED if failed else ExitCode.OK)


def _relay_events(session_factory, settings: Settings):
    """With ``[events] enabled``: one relay pass (:func:`jobs.events_relay.relay`) at the end of
    ``run --once``, its report (a broker down is reported, not fatal: the rows are kept for the
    next run or ``events relay``); None when events are disabled."""
    if not settings.events.enabled:
        return None
    from jobs.events_relay import RelayReport, relay

    try:
        return relay(session_factory, settings.events)
    except DraftguardError as exc:  # no broker configured
        return RelayReport(error=str(exc))


def _print_summary(total, details, *, any_failed: bool = False) -> None:
    """The summary table, then what happened in words (:func:`jobs.run_report.summary_lines`).

    "Nothing new" is said only when every source was read and had nothing new: a failed source
    (named after the summary) was not read, so nothing can be said about its messages."""
    from agent.pipeline import STILL_QUARANTINED
    from jobs.run_report import summary_lines

    c = total.counts
    table = Table(title="draftguard run summary", show_header=False)
    table.add_column("outcome")
    table.add_column("count", justify="right")
    for label, n in (
        ("seen", total.seen),
        ("drafted", c["drafted"]),
        ("escalated", c["escalated"]),
        ("held", c["held"]),
        ("shadow (decided, nothing placed)", c["shadow"]),
        ("skipped", c["skipped"]),
        ("quarantined", c["quarantined"]),
        ("waiting (source paused)", c["paused"]),
        ("already done", c["duplicate"]),
        ("still in quarantine (seen again)", c[STILL_QUARANTINED]),
    ):
        table.add_row(label, str(n))
    table.add_row("time taken", f"{total.seconds:.1f} s")
    console.print(table)
    for line in summary_lines(c, details):
        console.print(literal(line), highlight=False, soft_wrap=True)
    if not total.seen and not total.pauses and not any_failed:
        # Maildir reads only files it has not seen before (connectors/maildir/seen.py)
        console.print("Nothing new: no new messages since the last run.")


# ---------------------------------------------------------------------------- draft
@app.command()
def draft(
    path: Annotated[Path, typer.Argument(help="An RFC 5322 message file (.eml).", exists=True, dir_okay=False, readable=True)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show every stage; write nothing (always so for a single file: the flag may be left out).")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Show the drafting stages even when a skip rule applies.")] = False,
    source: Annotated[str | None, typer.Option("--source", help="The configured source the file stands for (local or maildir:local); default: the first in the config.")] = None,
) -> None:
    """Show what draftguard would do with one message: redactions, prompt, draft, findings, risk, decision.

    Always a dry run (``--dry-run`` is accepted and changes nothing): nothing is written; a
    message is drafted for real only from a configured source (``run``).

    Follows the pipeline: a message a skip rule stops (unless the local risk signals make it
    must-review), or one that would be quarantined (empty or oversized body), is reported as
    such (exit 0 / exit 2). The facts are those of a configured source (--source, else the
    first; agent/preview.py), as the pipeline would see the message there."""
    del dry_run  # a single file is never drafted for real: put it in a configured source for that
    settings = _settings()
    from agent.errors import BadInputError
    from agent.preview import preview_source
    from connectors.maildir.parse import parse_message
    from jobs import risk_view
    from jobs.bootstrap import build_pipeline

    try:
        as_source = preview_source(settings, source)
    except DraftguardError as exc:
        raise fail(ExitCode.USAGE, str(exc)) from None
    try:
        msg = parse_message(path.read_bytes(), source=as_source, external_id=path.name, max_body_bytes=settings.limits.max_body_bytes)
    except BadInputError as exc:
        raise fail(ExitCode.USAGE, f"{path}: {exc.problem}") from None
    # A throwaway in-memory database: nothing is written anywhere.
    from storage.db import open_database

    engine, sf = open_database("sqlite://")
    kb_engine, grounder = _dry_run_grounder(settings)
    try:
        pipeline = build_pipeline(settings, sf, grounder=grounder)
        reason, check = pipeline.skip_check(msg)  # a must-review item is not skipped (agent/skip_guard.py)
        origin = {"source": as_source, "read_from": "file"}
        if reason and check.allowed and not force:
            if as_json:
                print(json.dumps({**origin, "skip": reason.model_dump(), "decision": {"action": "skip", "rule_id": reason.rule}}, indent=2))
            else:
                console.print(f"[bold]Decision:[/] skip (skip rule {reason.rule}: {literal(reason.detail)}); nothing would be drafted. --force shows the drafting stages anyway.", highlight=False)
            return
        if not settings.drafting_enabled(as_source) and not force:
            if as_json:
                print(json.dumps({**origin, "decision": {"action": "skip", "rule_id": "drafting_off"}}, indent=2))
            else:
                console.print(f"[bold]Decision:[/] skip ({literal(as_source)}: drafting = false); nothing would be drafted.", highlight=False)
            return
        try:
            pipeline.validate(msg)
        except BadInputError as exc:
            raise fail(ExitCode.USAGE, f"would be quarantined: {exc}") from None
        a = pipeline.analyse(msg)
    except DraftguardError as exc:
        raise fail(ExitCode.USAGE, str(exc)) from None
    finally:
        engine.dispose()
        if kb_engine is not None:
            kb_engine.dispose()
    report = {
        "message": {
            "subject_chars": len(msg.subject),
            "language": a.context.language,
            "attachments": len(msg.attachments),
            "body_chars": len(msg.text_body),
            "new_text_chars": len(a.context.latest_text),
            "cut_chars": a.context.cut_chars,  # quoted history, signature, text over the limit: never sent
            "shortened": a.context.shortened,
            "thread_messages": len(a.context.thread),
            **origin,
        },
        "skip": reason.model_dump() if reason else None,
        "skip_refused": check.line() if reason and not check.allowed else None,
        "redactions": [
            {"placeholder": ph, "entity": ph.strip("<>").rsplit("_", 1)[0], "detector": a.redacted.placeholders.detectors.get(ph, "")}
            for ph in a.redacted.placeholders.mapping
        ],
        "prompt": {"template_id": a.prompt.template_id, "template_sha256": a.prompt.template_hash, "system": a.prompt.system, "user": a.prompt.user},
        "draft": {
            "provider": a.draft.provider,
            "model": a.draft.model,
            "fallback_used": a.draft.fallback_used,
            "fallback_reason": a.draft.fallback_reason,
            "intent": a.draft.output.intent,
            "confidence": a.draft.output.confidence,
            "reasons": a.draft.output.reasons,
            "subject": a.reply.subject,
            "text": a.restored_text,
        },
        "outbound": {
            **a.outbound.as_audit(),  # the model requests of this dry run, as the guard checked them
            "mode": pipeline.outbound.mode,
            "prompt_hits": pipeline.outbound.locate({"system": a.prompt.system, "user": a.prompt.user}, a.redacted.placeholders),
        },
        "findings": [f.model_dump(mode="json") for f in a.findings],
        "grounding": a.grounding,  # snippets, citations, token budget, style (agent/grounding.py)
        "risk": risk_view.record_of(a.risk) if a.risk else None,
        "routing": {
            "facts": a.facts,
            "rules": [r.__dict__ for r in pipeline.router.explain(a.facts)],
            "default_action": settings.routing.default_action,
        },
        "decision": a.decision.model_dump(mode="json"),
    }
    # No model request was made (the template drafter): say what one would meet in refuse mode.
    report["outbound"]["would_refuse_with_model"] = bool(
        not a.outbound.as_audit().get("requests") and report["outbound"]["prompt_hits"] and pipeline.outbound.mode == "refuse"
    )
    if as_json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return
    console.rule(f"[bold]{literal(path.name)}[/] (dry run: nothing is written)")
    console.print(f"Read from a file; facts as source {literal(as_source)}", highlight=False)
    m = report["message"]
    console.print(
        f"Client's text: {m['new_text_chars']} of {m['body_chars']} body characters go to the prompt; {m['cut_chars']} cut "
        + ("(quoted history, signature and text over [limits] max_prompt_chars)" if m["shortened"] else "(quoted history and signature: agent/mailtext.latest_reply)")
        + f"; {m['thread_messages']} earlier message(s) of the conversation",
        highlight=False,
        markup=False,
    )
    if reason and not check.allowed:
        console.print(f"[yellow]Skip rule {reason.rule} does not apply: {literal(check.line())}[/]", highlight=False)
    elif reason:
        console.print(f"[yellow]Shown with --force: skip rule {reason.rule} would stop this message first[/] ({literal(reason.detail)})", highlight=False)
    t = Table(title="Redacted (types, placeholders and the detector: never the values)")
    t.add_column("placeholder")
    t.add_column("entity type")
    t.add_column("found by")
    for r in report["redactions"]:
        t.add_row(literal(r["placeholder"]), literal(r["entity"]), literal(r["detector"]))
    console.print(t)
    console.rule(f"Prompt {a.prompt.template_id} sha256={a.prompt.template_hash[:12]}…")
    console.print("[bold]system[/]", highlight=False)
    console.print(literal(a.prompt.system), highlight=False)
    console.print("[bold]user[/]", highlight=False)
    console.print(literal(a.prompt.user), highlight=False)
    _print_outbound(report["outbound"])
    d = report["draft"]
    console.rule(literal(f"Draft by {d['provider']} ({d['model']}) intent={d['intent']} confidence={d['confidence']:.2f}"))
    if d["fallback_used"]:
        console.print(f"[yellow]template fallback:[/] {literal(d['fallback_reason'])}", highlight=False)
    console.print(f"Subject: {literal(d['subject'])}", highlight=False)
    console.print(literal(d["text"]), highlight=False)
    _print_grounding(report["grounding"])
    ft = Table(title=f"Policy findings ({pipeline.policy.name} {pipeline.policy.version})")
    for col in ("rule", "severity", "target", "span", "message"):
        ft.add_column(col)
    for f in a.findings:
        span = f"{f.start}-{f.end}" if f.end > f.start else "-"  # a finding about the whole text (the model request) has no span
        ft.add_row(literal(f.rule_id), f.severity.name, literal(f.target), span, literal(f.message))
    console.print(ft if a.findings else f"Policy findings ({pipeline.policy.name} {pipeline.policy.version}): none")
    risk_view.print_risk(console, report["risk"])
    _print_routing(report["routing"])
    dec = a.decision
    routed = dec.action.value + literal((f" → group {dec.group}" if dec.group else "") + f" (rule {dec.rule_id})")
    if reason and check.allowed:  # --force past a skip rule: the run would stop at the rule, say so last
        console.print(f"[bold]Decision:[/] skip (skip rule {reason.rule}); shown with --force, the routing would have been: {routed}", highlight=False)
    else:
        console.print(f"[bold]Decision:[/] {routed}", highlight=False)
    o = report["outbound"]
    if o["would_refuse_with_model"]:
        console.print(
            f"[yellow]With a model endpoint configured[/] the last check would refuse this prompt ({len(o['prompt_hits'])} found): "
            "no request would be sent and the item would go to a reviewer under outbound_pii_blocked instead (the decision above is the template drafter's).",
            highlight=False,
        )


def _print_outbound(o: dict) -> None:
    """The last check's verdict in a dry run: on the model requests made (if any), and where in the
    prompt above it finds personal data (type, part, line and columns; never the value)."""
    hits = o["prompt_hits"]
    verb = "would be masked" if o["mode"] == "mask" else "would refuse the request"
    if not hits:
        console.print("[bold]Last check on this prompt:[/] nothing found (agent/outbound_guard.py)", highlight=False)
    else:
        console.print(f"[bold red]Last check on this prompt:[/] {len(hits)} found, {verb} (mode {literal(o['mode'])}):", highlight=False)
        for h in hits:
            where = f"{h['part']} line {h['line']}, columns {h['columns'][0]}-{h['columns'][1]}"
            console.print(f"  {literal(h['entity'])} ({where}): {literal(h['context'])}", highlight=False)
    if o["requests"]:
        found = ", ".join(f"{k} {v}" for k, v in o["found"].items()) or "nothing"
        console.print(f"Model requests checked: {o['requests']}, {literal(o['action'])} (found: {literal(found)})", highlight=False)
    else:
        console.print("No model request was made (template drafter): the check above is what a model request would face.", highlight=False)


def _dry_run_grounder(settings):
    """``(engine or None, grounder or None)`` for a dry run: the knowledge base is read from the
    configured database (``create=False``: nothing is created or written); without ``[knowledge]``
    folders or a database, None (the dry run drafts without snippets and says so)."""
    from jobs.bootstrap import build_grounder
    from storage.db import open_database

    if not settings.knowledge.folders:
        return None, None
    try:
        kb_engine, kb_sf = open_database(settings.storage_url(), create=False)
    except DraftguardError as exc:
        err.print(f"[yellow]knowledge base not read:[/] {literal(str(exc))}", highlight=False)  # stderr: --json stays JSON
        return None, None
    return kb_engine, build_grounder(settings, kb_sf)


def _print_grounding(g: dict | None) -> None:
    """A dry run's grounding: snippets retrieved, the articles the draft cites (titles and links),
    citations of snippets that were not retrieved, the token budget and what it cut."""
    from agent.grounding import citation_lines

    if not g:
        return
    t = Table(title="Knowledge snippets retrieved (best first)")
    for col in ("id", "title", "link", "score", "relevance"):
        t.add_column(col, overflow="fold")
    for sn in g.get("snippets") or []:
        t.add_row(literal(sn["id"]), literal(sn["title"]), literal(sn.get("url") or "-"), f"{sn['score']:.2f}", f"{sn.get('relevance', 0):.2f}")
    console.print(t if g.get("snippets") else "Knowledge snippets retrieved: none")
    lines = citation_lines(g)
    console.print("[bold]Cites:[/] " + (literal("; ".join(lines)) if lines else "nothing"), highlight=False)
    b = g.get("budget") or {}
    if b:
        cut = f"{b['thread_cut']} of {b['thread_total']} earlier messages cut, {len(b['snippets_cut'])} snippet(s) cut" + (", latest text shortened" if b["latest_truncated"] else "")
        limit = f"{b['budget'] - b['reserve']} prompt tokens (budget {b['budget']} less {b['reserve']} kept for the answer; {b['model']}, {b['encoding']})"
        console.print(literal(f"Token budget: {b['used']} of {limit}; {cut}"), highlight=False)
    for e in g.get("errors") or []:
        console.print(f"[yellow]grounding:[/] {literal(e)}", highlight=False)


def _print_routing(routing: dict) -> None:
    """The routing facts of a dry run and every rule's result on them (first match decides)."""
    facts = Table(title="Routing facts")
    facts.add_column("fact")
    facts.add_column("value", overflow="fold")
    for name, value in routing["facts"].items():
        facts.add_row(literal(name), literal(json.dumps(value, ensure_ascii=False)))
    console.print(facts)
    rules = Table(title="Routing rules, in order (the first that is true decides)")
    for col in ("rule", "when", "action", "result"):
        rules.add_column(col, overflow="fold")
    for r in routing["rules"]:
        result = "error: " + r["error"] if r["matched"] is None else ("true" if r["matched"] else "false")
        rules.add_row(literal(r["rule_id"]), literal(r["when"]), literal(r["action"]), literal(result + ("  ← decides" if r["decides"] else "")))
    if not any(r["decides"] for r in routing["rules"]):
        rules.add_row("default", "(no rule matched)", literal(routing["default_action"]), "← decides")
    console.print(rules)


# ---------------------------------------------------------------------------- status
@app.command()
def status(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """Counts per state, drafts by provider, open reviews and every quarantined item with its error."""
    settings = _settings()
    from agent.pause import active_pauses
    from storage.repository import UnitOfWork

    engine, sf = _database(settings)
    try:
        with UnitOfWork(sf) as uow:
            pauses = active_pauses(uow)
            data = {
                "paused_sources": [p.as_dict() for p in pauses],
                "states": uow.counts_by_state(),
                "drafts_by_provider": uow.drafts_by_provider(),
                "open_reviews": [
                    {
                        "id": t.id,
                        "item_id": t.item_id,
                        "group": t.group,
                        "rule_id": t.rule_id,
                        "created_at": _iso(t.created_at),
                        "notified": t.notified_at is not None,
                        "notify_error": t.notify_error,
                    }
                    for t in uow.open_review_tasks()
                ],
                "quarantine": _quarantine_entries(uow),
                "outcomes": uow.outcome_counts(),
            }
        from jobs.shadow_outcomes import shadow_quality

        data["shadow"] = shadow_quality(sf)  # shadow sources: their drafts against what was sent (docs/release.md)
    finally:
        engine.dispose()
    if as_json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    t = Table(title="Items by state")
    t.add_column("state")
    t.add_column("count", justify="right")
    for state, n in sorted(data["states"].items()):
        t.add_row(literal(state), str(n))
    console.print(t)
    for pause in pauses:
        console.print(literal(pause.line()), highlight=False, soft_wrap=True)
    if data["drafts_by_provider"]:
        console.print("Drafts by provider: " + literal(", ".join(f"{p}={n}" for p, n in sorted(data["drafts_by_provider"].items()))))
    if data["outcomes"]:
        oc = data["outcomes"]
        decided = sum(n for k, n in oc.items() if k not in ("waiting", "unknown"))
        accepted = oc.get("sent", 0) + oc.get("edited_sent", 0)
        rate = f"{accepted / decided:.0%}" if decided else "n/a"
        console.print("Draft outcomes: " + ", ".join(f"{k}={n}" for k, n in sorted(oc.items())) + f"; acceptance {rate}")
    for src, q in data["shadow"].items():
        sim, unch = q["similarity"], q["unchanged"]
        line = f"Shadow {src}: {q['items']} items, {q['replied']} compared with the sent reply, {q['waiting']} waiting"
        if sim["mean"] is not None:
            line += f"; similarity {sim['mean']:.2f}" + (f" [{sim['low']:.2f}, {sim['high']:.2f}]" if sim["low"] is not None else "")
            line += f"; would have been sent unchanged {unch['rate']:.0%} [{unch['low']:.0%}, {unch['high']:.0%}]"
        kind, _, name = src.partition(":")
        if kind == "maildir" and q["waiting"] and not any(m.name == name and m.sent_path for m in settings.sources.maildir):
            line += " (no sent_path is configured for this Maildir: nothing to compare with; docs/release.md)"
        console.print(literal(line), highlight=False, soft_wrap=True)
    waiting = [r for r in data["open_reviews"] if not r["notified"]]
    console.print(
        f"Open reviews: {len(data['open_reviews'])}"
        + (f"; {len(waiting)} notification(s) not yet delivered (kept in the outbox, retried by `run`)" if waiting else ""),
        highlight=False,
    )
    _print_quarantine(data["quarantine"])


def _print_quarantine(entries: list[dict]) -> None:
    if not entries:
        console.print("Quarantine: empty")
        return
    console.print(f"[bold]Quarantined items ({len(entries)})[/] — release one with `main.py quarantine release ITEM`")
    for e in entries:
        console.print(
            literal(f"item {e['item_id']}  {e['source']}/{e['external_id']}  stage={e['stage']}  since {e['created_at'][:19]}"),
            highlight=False,
            soft_wrap=True,
        )
        console.print(literal(f"    {e['error_type']}: {e['error']}"), highlight=False, soft_wrap=True)


def _quarantine_entries(uow) -> list[dict]:
    return [
        {
            "id": q.id,
            "item_id": i.id,
            "source": i.source,
            "external_id": i.external_id,
            "stage": q.stage,
            "error_type": q.error_type,
            "error": q.error,
            "created_at": _iso(q.created_at),
        }
        for q, i in uow.open_quarantine()
    ]


def _iso(dt) -> str:
    """ISO 8601 in UTC; SQLite returns naive datetimes that were stored as UTC."""
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).isoformat()


# ---------------------------------------------------------------------------- audit
def _checkpoint_dir(settings: Settings) -> Path | None:
    folder = settings.audit.checkpoint_dir
    return settings.resolve(folder) if folder else None


def _audit_fail(exc) -> typer.Exit:
    """Exit for a CheckpointError: 2 for a key or usage problem, 3 for a bad checkpoint file."""
    return fail(ExitCode.USAGE if exc.kind in ("key", "input") else ExitCode.AUDIT, str(exc))


@audit_app.command("verify")
def audit_verify(
    checkpoint: Annotated[Path | None, typer.Option("--checkpoint", help="Check against this checkpoint file instead of the latest in [audit] checkpoint_dir.")] = None,
) -> None:
    """Check the audit chain: links, head seal, latest checkpoint, items against their events.

    Exit 3 naming the first problem; 2 for a wrong or missing DRAFTGUARD_AUDIT_KEY."""
    settings = _settings()
    from storage import audit, audit_checkpoint

    try:
        cp = audit_checkpoint.find(_checkpoint_dir(settings), checkpoint)
    except audit_checkpoint.CheckpointError as exc:
        raise _audit_fail(exc) from None
    engine, sf = _database(settings)
    try:
        with sf() as s:
            result = audit.verify(s, checkpoint=cp)
    finally:
        engine.dispose()
    if not result.ok:
        raise fail(ExitCode.USAGE if result.kind == "key" else ExitCode.AUDIT, result.message())
    console.print(literal(result.message()), highlight=False, soft_wrap=True)


@audit_app.command("checkpoint")
def audit_checkpoint_cmd(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="A .json file, or a folder, to write (default: [audit] checkpoint_dir).")] = None,
) -> None:
    """Verify the chain, then write its head to a checkpoint file outside the database.

    The file holds seq, hash and time, signed with DRAFTGUARD_AUDIT_KEY when it is set;
    `audit verify` checks the chain against the latest one."""
    settings = _settings()
    from sqlalchemy import make_url

    from storage import audit_checkpoint

    folder = _checkpoint_dir(settings)
    target = out or folder
    if target is None:
        raise fail(ExitCode.USAGE, "no place for the checkpoint: set [audit] checkpoint_dir in the config, or pass --out")
    try:
        previous = audit_checkpoint.find(folder)
    except audit_checkpoint.CheckpointError as exc:
        raise _audit_fail(exc) from None
    engine, sf = _database(settings)
    try:
        with sf() as s:
            result, written = audit_checkpoint.make(s, make_url(settings.storage_url()).render_as_string(hide_password=True), target, previous=previous)
    except audit_checkpoint.CheckpointError as exc:
        raise _audit_fail(exc) from None
    finally:
        engine.dispose()
    if written is None:
        raise fail(ExitCode.USAGE if result.kind == "key" else ExitCode.AUDIT, f"no checkpoint written: {result.message()}")
    console.print(f"checkpoint of {result.checked} events written to {literal(written)}", highlight=False, soft_wrap=True)


@audit_app.command("export")
def audit_export(
    since: Annotated[str | None, typer.Option("--since", help="ISO date or datetime (UTC if no zone), e.g. 2026-11-01.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="ISO date (that whole day included) or datetime (excluded), UTC if no zone.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
) -> None:
    """Write audit events as JSON Lines (one event per line, seq order).

    The console's auditor download (/audit/export) writes the same lines (storage/audit_export.py)."""
    settings = _settings()
    from storage.audit_export import ExportRangeError, export_lines, parse_when

    try:
        since_dt = parse_when(since, "--since")
        until_dt = parse_when(until, "--until", end_of_day=True)
        if since_dt and until_dt and until_dt <= since_dt:
            raise ExportRangeError("--until must be after --since")
    except ExportRangeError as exc:
        raise fail(ExitCode.USAGE, str(exc)) from None
    engine, sf = _database(settings)
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    n = 0
    try:
        with sf() as s:
            for line in export_lines(s, since_dt, until_dt):
                out.write(line)
                n += 1
    finally:
        if output:
            out.close()
        engine.dispose()
    if output:
        console.print(literal(f"wrote {n} events to {output}"))


# ---------------------------------------------------------------------------- config
@config_app.command("check")
def config_check(path: Annotated[Path | None, typer.Argument(help="Config file (default: --config).")] = None) -> None:
    """Validate a config file: TOML syntax, every key, routing expressions and the policy pack."""
    from jobs.config_check import check_config

    try:
        result = check_config(path or STATE.config_path)
    except DraftguardError as exc:
        raise fail(ExitCode.USAGE, str(exc)) from None
    console.print(literal(result.summary()), soft_wrap=True)


# ---------------------------------------------------------------------------- quarantine
@quarantine_app.command("list")
def quarantine_list(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """List quarantined items with their stage and error (the item id is what `release` takes)."""
    settings = _settings()
    from storage.repository import UnitOfWork

    engine, sf = _database(settings)
    try:
        with UnitOfWork(sf) as uow:
            entries = _quarantine_entries(uow)
    finally:
        engine.dispose()
    if as_json:
        print(json.dumps(entries, indent=2, ensure_ascii=False))
    else:
        _print_quarantine(entries)


@quarantine_app.command("release")
def quarantine_release(item_id: Annotated[int, typer.Argument(help="Item id (see `status`).")]) -> None:
    """Put a quarantined item back for the next run (after fixing its cause)."""
    settings = _settings()
    from storage.repository import UnitOfWork

    engine, sf = _database(settings)
    try:
        with UnitOfWork(sf) as uow:
            try:
                released = uow.release_quarantine(item_id)
            except KeyError as exc:
                raise fail(ExitCode.USAGE, exc.args[0]) from None
            uow.commit()
    finally:
        engine.dispose()
    console.print(f"item {item_id} released to state {released}; it will be retried on the next run")


# ---------------------------------------------------------------------------- eval
class EvalDrafter(StrEnum):
    """Values of ``eval --drafter`` (see :mod:`evaluation.risk`)."""

    template = "template"
    model = "model"


@app.command("eval")
def eval_cmd(
    dataset: Annotated[
        str | None,
        typer.Argument(
            help="`pii`: the labelled PII set (evaluation/data/pii); otherwise a labelled risk set in JSON Lines "
            "run through the whole pipeline (default evaluation/data/risk/cases.jsonl).",
            show_default=False,
        ),
    ] = None,
    split: Annotated[str, typer.Option("--split", help="train, dev, test (held out; the figures to report) or all.")] = "test",
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    drafter: Annotated[
        EvalDrafter, typer.Option("--drafter", help="Risk sets: template (no model) or model (the local scripted model server on 127.0.0.1).")
    ] = EvalDrafter.template,
    gate: Annotated[
        str,
        typer.Option(
            "--gate",
            help="Risk sets: targets (exit 1 below a target of \\[risk]) or regression (exit 1 only below the "
            "figures recorded in \\[risk.regression.DRAFTER] while targets are unmet; target misses are still printed).",
        ),
    ] = "targets",
    variant: Annotated[
        str | None,
        typer.Option("--variant", help="Risk sets: run every case with this [release] variant and record the gate's result (a variant that failed or never passed cannot be promoted)."),
    ] = None,
) -> None:
    """Measure quality on a labelled set; exit 1 when a figure is below evaluation/thresholds.toml.

    `eval pii`: redaction recall and precision per entity type (thresholds \\[pii]).

    `eval [DATASET]`: every case becomes a mail in a temporary Maildir, run through the whole pipeline (parser, redaction, drafting, policy pack, risk stage, routing; temporary SQLite) under this config's organisation, redaction, policy, risk and routing settings. Prints per-category precision and recall, must-review recall, false escalation of ordinary mail, prompt-injection recall and false positives (LLMail/BIPIA cases), personal values seen in model requests and the fallback rate (thresholds \\[risk]). Nothing leaves the machine."""
    if split not in ("train", "dev", "test", "all"):
        raise fail(ExitCode.USAGE, f"--split must be train, dev, test or all, not {split!r}")
    if dataset == "pii":
        _eval_pii(split, as_json)
        return
    if gate not in ("targets", "regression"):
        raise fail(ExitCode.USAGE, f"--gate must be targets or regression, not {gate!r}")
    _eval_risk(dataset, split, as_json, drafter.value, gate, variant)


def _eval_risk(dataset: str | None, split: str, as_json: bool, drafter: str, gate: str = "targets", variant: str | None = None) -> None:
    settings = _settings()
    if variant is not None and variant not in settings.release.names():
        raise fail(ExitCode.USAGE, f"--variant: no variant {variant!r} in [release] (known: {', '.join(settings.release.names())})")
    from evaluation import risk as risk_eval

    path = Path(dataset) if dataset else risk_eval.DEFAULT_DATASET
    if not path.is_file():
        raise fail(ExitCode.USAGE, f"{path}: no such dataset file (a JSON Lines file of labelled cases, or `pii`)")
    try:
        cases = risk_eval.load(path, split)
    except (ValueError, OSError) as exc:
        raise fail(ExitCode.USAGE, str(exc)) from None
    if not cases:
        raise fail(ExitCode.USAGE, f"{path}: no cases in split {split!r}")
    shown = str(path.relative_to(risk_eval.ROOT)) if path.resolve().is_relative_to(risk_eval.ROOT) else str(path)
    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True, disable=as_json) as progress:
            task = progress.add_task(f"eval {drafter}", total=len(cases))
            report = risk_eval.run(settings, cases, drafter=drafter, dataset=shown, split=split, on_item=lambda _o: progress.advance(task), variant=variant)
    except StorageError as exc:
        raise fail(ExitCode.STORAGE, str(exc)) from None
    except DraftguardError as exc:
        raise fail(ExitCode.USAGE, str(exc)) from None
    problems = risk_eval.check(report)
    regressions: list[str] = []
    if gate == "regression":
        try:
            floors = risk_eval.regression_floors(drafter)
        except KeyError as exc:
            raise fail(ExitCode.USAGE, str(exc.args[0])) from None
        regressions = risk_eval.check(report, {**risk_eval.targets(), **floors})
    if as_json:
        extra = {"gate": gate, "below_regression_floor": regressions} if gate == "regression" else {}
        print(json.dumps({**report.as_dict(), "thresholds": risk_eval.targets(), "below_threshold": problems, **extra}, indent=2))
    else:
        for line in risk_eval.format_report(report, problems):
            console.print(literal(line), highlight=False, soft_wrap=True)
        if gate == "regression":
            console.print(literal("regression floors: " + ("none crossed" if not regressions else "BELOW: " + "; ".join(regressions))), highlight=False)
    if variant is not None:  # the gate's result for this variant's current definition (jobs/variants.py)
        from jobs.variants import record_gate, who
        from storage.db import open_database

        try:
            engine, sf = open_database(settings.storage_url())  # created on first use, like `run`
        except StorageError as exc:
            raise fail(ExitCode.STORAGE, str(exc)) from None
        try:
            record_gate(sf, settings, variant, passed=not (regressions if gate == "regression" else problems), dataset=shown, split=split, gate=gate, drafter=drafter, figures=report.as_dict(), actor=who())
        finally:
            engine.dispose()
    if regressions if gate == "regression" else problems:
        raise typer.Exit(1)


def _eval_pii(split: str, as_json: bool) -> None:
    """Redaction recall and precision per entity type on the labelled PII set (evaluation/data/pii).

    Uses the [redaction] section of the config. Exits 1 when a core entity is below the
    thresholds in evaluation/thresholds.toml [pii]."""
    settings = _settings()
    from agent.redaction import Redactor
    from evaluation.pii import check, evaluate, format_report
    from evaluation.pii_data import load

    try:
        redactor = Redactor(settings.redaction, settings.organisation)
    except DraftguardError as exc:
        raise fail(ExitCode.USAGE, str(exc)) from None
    report = evaluate(load(None if split == "all" else split), redactor, split)
    problems = check(report)
    if as_json:
        print(json.dumps({**report.as_dict(), "below_threshold": problems}, indent=2))
    else:
        console.print(literal(format_report(report)), highlight=False)
        console.print(literal("thresholds: " + ("all core entities pass" if not problems else "BELOW: " + "; ".join(problems))), highlight=False)
    if problems:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
