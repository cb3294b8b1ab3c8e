"""What the queue and item pages show, computed from storage (no web types here).

* :func:`queue` — open reviews a person may see, oldest first, with SLA time left and why each
  was escalated (routing rule, decision reasons, risk categories), filtered.
* :func:`highlight` — a text cut into plain and marked segments from finding/risk spans; the
  template escapes every segment, so client text never becomes markup.
* :func:`split_quoted` — the newest part of a message and its quoted history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from agent.config import Settings
from agent.models import is_citation_id
from console.authz import can_act, can_read
from console.identity import Identity
from jobs.review import ReviewRow, list_reviews
from storage.models import Decision, ReviewTask, RiskAssessmentRow

#: the age filter's choices: label -> minimum age in minutes
AGE_FILTERS = {"": 0, "1h": 60, "4h": 240, "1d": 1440, "3d": 4320}


@dataclass
class QueueRow:
    """One line of the queue page."""

    review: ReviewRow
    sla_minutes: int
    due_at: datetime | None
    minutes_left: int | None  # negative: overdue by that many minutes
    reasons: list[str]
    categories: list[str]
    can_act: bool

    @property
    def group_key(self) -> str:
        return self.review.group or "(no group: held)"

    @property
    def created_key(self) -> float:
        return self.review.created_at.timestamp() if self.review.created_at else 0.0

    @property
    def age_minutes(self) -> int:
        created = self.review.created_at or datetime.now(UTC)
        return int((datetime.now(UTC) - created).total_seconds() // 60)


@dataclass
class QueueFilters:
    """The queue's filters (query parameters ``group``, ``rule``, ``category``, ``source``,
    ``age`` = a key of :data:`AGE_FILTERS`); empty strings filter nothing."""

    group: str = ""
    rule: str = ""
    category: str = ""
    source: str = ""
    age: str = ""


@dataclass
class QueuePage:
    rows: list[QueueRow]
    groups: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def _utc(dt: datetime | None) -> datetime | None:
    return dt.replace(tzinfo=UTC) if dt is not None and dt.tzinfo is None else dt


def sla_of(settings: Settings, group: str | None) -> int:
    """The group's ``sla_minutes`` (240, the config default, for a group not listed)."""
    for g in settings.reviewer_groups:
        if g.name == group:
            return g.sla_minutes
    return 240


def queue(session_factory: sessionmaker[Session], settings: Settings, identity: Identity, filters: QueueFilters, *, now: datetime | None = None) -> QueuePage:
    """The open reviews (escalated and held items) ``identity`` may read, oldest first.

    The SLA clock of a review starts when its group was notified (else when the task was made;
    an ``assign`` restarts it): ``minutes_left`` = start + the group's ``sla_minutes`` - now."""
    now = now or datetime.now(UTC)
    visible = [r for r in list_reviews(session_factory) if can_read(identity, r.group)]
    ids = [r.item_id for r in visible]
    decisions: dict[int, Decision] = {}
    risks: dict[int, RiskAssessmentRow] = {}
    tasks: dict[int, ReviewTask] = {}
    with session_factory() as s:
        if ids:
            for d in s.execute(select(Decision).where(Decision.item_id.in_(ids)).order_by(Decision.id)).scalars():
                decisions[d.item_id] = d
            for r in s.execute(select(RiskAssessmentRow).where(RiskAssessmentRow.item_id.in_(ids)).order_by(RiskAssessmentRow.id)).scalars():
                risks[r.item_id] = r
            for t in s.execute(select(ReviewTask).where(ReviewTask.item_id.in_(ids)).order_by(ReviewTask.id)).scalars():
                tasks[t.item_id] = t
    rows: list[QueueRow] = []
    for r in visible:
        sla = sla_of(settings, r.group)
        task = tasks.get(r.item_id)
        start = _utc(task.notified_at or task.created_at) if task else None
        due = start + timedelta(minutes=sla) if start else None
        left = int((due - now).total_seconds() / 60) if due else None  # whole minutes, toward zero
        d = decisions.get(r.item_id)
        risk = risks.get(r.item_id)
        cats = [str(c.get("id")) for c in (risk.categories or [])] if risk else []
        reasons = [str(x) for x in (d.reasons or [])] if d else []
        rows.append(QueueRow(r, sla, due, left, reasons, cats, can_act(identity, r.group)))
    page = QueuePage(
        rows=[],
        groups=sorted({r.review.group for r in rows if r.review.group}),
        rules=sorted({r.review.rule_id for r in rows if r.review.rule_id}),
        categories=sorted({c for r in rows for c in r.categories}),
        sources=sorted({r.review.source for r in rows}),
    )
    min_age = AGE_FILTERS.get(filters.age, 0)
    for row in rows:
        if filters.group and row.review.group != filters.group:
            continue
        if filters.rule and row.review.rule_id != filters.rule:
            continue
        if filters.category and filters.category not in row.categories:
            continue
        if filters.source and row.review.source != filters.source:
            continue
        if min_age and row.age_minutes < min_age:
            continue
        page.rows.append(row)
    return page


