"""The risk assessment as the command line shows it (``draft --dry-run``, ``review show``).

One record shape for both: ``{"score", "must_review", "categories", "evidence", "detail"}``, as
stored in ``risk_assessments`` (:class:`storage.models.RiskAssessmentRow`) and as computed by a
dry run (:class:`agent.risk.RiskResult`). Evidence excerpts are client-derived text (redacted, but
written by the sender): on the terminal they go through :func:`shown`, which escapes Rich markup
and makes control characters visible (``\\x1b``), so an excerpt can neither style nor move the
terminal.
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.table import Table

from agent.risk import RiskResult, summary_line
from agent.terminal import literal

EXCERPT_SHOWN_CHARS = 120  # an excerpt is cut to this many characters on the terminal
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def record_of(result: RiskResult) -> dict:
    """The record of a dry run's :class:`~agent.risk.RiskResult` (same keys as a stored row)."""
    return {
        "score": result.assessment.score,
        "must_review": result.must_review,
        "categories": result.categories(),
        "evidence": result.evidence(),
        "detail": result.detail(),
    }


def record_of_row(row) -> dict:
    """The record of a stored :class:`storage.models.RiskAssessmentRow` (``evidence`` None once
    retention purged it)."""
    return {
        "id": row.id,
        "draft_id": row.draft_id,
        "score": row.score,
        "must_review": row.must_review,
        "categories": row.categories or [],
        "evidence": row.evidence,
        "detail": row.detail or {},
    }


def summary(record: dict) -> str:
    """One line of ids and numbers: ``fraud_report 0.93, complaint 0.61 (must review)``."""
    ranked = [(c["id"], float(c["score"])) for c in record.get("categories") or []]
    return summary_line(ranked, bool(record.get("must_review")), (record.get("detail") or {}).get("reasons") or ())


def shown(text: object, limit: int = EXCERPT_SHOWN_CHARS) -> str:
    """Client-derived ``text`` made safe for a Rich console: whitespace runs become one space,
    control, zero-width and bidi characters are shown as ``\\xNN``/``\\uNNNN``, Rich markup is
    escaped, and the result is cut to ``limit`` characters (``…``)."""
    s = " ".join(str(text or "").split())
    s = _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 0x100 else f"\\u{ord(m.group(0)):04x}", s)
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return literal(s)


def _where(e: dict) -> str:
    if e.get("signal") == "lexicon":
        part = e.get("part") or ""
        if "start" in e:
            return f"{e.get('field')} {e['start']}-{e['end']}"
        if part == "hidden":
            return f"{e.get('field')} (hidden HTML text)"
        if part.startswith("payload"):
            return f"{e.get('field')} (decoded {part})"
        return f"{e.get('field')} (matched personal data: not shown)"
    if e.get("signal") == "normaliser":
        return e.get("field") or ""
    return ""


def print_risk(console: Console, record: dict | None) -> None:
    """Print the risk line, the reasons and signal versions, and the evidence table."""
    if record is None:
        console.print("[bold]Risk:[/] not assessed (item analysed before the risk stage existed)", highlight=False)
        return
    detail = record.get("detail") or {}
    console.print(f"[bold]Risk (score {float(record.get('score') or 0):.2f}):[/] {literal(summary(record))}", highlight=False)
    reasons = detail.get("reasons") or []
    if reasons:
        console.print(f"  reasons: {literal(', '.join(reasons))}", highlight=False)
    rev = detail.get("reviewer")
    if rev:
        state = f"failed: {rev.get('error')}" if rev.get("failed") else "answered " + (", ".join(rev.get("answered") or []) or "no category")
        console.print(f"  model reviewer {literal(rev.get('template_id'))}: {literal(state)}", highlight=False)
    elif "reviewer" in detail:
        console.print("  model reviewer: not configured", highlight=False)
    if not record.get("categories"):
        return
    if record.get("evidence") is None:
        console.print("  evidence purged by retention", highlight=False)
        return
    t = Table(title="Risk evidence (redacted text)")
    for col in ("category", "signal", "rule / source", "where", "excerpt"):
        t.add_column(col, overflow="fold")
    for e in record["evidence"]:
        t.add_row(literal(e.get("category")), literal(e.get("signal")), literal(e.get("ref")), literal(_where(e)), shown(e.get("excerpt", "")))
    console.print(t)
