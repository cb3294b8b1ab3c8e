"""``GET /dashboard``: figures for everyone with access (reviewers and auditors): items by state
over time, escalations by rule and by risk category, time to review against each group's SLA,
acceptance and edit similarity of drafts, the shadow sources' draft quality
(:func:`jobs.shadow_outcomes.shadow_quality`, all recorded shadow items) and the variants'
figures (:func:`jobs.variants.report` over the window's drafts). Charts are SVG images from
``GET /dashboard/charts/{name}.svg`` (:mod:`console.routes.charts`, pygal), each with the table of
its figures under it; the variants chart is drawn from the rows the page already holds and sent
inside the page (a ``data:`` image, which runs no script), so a view computes the report once. Counts, durations and ratios only (:mod:`console.routes.dashboard_data`):
no client text, no names. Variant and source names come from the config and the database and are
escaped like any text. ``?days=`` picks the window (7, 14, 30 or 90 whole UTC days; default 14).
"""

from __future__ import annotations

import base64

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from console.authz import require_identity
from console.identity import Identity
from console.routes import charts
from console.routes import dashboard_data as data

router = APIRouter()
DEFAULT_DAYS = 14
CHARTS = ("states", "rules", "categories", "review_time", "acceptance", "edit_similarity", "outcome_similarity", "variants")


def _days(days: int | None) -> int:
    return days if days in data.WINDOWS else DEFAULT_DAYS


def _sla(settings) -> dict[str, int]:
    return {g.name: g.sla_minutes for g in settings.reviewer_groups}


def _variants(request: Request, days: int) -> list[dict]:
    """The rows of :func:`jobs.variants.report` for drafts of the last ``days`` days."""
    from jobs.variants import report

    return report(request.app.state.services.session_factory, request.app.state.settings, since_days=days)["variants"]


def _variants_svg(rows: list[dict], days: int) -> bytes:
    """The variants chart (escalation, fallback and acceptance rate per variant) of ``rows``
    (:func:`_variants`) as SVG bytes without script."""
    return charts.variants_chart(
        f"Variants: escalation, fallback and acceptance rates (last {days} days)",
        [v["name"] for v in rows],
        {k: [(v.get(key) or {}).get("rate") for v in rows] for k, key in (("escalated", "escalation_rate"), ("fallback", "fallback_rate"), ("accepted (placed drafts)", "acceptance_rate"))},
    )


def figures(request: Request, days: int) -> dict:
    """Every figure of the dashboard for a ``days`` window (see :mod:`console.routes.dashboard_data`;
    ``shadow``: :func:`jobs.shadow_outcomes.shadow_quality` per source; ``variants``: the rows of
    :func:`jobs.variants.report`)."""
    from jobs.shadow_outcomes import shadow_quality

    since = data.window_start(days)
    sf = request.app.state.services.session_factory
    with sf() as s:
        out = {
            "days": days,
            "since": since,
            "states": data.states_over_time(s, since, days),
            "escalations": data.escalations(s, since),
            "timing": data.review_times(s, since, _sla(request.app.state.settings)),
            "acceptance": data.acceptance(s, since),
        }
    out["shadow"] = shadow_quality(sf)
    out["variants"] = _variants(request, days)
    return out


@router.get("/dashboard")
def dashboard(request: Request, days: int | None = None, identity: Identity = Depends(require_identity)) -> Response:
    from console.app import render

    f = figures(request, _days(days))
    acc: data.Acceptance = f["acceptance"]
    f.update(
        windows=data.WINDOWS,
        charts=CHARTS,
        state_totals=sorted(((k, sum(v)) for k, v in f["states"].series.items()), key=lambda x: -x[1]),
        edit_buckets=data.similarity_histogram(acc.edit_similarity),
        outcome_buckets=data.similarity_histogram(acc.outcome_similarity),
        variants_chart="data:image/svg+xml;base64," + base64.b64encode(_variants_svg(f["variants"], f["days"])).decode("ascii"),
    )
    return render(request, "dashboard.html", f)


@router.get("/dashboard/charts/{name}.svg")
def chart(request: Request, name: str, days: int | None = None, identity: Identity = Depends(require_identity)) -> Response:
    """One chart as SVG; each reads only the figures it draws."""
    if name not in CHARTS:
        raise HTTPException(status_code=404, detail="No such chart.")
    n = _days(days)
    since = data.window_start(n)
    if name == "variants":
        svg = _variants_svg(_variants(request, n), n)
        return Response(svg, media_type="image/svg+xml", headers={"Content-Security-Policy": charts.SVG_CSP})
    with request.app.state.services.session_factory() as s:
        if name == "states":
            st = data.states_over_time(s, since, n)
            svg = charts.states_chart(st.days, st.series)
        elif name in ("rules", "categories"):
            esc = data.escalations(s, since)
            if name == "rules":
                svg = charts.bars_chart(f"Escalations by routing rule (last {n} days)", esc.by_rule)
            else:
                svg = charts.bars_chart(f"Escalated items by risk category (last {n} days)", esc.by_category)
        elif name == "review_time":
            t = data.review_times(s, since, _sla(request.app.state.settings))
            svg = charts.review_time_chart([g.group for g in t], [g.median_minutes for g in t], [g.p90_minutes for g in t], [g.sla_minutes for g in t])
        else:
            acc = data.acceptance(s, since)
            if name == "acceptance":
                svg = charts.acceptance_chart(acc.approved_as_is, acc.approved_edited, acc.rejected, acc.outcomes)
            elif name == "edit_similarity":
                svg = charts.similarity_chart("Reviewers' edits: similarity of the approved text to the draft", data.similarity_histogram(acc.edit_similarity))
            else:
                svg = charts.similarity_chart("Sent replies: similarity to the placed draft", data.similarity_histogram(acc.outcome_similarity))
    return Response(svg, media_type="image/svg+xml", headers={"Content-Security-Policy": charts.SVG_CSP})
