"""``main.py events ...``: the events relay and the outbox's state (mounted by main.py).

* ``events relay --once``: one pass (:func:`jobs.events_relay.relay`), one summary line; exit 1
  when the broker failed (the rows are kept), 2 when events are disabled or no broker is set,
  4 when the database cannot be opened.
* ``events relay``: a pass every ``[events] relay_interval_seconds`` until SIGINT/SIGTERM.
* ``events status``: rows waiting, the oldest one's age and its last error.
"""

from __future__ import annotations

import json
import signal
import threading
from datetime import UTC, datetime
from typing import Annotated

import typer
from sqlalchemy import select

from agent.config import Settings
from agent.errors import DraftguardError
from agent.exit_codes import ExitCode
from agent.terminal import err_console as err
from agent.terminal import fail as _fail
from agent.terminal import literal
from agent.terminal import out_console as console
from jobs.review_cli import _database, _settings

app = typer.Typer(help="Events for downstream systems (CloudEvents on RabbitMQ; docs/events.md): relay and status.", no_args_is_help=True)


def _enabled(settings: Settings) -> None:
    if not settings.events.enabled:
        raise _fail(ExitCode.USAGE, "events are disabled: set [events] enabled = true (and the broker: DRAFTGUARD_BROKER_URL) first")


@app.command("relay")
def relay_cmd(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit.")] = False,
) -> None:
    """Publish the events waiting in the outbox to the broker, in order (forever, or once with --once)."""
    from jobs.events_relay import relay

    settings = _settings(ctx)
    _enabled(settings)
    try:
        settings.events.resolved_broker_url()
    except DraftguardError as exc:
        raise _fail(ExitCode.USAGE, str(exc)) from None
    engine, sf = _database(settings)
    stop = threading.Event()
    if not once:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    failed = False
    try:
        while True:
            report = relay(sf, settings.events)
            failed = report.error is not None
            if once or report.published or report.error:
                (err if failed else console).print(literal(report.line()), highlight=False, soft_wrap=True)
            if once or stop.wait(settings.events.relay_interval_seconds):
                break
    finally:
        engine.dispose()
    raise typer.Exit(ExitCode.FAILED if failed and once else ExitCode.OK)


@app.command("status")
def status_cmd(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """How many events wait for the relay, the oldest one's age and its last error."""
    from storage import outbox
    from storage.models import OutboxEvent

    settings = _settings(ctx)
    engine, sf = _database(settings)
    try:
        with sf() as s:
            pending = outbox.pending_count(s)
            oldest = s.execute(
                select(OutboxEvent).where(OutboxEvent.published_at.is_(None)).order_by(OutboxEvent.audit_seq).limit(1)
            ).scalar_one_or_none()
            info = {
                "enabled": settings.events.enabled,
                "pending": pending,
                "oldest_time": oldest.time.isoformat() if oldest else None,
                "oldest_type": oldest.type if oldest else None,
                "oldest_attempts": oldest.attempts if oldest else 0,
                "last_error": oldest.last_error if oldest else None,
            }
    finally:
        engine.dispose()
    if as_json:
        print(json.dumps(info, indent=2))
        return
    state = "enabled" if info["enabled"] else "disabled"
    line = f"Events {state}: {pending} waiting"
    if oldest is not None:
        when = oldest.time if oldest.time.tzinfo else oldest.time.replace(tzinfo=UTC)
        age = int((datetime.now(UTC) - when).total_seconds())
        line += f"; oldest {oldest.type} from {age} s ago, {oldest.attempts} attempts"
        if oldest.last_error:
            line += f"; last error: {oldest.last_error}"
    console.print(literal(line), highlight=False, soft_wrap=True)
