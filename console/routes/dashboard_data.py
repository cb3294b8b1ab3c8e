"""The dashboard's figures, computed from storage (counts, durations and ratios only: no client
text, no names). Every function takes a SQLAlchemy session and a window start ``since`` (aware
UTC) and returns plain data for :mod:`console.routes.charts` and the tables under the charts.

Sources of each figure:

* items by state over time: ``items.created_at`` per UTC day, stacked by the item's current state;
* escalations by rule and category: ``review_tasks`` created in the window by ``rule_id``; by
  category, the latest ``risk_assessments`` row of each escalated item (``categories[].id``);
* time to review against SLA: resolved ``review_tasks`` (``resolved_at - created_at``, minutes)
  per group against ``[[reviewer_groups]] sla_minutes``; open tasks past their SLA counted too;
* acceptance and edit similarity: reviewers' decisions (``review_tasks.status`` approved /
  rejected, and the ``reviewed`` audit events with ``action = "edit"`` for approved-with-edits,
  whose ``similarity`` is rapidfuzz's ratio of the edited text to the draft, ``jobs/review.py``);
  what became of placed drafts (``deliveries.outcome``: sent unchanged, edited then sent, deleted,
  waiting, unchecked; ``outcome_similarity`` from the outcome job, ``connectors/outlook/outcomes.py``).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import AuditEvent, Delivery, Item, ReviewTask, RiskAssessmentRow

#: windows the dashboard offers (days)
WINDOWS = (7, 14, 30, 90)
#: similarity buckets (lower bounds, 0..1) of the edit similarity histogram
SIMILARITY_BUCKETS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0)
OUTCOME_ORDER = ("sent", "edited_sent", "deleted", "waiting", "unchecked")


def aware(dt: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes stored as UTC: make them aware."""
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def window_start(days: int, now: datetime | None = None) -> datetime:
    """Midnight UTC ``days - 1`` days before today (so the window holds ``days`` whole days)."""
    now = now or datetime.now(UTC)
    return (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass
class StatesOverTime:
    """``days``: ISO dates; ``series``: state -> count per day (same length as ``days``)."""

    days: list[str]
    series: dict[str, list[int]]

    def total(self) -> int:
        return sum(sum(v) for v in self.series.values())


def states_over_time(s: Session, since: datetime, days: int) -> StatesOverTime:
    """Items received (``created_at``) per day in the window, by current state."""
    labels = [(since + timedelta(days=i)).date().isoformat() for i in range(days)]
    index = {d: i for i, d in enumerate(labels)}
    series: dict[str, list[int]] = defaultdict(lambda: [0] * days)
    rows = s.execute(select(Item.created_at, Item.state).where(Item.created_at >= since)).all()
    for created, state in rows:
        i = index.get(aware(created).date().isoformat())
        if i is not None:
            series[state][i] += 1
    return StatesOverTime(labels, dict(sorted(series.items())))


@dataclass
class Escalations:
    """Counts of review tasks created in the window, by routing rule and by risk category."""

    by_rule: list[tuple[str, int]]
    by_category: list[tuple[str, int]]
    total: int


def escalations(s: Session, since: datetime) -> Escalations:
    """Escalations (review tasks) in the window by rule id, and by the risk categories of their items."""
    by_rule = s.execute(
        select(ReviewTask.rule_id, func.count()).where(ReviewTask.created_at >= since).group_by(ReviewTask.rule_id)
    ).all()
    # the escalated items as a subquery, not a bound parameter per item (SQLite allows 32,766, PostgreSQL 65,535)
    escalated = select(ReviewTask.item_id).where(ReviewTask.created_at >= since)
    cats: Counter[str] = Counter()
    latest = (
        select(RiskAssessmentRow.item_id, func.max(RiskAssessmentRow.id).label("rid"))
        .where(RiskAssessmentRow.item_id.in_(escalated))
        .group_by(RiskAssessmentRow.item_id)
        .subquery()
    )
    for (categories,) in s.execute(select(RiskAssessmentRow.categories).join(latest, RiskAssessmentRow.id == latest.c.rid)).all():
        for c in categories or []:
            cid = c.get("id") if isinstance(c, dict) else None
            if cid:
                cats[str(cid)] += 1
    rules = sorted(((str(r), int(n)) for r, n in by_rule), key=lambda x: (-x[1], x[0]))
    return Escalations(rules, sorted(cats.items(), key=lambda x: (-x[1], x[0])), sum(n for _, n in rules))


@dataclass
class GroupTiming:
    """Time to review of one reviewer group: minutes of resolved tasks, SLA, open tasks overdue."""

    group: str
    sla_minutes: int
    resolved: int = 0
    within_sla: int = 0
    median_minutes: float | None = None
    p90_minutes: float | None = None
    open_overdue: int = 0
    open_total: int = 0

    @property
    def within_rate(self) -> float | None:
        return round(self.within_sla / self.resolved, 3) if self.resolved else None


def _quantile(values: list[float], q: float) -> float | None:
    """Nearest-rank quantile (the ceil(q * n)-th smallest, no interpolation); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))  # rank ceil(q * n), 1-based
    return round(ordered[k], 1)


def review_times(s: Session, since: datetime, sla: dict[str, int], now: datetime | None = None) -> list[GroupTiming]:
    """Per reviewer group (every configured group, plus any group found in the tasks): resolved
    tasks in the window with median / p90 minutes to resolution and how many within the SLA;
    open tasks and how many are past their SLA now."""
    now = now or datetime.now(UTC)
    minutes: dict[str, list[float]] = defaultdict(list)
    for group, created, resolved in s.execute(
        select(ReviewTask.group, ReviewTask.created_at, ReviewTask.resolved_at).where(
            ReviewTask.resolved_at.is_not(None), ReviewTask.resolved_at >= since
        )
    ).all():
        minutes[group].append(max(0.0, (aware(resolved) - aware(created)).total_seconds() / 60))
    open_rows = s.execute(select(ReviewTask.group, ReviewTask.created_at).where(ReviewTask.status == "open")).all()
    groups = list(sla) + sorted({g for g in minutes if g not in sla} | {g for g, _ in open_rows if g not in sla})
    out = []
    for g in groups:
        limit = sla.get(g, 0)
        vals = minutes.get(g, [])
        t = GroupTiming(g, limit, resolved=len(vals), within_sla=sum(1 for v in vals if limit and v <= limit))
        t.median_minutes, t.p90_minutes = _quantile(vals, 0.5), _quantile(vals, 0.9)
        for og, created in open_rows:
            if og == g:
                t.open_total += 1
                if limit and (now - aware(created)).total_seconds() / 60 > limit:
                    t.open_overdue += 1
        out.append(t)
    return out


@dataclass
class Acceptance:
    """Reviewers' decisions and what became of placed drafts in the window."""

    approved_as_is: int = 0
    approved_edited: int = 0
    rejected: int = 0
    edit_similarity: list[float] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)
    outcome_similarity: list[float] = field(default_factory=list)

    @property
    def review_acceptance(self) -> float | None:
        """Approved (with or without edits) / decided reviews."""
        decided = self.approved_as_is + self.approved_edited + self.rejected
        return round((self.approved_as_is + self.approved_edited) / decided, 3) if decided else None

    @property
    def placed_acceptance(self) -> float | None:
        """(sent + edited_sent) / decided placed drafts (as ``main.py status``)."""
        decided = sum(self.outcomes.get(k, 0) for k in ("sent", "edited_sent", "deleted"))
        return round((self.outcomes.get("sent", 0) + self.outcomes.get("edited_sent", 0)) / decided, 3) if decided else None

    @property
    def mean_edit_similarity(self) -> float | None:
        return round(sum(self.edit_similarity) / len(self.edit_similarity), 3) if self.edit_similarity else None


