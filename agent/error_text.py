"""Exceptions as text that is safe to store (``quarantine.error``, ``items.last_error``) and to log.

An exception's own text may carry what it was handling: SQLAlchemy appends the SQL parameters
(a draft body, a client's name) to its message, PostgreSQL adds ``DETAIL: Failing row contains
(...)`` with the whole row, and a parser error may quote the header it choked on. Every place
where an exception becomes stored or logged text goes through :func:`error_text`; tracebacks
are logged with :func:`stack_text` (frames and exception types, no messages).

Engines are also built with ``hide_parameters=True`` (``storage/db.py``), so a raw SQLAlchemy
message never holds parameters either.
"""

from __future__ import annotations

import re
import traceback

from agent.errors import DraftguardError

MAX_ERROR_CHARS = 500  # stored errors are one line for people, not a dump
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")  # NUL cannot be stored in PostgreSQL text; newlines split log lines
# A quoted word after one of these names a database object (PostgreSQL's wording) and stays readable.
_QUOTED = re.compile(r'(?:\b(constraint|relation|table|column|index|type|schema|sequence|database|function|role)\s+)?"([^"]*)"', re.IGNORECASE)
_TARGET = re.compile(r"\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM|FROM)\s+(\"?[\w.]+\"?)", re.IGNORECASE)


def _one_line(text: str) -> str:
    return _CONTROL.sub(" ", text).strip()


def _mask_values(text: str) -> str:
    """Quoted values become ``"…"``; quoted object names (``constraint "uq_items_source_external_id"``) stay."""
    return _QUOTED.sub(lambda m: m.group(0) if m.group(1) else '"…"', text)


def _database_error(exc: BaseException) -> str | None:
    """Summary of a SQLAlchemy statement error: the driver's error class, SQLSTATE, the first
    line of its message (quoted values masked) and the statement's verb and table; never the
    parameters, the statement's values or PostgreSQL's DETAIL. None for other exceptions."""
    try:
        from sqlalchemy.exc import StatementError
    except ImportError:  # pragma: no cover - sqlalchemy is a dependency
        return None
    if not isinstance(exc, StatementError):
        return None
    orig = exc.orig
    name = type(orig).__name__ if orig is not None else type(exc).__name__
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    diag = getattr(orig, "diag", None)
    message = getattr(diag, "message_primary", None) or (str(orig) if orig is not None else "")
    lines = [ln for ln in message.splitlines() if ln.strip()]
    primary = _mask_values(_one_line(lines[0])) if lines else "no message"
    target = _TARGET.search(exc.statement or "")
    where = f" (in {' '.join(target.group(1).upper().split())} {target.group(2)})" if target else ""
    code = f" [SQLSTATE {sqlstate}]" if sqlstate else ""
    return f"{name}{code}: {primary}{where}; SQL parameters withheld"


def error_text(exc: BaseException | str, limit: int = MAX_ERROR_CHARS) -> str:
    """``exc`` as one line of at most ``limit`` characters, without control characters.

    Database errors: see :func:`_database_error` (no parameters, no row contents).
    draftguard's own errors (:class:`agent.errors.DraftguardError`, whose messages name the input
    by id and say what is wrong): the message. Other exceptions: ``Type: first line of the
    message``. A string is taken as an already written message."""
    if isinstance(exc, str):
        text = _one_line(exc)
    else:
        text = _database_error(exc)
        if text is None and isinstance(exc, DraftguardError):
            text = _one_line(str(exc)) or type(exc).__name__
        elif text is None:
            lines = [ln for ln in str(exc).splitlines() if ln.strip()]
            text = f"{type(exc).__name__}: {_one_line(lines[0])}" if lines else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def stack_text(exc: BaseException) -> str:
    """The traceback of ``exc`` (and of the exceptions it was raised from) as frames and
    exception type names only: where it happened, for logs, without any exception message."""
    chain: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and e not in chain:
        chain.append(e)
        e = e.__cause__ or e.__context__
    parts = ["".join(traceback.format_tb(e.__traceback__)) + type(e).__qualname__ for e in reversed(chain)]
    return "\nraised from the above:\n".join(parts)
