"""The exit codes of every ``main.py`` command, in one place (README "Exit codes" table).

The CLI (``main.py``, ``jobs/review_cli.py``, ``connectors/*/cli.py``) and the service
(``jobs/scheduler.py: run_forever``) return these and nothing else.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit status of a ``main.py`` command.

    * ``OK`` (0): done.
    * ``FAILED`` (1): the command ran but part of it failed: a source failed during a run,
      a review's delivery failed, a connector check found something missing, the service
      lost its run lock.
    * ``USAGE`` (2): bad usage, config or input; one line on stderr names the input.
    * ``AUDIT`` (3): the audit chain did not verify.
    * ``STORAGE`` (4): storage unavailable or misconfigured (bad URL, missing driver, server
      down, database or disk full, no database yet for a read-only command).
    * ``LOCKED`` (5): another ``main.py run`` holds the database's run lock.
    """

    OK = 0
    FAILED = 1
    USAGE = 2
    AUDIT = 3
    STORAGE = 4
    LOCKED = 5


#: one short phrase per code, for ``main.py --help`` (the README table says the same)
MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "ok",
    ExitCode.FAILED: "a source, delivery or check failed",
    ExitCode.USAGE: "bad usage/config/input",
    ExitCode.AUDIT: "audit chain broken",
    ExitCode.STORAGE: "storage unavailable, misconfigured or full",
    ExitCode.LOCKED: "another `run` holds the database's run lock",
}


def summary() -> str:
    """``"0 ok; 1 ...; 5 ..."``: every exit code with its meaning, for help texts."""
    return "; ".join(f"{int(code)} {MEANINGS[code]}" for code in ExitCode)