def acceptance(s: Session, since: datetime) -> Acceptance:
    """Reviewer approvals (as is / edited) and rejections, the edit similarity of approved edits,
    and the outcomes of drafts placed in the window."""
    acc = Acceptance()
    since_s = since.astimezone(UTC).isoformat(timespec="microseconds")
    edited_items: set[int] = set()
    for item_id, data in s.execute(
        select(AuditEvent.item_id, AuditEvent.data).where(AuditEvent.event == "reviewed", AuditEvent.ts >= since_s)
    ).all():
        if isinstance(data, dict) and data.get("action") == "edit":
            if item_id is not None:
                edited_items.add(item_id)
            sim = data.get("similarity")
            if isinstance(sim, int | float):
                acc.edit_similarity.append(float(sim))
    for item_id, status in s.execute(
        select(ReviewTask.item_id, ReviewTask.status).where(ReviewTask.resolved_at.is_not(None), ReviewTask.resolved_at >= since)
    ).all():
        if status == "approved":
            if item_id in edited_items:
                acc.approved_edited += 1
            else:
                acc.approved_as_is += 1
        elif status == "rejected":
            acc.rejected += 1
    outcomes: Counter[str] = Counter()
    for outcome, sim in s.execute(select(Delivery.outcome, Delivery.outcome_similarity).where(Delivery.created_at >= since)).all():
        outcomes[outcome or "unchecked"] += 1
        if outcome in ("sent", "edited_sent") and sim is not None:
            acc.outcome_similarity.append(float(sim))
    acc.outcomes = {k: outcomes.get(k, 0) for k in OUTCOME_ORDER} | {k: v for k, v in outcomes.items() if k not in OUTCOME_ORDER}
    return acc


def similarity_histogram(values: list[float]) -> list[tuple[str, int]]:
    """Counts per bucket of :data:`SIMILARITY_BUCKETS` (``"0.90–0.95"``, last bucket ``"1.00"`` = unchanged)."""
    bounds = SIMILARITY_BUCKETS
    labels = [f"{bounds[i]:.2f}–{bounds[i + 1]:.2f}" for i in range(len(bounds) - 2)] + [f"{bounds[-2]:.2f}–<1", "1.00"]
    counts = [0] * len(labels)
    for v in values:
        if v >= 1.0:
            counts[-1] += 1
            continue
        for i in range(len(bounds) - 1, -1, -1):
            if v >= bounds[i]:
                counts[min(i, len(labels) - 2)] += 1
                break
    return list(zip(labels, counts, strict=True))
