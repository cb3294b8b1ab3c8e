"""The knowledge index kept in step by ``main.py run`` (docs/knowledge.md, "Kept in step").

* Before polling, ``run --once`` and the service run one incremental pass
  (:func:`refresh_knowledge`): an unchanged knowledge base costs one hash per file (about
  0.02 s for the 52 example articles), so a changed article is used by the very next draft.
* The service repeats the pass every ``[knowledge] reindex_minutes`` (job ``kb-index``,
  :func:`jobs.tasks.reindex_knowledge`), so an article changed or removed while it runs is
  picked up without a restart.

A file that cannot be indexed keeps its last indexed version; it is logged (its path and the
reason, never its text) and the run goes on. A configured folder that does not exist is a
config error (:class:`agent.errors.ConfigError`, key ``knowledge.folders[i]``) raised before
anything is changed, so an unmounted share never empties the index.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from kb.config import KnowledgeConfig
from kb.index import IndexReport, index_knowledge

log = logging.getLogger("draftguard.kb")

#: characters of a failure reason logged (reasons name the problem, e.g. a YAML error's first line)
REASON_MAX_CHARS = 300


def changed(report: IndexReport | None) -> bool:
    """True when the pass added, updated or removed an article, or a file failed (a failing
    file is reported on every pass until it is fixed)."""
    return report is not None and bool(report.added or report.updated or report.removed or report.errors)


def summary_line(report: IndexReport) -> str:
    """``"Knowledge base: 1 added, 2 updated, 0 removed, 49 unchanged, 0 failed"``."""
    c = report.counts()
    return (f"Knowledge base: {c['added']} added, {c['updated']} updated, {c['removed']} removed, "
            f"{c['unchanged']} unchanged, {c['failed']} failed")


def refresh_knowledge(
    session_factory: sessionmaker[Session],
    config: KnowledgeConfig,
    base_dir: Path,
    *,
    on_file: Callable[[int, int, str], None] | None = None,
    log_errors: bool = True,
) -> IndexReport | None:
    """One incremental pass over ``config.folders`` (:func:`kb.index.index_knowledge`); None
    when no folder is configured (nothing is read or written).

    Each failed file is logged (unless ``log_errors`` is False: the caller shows them) at WARNING as ``knowledge article not indexed: <path>: <reason>``
    (structured fields ``kb_path``, ``kb_reason``); a pass that changed something is logged at
    INFO with its counts. Raises ConfigError for a missing folder (nothing changed then) and
    the database's errors (SQLAlchemy) as they come."""
    if not config.folders:
        return None
    report = index_knowledge(session_factory, config, base_dir, on_file=on_file)
    for path, reason in report.errors if log_errors else ():
        reason = reason[:REASON_MAX_CHARS]
        log.warning("knowledge article not indexed: %s: %s", path, reason, extra={"kb_path": path, "kb_reason": reason})
    if changed(report):
        log.info(summary_line(report), extra={f"kb_{k}": v for k, v in report.counts().items()})
    return report


def refresh_before_run(session_factory: sessionmaker[Session], config: KnowledgeConfig, base_dir: Path, console) -> IndexReport | None:
    """:func:`refresh_knowledge` for ``run --once``, with a transient progress bar on ``console``
    (a Rich console, stderr) while files are read; failed files are left to the caller to show
    (:func:`failure_lines`). Same return value and errors."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    if not config.folders:
        return None
    with Progress(TextColumn("indexing the knowledge base"), BarColumn(), MofNCompleteColumn(), console=console, transient=True) as bar:
        task = bar.add_task("", total=None)
        return refresh_knowledge(session_factory, config, base_dir, log_errors=False,
                                 on_file=lambda done, total, _path: bar.update(task, completed=done, total=total))


def failure_lines(report: IndexReport | None) -> list[str]:
    """``"knowledge article not indexed: <path>: <reason>"`` per failed file (plain text: the
    caller escapes it for its medium)."""
    return [f"knowledge article not indexed: {path}: {reason[:REASON_MAX_CHARS]}" for path, reason in (report.errors if report else [])]
