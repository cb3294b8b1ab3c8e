"""``main.py variants ...``: compare, promote, roll back, stop and trace variants (docs/release.md).

* ``variants report [--json] [--since-days N]``: per variant, the figures with 95 % intervals,
  the difference of each rate to the default, the gate, the history; runs the automatic stop
  check first (a stopped variant is named on stderr).
* ``variants promote NAME [--by WHO]`` / ``rollback [--by WHO]`` / ``stop NAME --reason TEXT`` /
  ``resume NAME``: audited with who did it (``--by``, else the OS user). Exit 2 when the action
  is refused (not gated, already default, nothing to roll back …).
* ``variants check``: the automatic stop check alone (exit 1 when it stopped a variant).
* ``variants registry list`` / ``registry show HASH``: what drafted, by sha256; ``show`` prints
  the full text of a prompt template, policy pack or model configuration (a draft's
  ``prompt_sha256``, ``pack_sha256`` or ``model_config_sha256`` from ``audit export``).
* ``variants trace DRAFT_ID``: a draft's variant and the registry entries that produced it.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from agent.exit_codes import ExitCode
from agent.terminal import err_console as err
from agent.terminal import fail as _fail
from agent.terminal import literal
from agent.terminal import out_console as console
from jobs.review_cli import _database, _settings

app = typer.Typer(help="Variants of prompt, model, drafter and policy pack: report, promote, rollback, registry (docs/release.md).", no_args_is_help=True)
registry_app = typer.Typer(help="Every prompt template, policy pack and model configuration that drafted, by sha256.", no_args_is_help=True)
app.add_typer(registry_app, name="registry")

By = Annotated[str | None, typer.Option("--by", help="Who does it (default: the OS user); recorded in the audit chain.")]


def _fmt_rate(r: dict | None) -> str:
    if not r or r.get("rate") is None:
        return "-"
    return f"{r['rate']:.3f} [{r['low']:.3f}, {r['high']:.3f}]"


def _fmt_mean(m: dict | None, unit: str = "") -> str:
    if not m or m.get("mean") is None:
        return "-"
    if m.get("low") is None:
        return f"{m['mean']:g}{unit} (n={m['n']})"
    return f"{m['mean']:.1f}{unit} [{m['low']:.1f}, {m['high']:.1f}]" if unit else f"{m['mean']:.3f} [{m['low']:.3f}, {m['high']:.3f}]"


@app.command("report")
def report_cmd(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    since_days: Annotated[float | None, typer.Option("--since-days", help="Only drafts of the last N days.", min=0)] = None,
) -> None:
    """Compare the variants: drafts, escalation/fallback/findings rates (Wilson 95 % intervals), findings and risk categories per 100 items, model latency and tokens, acceptance and edit similarity, shadow similarity (bootstrap 95 % intervals)."""
    from jobs.variants import auto_stop, report

    settings = _settings(ctx)
    engine, sf = _database(settings)
    try:
        for x in auto_stop(sf, settings):
            err.print(literal(f"variant {x['variant']} stopped automatically: {x['reason']}"), highlight=False, soft_wrap=True)
        data = report(sf, settings, since_days=since_days)
    finally:
        engine.dispose()
    if as_json:
        print(json.dumps(data, indent=2, default=str))
        return
    console.print(literal(f"Default: {data['default']}" + (f" (rollback returns to {data['previous']})" if data["previous"] else "") + f"; salt {data['salt']}"), highlight=False)
    for v in data["variants"]:
        gate = v["gate"]
        gate_s = "never gated" if gate is None else ("gate passed" if gate["passed"] else "gate FAILED") + f" ({gate['gate']}, {gate['dataset']})"
        console.print(literal(f"\n{v['name']}: {v['status']}, share {v['effective_share']:.3f} (configured {v['share']:g}); {v['drafts']} drafts ({v.get('shadow_drafts', 0)} shadow); {gate_s}"), highlight=False, soft_wrap=True)
        if not v["drafts"]:
            continue
        d = v.get("delta_vs_default") or {}

        def delta(k: str, d: dict = d) -> str:
            return f" ({d[k]:+.3f} vs default)" if d.get(k) is not None else ""

        lines = [
            f"  escalation rate   {_fmt_rate(v['escalation_rate'])}{delta('escalation_rate')}",
            f"  fallback rate     {_fmt_rate(v['fallback_rate'])}{delta('fallback_rate')}",
            f"  findings rate     {_fmt_rate(v['findings_rate'])}{delta('findings_rate')}; {v['findings_per_100']} findings per 100 items",
            f"  risk categories   {v['risk_categories_per_100']} per 100 items" + (": " + ", ".join(f"{c} {n}" for c, n in v["risk_categories"].items()) if v["risk_categories"] else ""),
            f"  model latency     {_fmt_mean(v['model_latency_ms'], ' ms')}; tokens {_fmt_mean(v['tokens'], '')}",
            f"  acceptance        {_fmt_rate(v['acceptance_rate'])}; edit similarity {_fmt_mean(v['edit_similarity'])}; shadow similarity {_fmt_mean(v['shadow_similarity'])}",
        ]
        for line in lines:
            console.print(literal(line), highlight=False, soft_wrap=True)
    if data["history"]:
        console.print(literal("\nHistory (latest first):"), highlight=False)
        for h in data["history"][:10]:
            console.print(literal(f"  {h['at'][:19]} {h['action']} {h['variant']} by {h['actor']}" + (f": {h['reason']}" if h["reason"] else "")), highlight=False, soft_wrap=True)


def _run(ctx: typer.Context, fn) -> None:
    from jobs.variants import ReleaseError

    settings = _settings(ctx)
    engine, sf = _database(settings)
    try:
        line = fn(sf, settings)
    except ReleaseError as exc:
        raise _fail(ExitCode.USAGE, str(exc)) from None
    finally:
        engine.dispose()
    console.print(literal(line), highlight=False, soft_wrap=True)


@app.command("promote")
def promote_cmd(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The variant to make the default.")], by: By = None) -> None:
    """Make NAME the default (it gets every conversation no other variant's share covers). Refused unless its latest evaluation gate for its current definition passed."""
    from jobs.variants import promote, who

    def go(sf, settings) -> str:
        st = promote(sf, settings, name, actor=who(by))
        return f"{st.default} is the default now (rollback returns to {st.previous})"

    _run(ctx, go)


@app.command("rollback")
def rollback_cmd(ctx: typer.Context, by: By = None) -> None:
    """Return to the default before the current one."""
    from jobs.variants import rollback, who

    _run(ctx, lambda sf, settings: f"{rollback(sf, settings, actor=who(by)).default} is the default again")


@app.command("stop")
def stop_cmd(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The variant to stop.")], reason: Annotated[str, typer.Option("--reason", help="Why (audited).")], by: By = None) -> None:
    """Stop NAME: its conversations go to the default until `variants resume NAME`."""
    from jobs.variants import stop, who

    def go(sf, settings) -> str:
        stop(sf, settings, name, actor=who(by), reason=reason)
        return f"{name} stopped"

    _run(ctx, go)


@app.command("resume")
def resume_cmd(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The stopped variant.")], by: By = None) -> None:
    """Give a stopped variant its share again."""
    from jobs.variants import resume, who

    def go(sf, settings) -> str:
        resume(sf, settings, name, actor=who(by))
        return f"{name} resumed"

    _run(ctx, go)


@app.command("check")
def check_cmd(ctx: typer.Context) -> None:
    """Run the automatic stop check now (exit 1 when it stopped a variant)."""
    from jobs.variants import auto_stop

    settings = _settings(ctx)
    engine, sf = _database(settings)
    try:
        stopped = auto_stop(sf, settings)
    finally:
        engine.dispose()
    for x in stopped:
        console.print(literal(f"variant {x['variant']} stopped: {x['reason']}"), highlight=False, soft_wrap=True)
    if not stopped:
        console.print("no variant stopped")
    raise typer.Exit(ExitCode.FAILED if stopped else ExitCode.OK)


@registry_app.command("list")
def registry_list_cmd(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """Every registry entry: kind, sha256, what it is, uses, first and last use."""
    from storage.release import registry_entries

    settings = _settings(ctx)
    engine, sf = _database(settings)
    try:
        with sf() as s:
            rows = [
                {"kind": e.kind, "sha256": e.sha256, "ref": e.ref, "uses": e.uses, "first_used_at": e.first_used_at.isoformat(), "last_used_at": e.last_used_at.isoformat()}
                for e in registry_entries(s)
            ]
    finally:
        engine.dispose()
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    for r in rows:
        console.print(literal(f"{r['kind']:<16} {r['sha256'][:16]}  {r['uses']:>6} uses  {r['first_used_at'][:19]} .. {r['last_used_at'][:19]}  {r['ref']}"), highlight=False, soft_wrap=True)


@registry_app.command("show")
def registry_show_cmd(ctx: typer.Context, sha256: Annotated[str, typer.Argument(help="The sha256 (or its first 6+ hex digits).")]) -> None:
    """Print the full text kept under SHA256 (exit 2 when none or several match)."""
    from storage.release import registry_lookup

    settings = _settings(ctx)
    engine, sf = _database(settings)
    try:
        with sf() as s:
            try:
                found = registry_lookup(s, sha256)
            except ValueError as exc:
                raise _fail(ExitCode.USAGE, str(exc)) from None
            entries = [(e.kind, e.sha256, e.ref, e.uses, e.first_used_at, e.last_used_at, e.content) for e in found]
    finally:
        engine.dispose()
    if len(entries) != 1:
        raise _fail(ExitCode.USAGE, f"{sha256}: {'no registry entry' if not entries else f'{len(entries)} entries match; give more digits'}")
    kind, sha, ref, uses, first, last, content = entries[0]
    err.print(literal(f"{kind} {sha} ({ref}); {uses} uses, first {first:%Y-%m-%d %H:%M:%S}, last {last:%Y-%m-%d %H:%M:%S}"), highlight=False, soft_wrap=True)
    print(content)


@app.command("trace")
def trace_cmd(ctx: typer.Context, draft_id: Annotated[int, typer.Argument(help="A draft id (from review show, audit export).")], as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """A draft's variant, shadow flag and the sha256 of its prompt template, policy pack and model configuration (each shown in full by `variants registry show`)."""
    from storage.release import provenance

    settings = _settings(ctx)
    engine, sf = _database(settings)
    try:
        with sf() as s:
            p = provenance(s, draft_id)
            info = None if p is None else {
                "draft_id": p.draft_id, "item_id": p.item_id, "variant": p.variant, "salt": p.variant_salt, "shadow": p.shadow,
                "prompt_sha256": p.prompt_sha256, "pack_sha256": p.pack_sha256, "model_config_sha256": p.model_sha256,
            }
    finally:
        engine.dispose()
    if info is None:
        raise _fail(ExitCode.USAGE, f"draft {draft_id}: no provenance (no such draft, or written before variants were recorded)")
    if as_json:
        print(json.dumps(info, indent=2))
        return
    for k, v in info.items():
        console.print(literal(f"{k}: {v}"), highlight=False)
