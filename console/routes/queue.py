"""``GET /`` (→ /queue) and ``GET /queue``: the open reviews the signed-in person may see."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from console.authz import require_identity
from console.identity import Identity
from console.views import AGE_FILTERS, QueueFilters, queue

router = APIRouter()


@router.get("/")
def home(identity: Identity = Depends(require_identity)) -> Response:
    return RedirectResponse("/queue", status_code=303)


@router.get("/queue")
def queue_page(
    request: Request,
    identity: Identity = Depends(require_identity),
    group: str = "",
    rule: str = "",
    category: str = "",
    source: str = "",
    age: str = "",
) -> Response:
    from console.app import render

    filters = QueueFilters(group=group[:100], rule=rule[:100], category=category[:100], source=source[:200], age=age if age in AGE_FILTERS else "")
    services = request.app.state.services
    page = queue(services.session_factory, request.app.state.settings, identity, filters)
    name = "queue_rows.html" if request.headers.get("hx-request") and request.headers.get("hx-target") == "queue-table" else "queue.html"
    return render(request, name, {"page": page, "filters": filters, "age_filters": list(AGE_FILTERS)})
