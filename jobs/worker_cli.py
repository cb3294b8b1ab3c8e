"""``main.py worker``: start a worker of the distributed mode (jobs/worker.py)."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from agent.errors import DraftguardError, StorageError
from agent.exit_codes import ExitCode
from agent.terminal import config_path, fail


def worker(
    ctx: typer.Context,
    concurrency: Annotated[int | None, typer.Option("--concurrency", "-n", min=1, max=256, help="Items this worker runs at once (threads). Default: [distributed] worker_concurrency.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Worker name shown by the broker (default draftguard-<pid>@<host>).")] = None,
) -> None:
    """Process items the scheduler (`main.py run` with [distributed] enabled) sends, until SIGTERM.

    Needs [distributed] enabled, PostgreSQL, [limits] backend = "redis" and a broker
    (DRAFTGUARD_TASK_BROKER_URL / DRAFTGUARD_BROKER_URL or [distributed] broker_url). Start as
    many as you like, on any machine that reaches the database, the broker and the sources."""

    from agent.config import load_config

    try:
        settings = load_config(config_path(ctx))
    except DraftguardError as exc:
        raise fail(ExitCode.USAGE, str(exc)) from None
    if not settings.distributed.enabled:
        raise fail(ExitCode.USAGE, "main.py worker needs [distributed] enabled = true in the config (README, Scale-out mode)")
    from jobs.worker import run_worker

    level = logging.getLevelName(logging.getLogger().getEffectiveLevel())
    try:
        code = run_worker(settings, concurrency=concurrency, name=name, loglevel=level if isinstance(level, str) else "WARNING")
    except StorageError as exc:
        raise fail(ExitCode.STORAGE, str(exc)) from None
    except DraftguardError as exc:
        raise fail(ExitCode.USAGE, str(exc)) from None
    raise typer.Exit(code)