@dataclass(frozen=True)
class Segment:
    """A piece of a highlighted text: ``marks`` are the labels covering it (empty: plain)."""

    text: str
    marks: tuple[str, ...] = ()
    css: str = ""


def highlight(text: str, spans: Iterable[tuple[int, int, str, str]]) -> list[Segment]:
    """Cut ``text`` at the ``(start, end, label, css_class)`` spans (character offsets; out of
    range or empty spans are ignored; overlaps keep every label) into segments in order.
    Returns ``[Segment(text)]`` when no span applies."""
    n = len(text)
    good = [(max(0, a), min(n, b), label, css) for a, b, label, css in spans if 0 <= a < b and a < n]
    if not good:
        return [Segment(text)] if text else []
    cuts = sorted({0, n, *(a for a, _, _, _ in good), *(b for _, b, _, _ in good)})
    out: list[Segment] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        cover = [(label, css) for s, e, label, css in good if s <= a and b <= e]
        labels = tuple(dict.fromkeys(lbl for lbl, _ in cover))
        css = cover[0][1] if cover else ""
        out.append(Segment(text[a:b], labels, css))
    return out


def find_spans(text: str, items: Iterable[tuple[int | None, int | None, str | None, str, str]]) -> tuple[list[tuple[int, int, str, str]], list[str]]:
    """Place ``(start, end, excerpt, label, css)`` marks on ``text``: at ``start:end`` when the
    excerpt is there (or there is no excerpt), else at the first occurrence of the excerpt.
    Returns ``(spans, labels not placed)``."""
    spans: list[tuple[int, int, str, str]] = []
    missing: list[str] = []
    for start, end, excerpt, label, css in items:
        if start is not None and end is not None and 0 <= start < end <= len(text) and (not excerpt or text[start:end] == excerpt):
            spans.append((start, end, label, css))
            continue
        if excerpt:
            at = text.find(excerpt)
            if at >= 0:
                spans.append((at, at + len(excerpt), label, css))
                continue
        missing.append(label)
    return spans, missing


def split_quoted(text: str) -> tuple[str, str]:
    """``(newest part, quoted history)`` of a message body (``agent.mailtext.latest_reply``);
    the history is what follows the newest part, empty when the parser found none."""
    from agent.mailtext import latest_reply

    text = (text or "").replace("\r\n", "\n")
    newest = latest_reply(text)
    stripped = text.strip()
    if newest and stripped.startswith(newest) and len(stripped) > len(newest):
        return newest, stripped[len(newest):].strip("\n")
    return (newest or stripped), ""


