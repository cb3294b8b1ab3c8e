"""The dashboard's charts: server-rendered SVG with pygal, shown as ``<img>`` (an SVG image never
runs script, whatever it holds) and served with a CSP of its own.

pygal writes a small ``<script>`` (its tooltip config) into every chart: it is removed here, so
the SVG is only shapes, text and pygal's own ``<style>``. Labels are rule ids, group names, state
names, dates and numbers (configuration and counts, never client text); pygal escapes them as XML.
The page's CSP forbids inline style; the chart response carries ``style-src 'unsafe-inline'``
(for pygal's ``<style>``) and nothing else (``default-src 'none'``): see :data:`SVG_CSP`.
"""

from __future__ import annotations

import re

import pygal
from pygal.style import Style

#: the CSP of a chart response: its own <style> and nothing else (no script, no fetch, no fonts)
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#8a949e",
    font_family="DejaVu Sans, Arial, sans-serif",
    title_font_size=15,
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=11,
    value_font_size=10,
    colors=("#2f6fde", "#e0862b", "#3aa76d", "#c94c4c", "#8a5cc2", "#3fb1c2", "#a38a2f", "#6b7785", "#d46fb0", "#5a7d2e"),
)
# State colours: the same state has the same colour on every page.
STATE_COLORS = {
    "drafted": "#3aa76d",
    "escalated": "#e0862b",
    "held": "#d4b02f",
    "rejected": "#c94c4c",
    "skipped": "#8a949e",
    "quarantined": "#8a5cc2",
    "routed": "#2f6fde",
    "processing": "#3fb1c2",
    "new": "#b8c2cc",
}


def _base(cls, title: str, **kw):
    opts = {
        "style": STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "width": 720,
        "height": 320,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 5,
        "print_values": False,
        "show_y_guides": True,
        "truncate_legend": 30,
        "truncate_label": 24,
        "no_data_text": "No data in this period",
        "margin": 12,
        "margin_bottom": 36,  # pygal under-estimates the height of a bottom legend: room for its last row
        "legend_box_size": 10,
    }
    opts.update(kw)
    chart = cls(**opts)
    chart.title = title
    return chart


def _count_axis(chart, values: list[int | None], horizontal: bool = False) -> None:
    """Whole-number ticks on a count axis (at most about 8 of them); none without any series
    (pygal then draws its "no data" text)."""
    if not values:
        return
    top = max([v for v in values if v] or [1])
    step = max(1, -(-top // 8))
    ticks = list(range(0, top + step, step))
    chart.y_labels = ticks
    chart.range = (0, ticks[-1])


def render(chart) -> bytes:
    """The chart as SVG bytes without pygal's script."""
    svg = chart.render(is_unicode=True)
    return _SCRIPT.sub("", svg).encode("utf-8")


def states_chart(days: list[str], series: dict[str, list[int]]) -> bytes:
    """Stacked bars: items received per day by current state."""
    style = Style(**{**STYLE.__dict__, "colors": tuple(STATE_COLORS.get(k, "#6b7785") for k in series)})
    chart = _base(pygal.StackedBar, "Items received per day, by current state", style=style, x_label_rotation=30,
                  show_minor_x_labels=False, x_labels_major_every=max(1, len(days) // 10))
    chart.x_labels = [d[5:] for d in days]  # MM-DD
    for state, counts in series.items():
        chart.add(state, counts)
    _count_axis(chart, [sum(day) for day in zip(*series.values(), strict=True)] if series else [])
    return render(chart)


def bars_chart(title: str, rows: list[tuple[str, int]], limit: int = 12) -> bytes:
    """Horizontal bars of ``(label, count)`` rows, largest first (the rest summed as "other")."""
    shown = rows[:limit]
    rest = sum(n for _, n in rows[limit:])
    if rest:
        shown = shown + [("other", rest)]
    chart = _base(pygal.HorizontalBar, title, show_legend=False, print_values=True, height=max(200, 60 + 28 * len(shown)))
    chart.x_labels = [label for label, _ in reversed(shown)]
    chart.add("count", [n for _, n in reversed(shown)])
    _count_axis(chart, [n for _, n in shown])
    return render(chart)


def review_time_chart(groups: list[str], median: list[float | None], p90: list[float | None], sla: list[int]) -> bytes:
    """Grouped bars per reviewer group: median and 90th percentile minutes to review, and the SLA."""
    chart = _base(pygal.Bar, "Time to review (minutes) against the SLA", x_label_rotation=0)
    chart.x_labels = groups
    chart.add("median", median)
    chart.add("90th percentile", p90)
    chart.add("SLA", sla)
    return render(chart)


def acceptance_chart(approved_as_is: int, approved_edited: int, rejected: int, outcomes: dict[str, int]) -> bytes:
    """Two stacked horizontal bars: reviewers' decisions, and what became of placed drafts."""
    chart = _base(pygal.HorizontalStackedBar, "Acceptance: reviewers' decisions and placed drafts", height=300, legend_at_bottom_columns=4)
    chart.x_labels = ["reviews", "placed drafts"]
    chart.add("approved as is", [approved_as_is, None])
    chart.add("approved with edits", [approved_edited, None])
    chart.add("rejected", [rejected, None])
    names = {"sent": "sent unchanged", "edited_sent": "edited, then sent", "deleted": "deleted", "waiting": "not sent yet", "unchecked": "not checked"}
    for key, n in outcomes.items():
        chart.add(names.get(key, key), [None, n])
    _count_axis(chart, [approved_as_is + approved_edited + rejected, sum(outcomes.values())])
    return render(chart)


def similarity_chart(title: str, buckets: list[tuple[str, int]]) -> bytes:
    """A histogram of similarity buckets."""
    chart = _base(pygal.Bar, title, show_legend=False, print_values=True, height=280)
    chart.x_labels = [label for label, _ in buckets]
    chart.add("drafts", [n for _, n in buckets])
    _count_axis(chart, [n for _, n in buckets])
    return render(chart)


def variants_chart(title: str, names: list[str], rates: dict[str, list[float | None]]) -> bytes:
    """Grouped bars per variant: each series of ``rates`` (label -> rate 0..1 per name, None for
    no data) in percent. Variant names come from the config (escaped as XML by pygal)."""
    chart = _base(pygal.Bar, title, x_label_rotation=0, range=(0, 100), value_formatter=lambda v: f"{v:.0f}%")
    chart.x_labels = names
    if any(r is not None for series in rates.values() for r in series):
        for label, series in rates.items():
            chart.add(label, [None if r is None else round(100 * r, 1) for r in series])
    return render(chart)
