"""What a ``main.py run --once`` did, in words: the lines printed under the summary table.

The counts come from the run's :class:`agent.pipeline.RunSummary`; the reasons from the store:
the items this run touched are those named by audit events appended after :func:`audit_mark`
(taken before the run), their skip rule is ``items.skip_rule`` (a skip rule such as
``auto-reply``, or ``routing:<rule id>``), their quarantine stage the open ``quarantine`` row.
The quarantine total counts every item still in quarantine, from this run or an earlier one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from agent.pipeline import STILL_QUARANTINED
from storage.models import AuditEvent, Item, ItemState, QuarantineEntry


@dataclass
class RunDetails:
    """Why items ended as they did in one run: ``skip_rules`` and ``quarantine_stages`` count
    this run's skipped / quarantined items by rule and stage; ``in_quarantine`` is the number
    of items in quarantine now (every run so far)."""

    skip_rules: Counter = field(default_factory=Counter)
    quarantine_stages: Counter = field(default_factory=Counter)
    in_quarantine: int = 0


def audit_mark(session_factory: sessionmaker[Session]) -> int:
    """The highest audit sequence number now (0 for an empty chain); pass it to :func:`run_details`."""
    with session_factory() as s:
        return s.execute(select(func.max(AuditEvent.seq))).scalar() or 0


def run_details(session_factory: sessionmaker[Session], since_seq: int) -> RunDetails:
    """Skip rules and quarantine stages of the items with audit events after ``since_seq``."""
    details = RunDetails()
    with session_factory() as s:
        touched = select(AuditEvent.item_id).where(AuditEvent.seq > since_seq, AuditEvent.item_id.is_not(None)).distinct()
        for rule, n in s.execute(
            select(Item.skip_rule, func.count()).where(Item.id.in_(touched), Item.state == ItemState.SKIPPED).group_by(Item.skip_rule)
        ):
            details.skip_rules[rule or "unknown"] += n
        for stage, n in s.execute(
            select(QuarantineEntry.stage, func.count())
            .join(Item, Item.id == QuarantineEntry.item_id)
            .where(Item.id.in_(touched), Item.state == ItemState.QUARANTINED, QuarantineEntry.released_at.is_(None))
            .group_by(QuarantineEntry.stage)
        ):
            details.quarantine_stages[stage] += n
        details.in_quarantine = s.execute(select(func.count()).select_from(Item).where(Item.state == ItemState.QUARANTINED)).scalar() or 0
    return details


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _breakdown(counter: Counter) -> str:
    return ", ".join(f"{key} {n}" for key, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def summary_lines(counts: Counter, details: RunDetails) -> list[str]:
    """The plain-text lines under the summary table (no markup; the caller escapes them).

    ``counts`` are the run's outcomes (``drafted``, ``skipped``, ``duplicate``,
    :data:`STILL_QUARANTINED`, ...)."""
    lines: list[str] = []
    answered = counts["drafted"] + counts["escalated"] + counts["held"] + counts["shadow"]  # shadow: decided, not placed
    skipped, quarantined = counts["skipped"], counts["quarantined"]
    if skipped + quarantined and not answered:
        lines.append(f"Nothing drafted: all {_plural(skipped + quarantined, 'new message')} were skipped or quarantined.")
    if skipped:
        lines.append(f"Skipped {skipped}: {_breakdown(details.skip_rules) or 'reasons not recorded'}.")
    if quarantined:
        lines.append(f"Quarantined {quarantined} (by stage): {_breakdown(details.quarantine_stages) or 'not recorded'}.")
    again, done = counts[STILL_QUARANTINED], counts["duplicate"]
    seen = sum(counts.values())
    if seen and seen == done:
        lines.append("Nothing new: every message was already processed.")
    elif seen and seen == done + again:
        lines.append(f"Nothing new: {done} already processed, {again} still in quarantine.")
    if details.in_quarantine:
        lines.append(
            f"{_plural(details.in_quarantine, 'item')} in quarantine: `main.py quarantine list` shows why; "
            "`main.py quarantine release ITEM` retries one after its cause is fixed."
        )
    return lines
