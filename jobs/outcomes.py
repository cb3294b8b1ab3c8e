"""The outcome tracking job: asks every source that can tell what became of its drafts.

A source opts in with a method ``track_outcomes(session_factory) -> dict[str, int]``
(the Outlook source does: :mod:`connectors.outlook.outcomes`). Results land on the
``deliveries`` rows (``outcome``, ``outcome_similarity``, ``outcome_checked_at``) and are
shown by ``main.py status``. One failing source never stops the others.

Shadow sources (issue 15): their drafts are compared with what a person sent
(:func:`jobs.shadow_outcomes.score_shadow_drafts`, under ``"shadow:<source name>"``; one shadow
source's failure, its database's included, is counted under its own ``"errors"`` and the others
are still scored), and the automatic stop of variants runs here too
(:func:`jobs.variants.auto_stop`, under ``"variants_stopped"``).
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def track_outcomes(runtime: Any) -> dict[str, dict[str, int]]:
    """Run outcome tracking for each source of ``runtime`` (a :class:`jobs.bootstrap.Runtime`).

    Returns ``{source name: counts per outcome}``; a source that failed maps to ``{"errors": 1}``."""
    out: dict[str, dict[str, int]] = {}
    for source in runtime.sources:
        fn = getattr(source, "track_outcomes", None)
        if fn is None:
            continue
        try:
            out[source.name] = fn(runtime.session_factory)
        except Exception as exc:  # noqa: BLE001 - one source must not stop the job
            log.warning("outcome tracking for %s failed: %s", source.name, exc)
            out[source.name] = {"errors": 1}
    from jobs.shadow_outcomes import score_shadow_drafts
    from jobs.variants import auto_stop

    try:  # each source is isolated inside (its failure is its own "errors"); this only guards the rest of the job
        for name, counts in score_shadow_drafts(runtime.settings, runtime.session_factory, sources=runtime.sources).items():
            out[f"shadow:{name}"] = counts  # only sources with a sent folder and shadow items
    except Exception as exc:  # noqa: BLE001 - the comparison must not stop the job
        log.warning("shadow draft scoring failed: %s", exc)
        out["shadow"] = {"errors": 1}
    try:
        stopped = auto_stop(runtime.session_factory, runtime.settings)
        if stopped:
            out["variants_stopped"] = {x["variant"]: 1 for x in stopped}
    except Exception as exc:  # noqa: BLE001
        log.warning("variant auto stop check failed: %s", exc)
    return out
