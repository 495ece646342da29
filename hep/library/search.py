"""Searching the exercise library a clinic sees (the shipped one plus its own)."""
from __future__ import annotations

from hep.library.catalog import PHASES
from hep.models import Exercise

#: The ``equipment`` filter's value for exercises that need nothing.
NO_EQUIPMENT = "none"


def search_exercises(clinic_id: int, phase: str | None = None, query: str | None = None, *,
                     family: str | None = None, direction: str | None = None,
                     irritability: str | None = None, region: str | None = None,
                     equipment: str | None = None) -> list[Exercise]:
    """Active exercises visible to ``clinic_id``, by phase then name; ``phase`` (one of
    ``PHASES``, anything else ignored) and ``query`` (matched in the name, summary and
    category, case-insensitively) narrow the list, as do ``family`` (exact), ``direction``
    (``tags.direction`` equal), ``irritability`` (listed in ``tags.irritability``),
    ``region`` (listed in ``regions``) and ``equipment`` (listed in ``equipment``; ``"none"``:
    needs nothing). A clinic's own exercises have no tags, so a tag filter leaves them out."""
    rows = Exercise.visible_to(clinic_id)
    if phase in PHASES:
        rows = rows.where(Exercise.phase == phase)
    if family:
        rows = rows.where(Exercise.family == family)
    term = (query or "").strip().lower()
    if term:
        like = f"%{term}%"
        rows = rows.where(Exercise.name.ilike(like) | Exercise.summary.ilike(like) | Exercise.category.ilike(like))
    found = list(rows.order_by(Exercise.phase, Exercise.name))
    # Tags are JSON text on both databases; the library is small, so they are matched here.
    if direction:
        found = [e for e in found if (e.tags or {}).get("direction") == direction]
    if irritability:
        found = [e for e in found if irritability in (e.tags or {}).get("irritability", ())]
    if region:
        found = [e for e in found if region in (e.regions or ())]
    if equipment == NO_EQUIPMENT:
        found = [e for e in found if not e.equipment]
    elif equipment:
        found = [e for e in found if equipment in (e.equipment or ())]
    return found