@dataclass
class ItemPage:
    """Everything the item page shows (see :func:`item_page`)."""

    detail: object  # jobs.review.ReviewDetail
    message: object | None  # agent.models.InboundMessage
    message_error: str | None
    newest: list[Segment]
    quoted: str
    draft_segments: list[Segment]
    draft_findings: list[dict]
    other_findings: list[dict]
    risk_categories: list[dict]
    risk_evidence: list[dict]
    citations: list[dict]  # {"id", "title", "url" (http(s) only, else None)}
    unknown_citations: list[str]
    citations_dropped: int  # citations that were not snippet ids: counted, their text never shown
    reviewable: bool


def _web_url(url: object) -> bool:
    from urllib.parse import urlsplit

    if not isinstance(url, str) or not url:
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def item_page(services, item_id: int) -> ItemPage:
    """The item page's data: ``jobs.review.show_review`` plus the client's message (fetched
    from its source), finding spans placed on the draft, risk evidence placed on the message.

    Raises ``jobs.review.ReviewError`` for an unknown item."""
    from jobs.review import REVIEWABLE, show_review
    from storage.models import Draft, FindingRow, Item

    detail = show_review(services.session_factory, item_id)
    with services.session_factory() as s:
        item = s.get(Item, item_id)
        source_name, external_id = item.source, item.external_id
        draft = s.execute(select(Draft).where(Draft.item_id == item_id).order_by(Draft.id.desc()).limit(1)).scalar_one_or_none()
        grounding = (draft.grounding if draft is not None else None) or {}  # knowledge snippets and citations (agent/grounding.py)
        rows = s.execute(select(FindingRow).where(FindingRow.item_id == item_id).order_by(FindingRow.id)).scalars().all()
        findings = [
            {"rule_id": f.rule_id, "severity": f.severity, "target": f.target, "start": f.span_start, "end": f.span_end, "excerpt": f.excerpt, "message": f.message, "draft_id": f.draft_id}
            for f in rows
        ]
    message, message_error = None, None
    if services.fetch is not None:
        try:
            message = services.fetch(source_name, external_id)
        except Exception as exc:  # noqa: BLE001 - the page still shows the draft and history
            message_error = f"The client's message could not be read from its source ({type(exc).__name__})."
    else:
        message_error = "The client's message is not available here."
    newest_text, quoted = split_quoted(message.text_body if message else "")
    risk = detail.risk or {}
    evidence = risk.get("evidence") or []
    risk_spans, _ = find_spans(newest_text, [(None, None, e.get("excerpt"), f"risk: {e.get('category')}", "risk") for e in evidence if e.get("excerpt")])
    draft_text = detail.draft_text or ""
    on_draft = [f for f in findings if f["target"] == "draft" and draft is not None and f["draft_id"] == draft.id]
    other = [f for f in findings if f not in on_draft]
    spans, _ = find_spans(draft_text, [(f["start"], f["end"], f["excerpt"], f"{f['rule_id']} ({f['severity']})", f"sev-{f['severity']}") for f in on_draft])
    citations = [
        {"id": str(c.get("id") or ""), "title": str(c.get("title") or ""), "url": c.get("url") if _web_url(c.get("url")) else None}
        for c in grounding.get("citations") or []
        if isinstance(c, dict)
    ]
    unknown = [str(u) for u in grounding.get("unknown_citations") or [] if is_citation_id(u)]  # well-formed ids only
    dropped = int((grounding.get("citations_dropped") or {}).get("count") or 0) + len(grounding.get("unknown_citations") or []) - len(unknown)
    return ItemPage(
        detail=detail,
        message=message,
        message_error=message_error,
        newest=highlight(newest_text, risk_spans),
        quoted=quoted,
        draft_segments=highlight(draft_text, spans),
        draft_findings=on_draft,
        other_findings=other,
        risk_categories=list(risk.get("categories") or []),
        risk_evidence=evidence,
        citations=citations,
        unknown_citations=unknown,
        citations_dropped=dropped,
        reviewable=detail.row.state in REVIEWABLE,
    )
