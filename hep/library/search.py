"""Searching the exercise library a clinic sees (the shipped one plus its own)."""
from __future__ import annotations

from hep.library.catalog import PHASES
from hep.models import Exercise


def search_exercises(clinic_id: int, phase: str | None = None, query: str | None = None) -> list[Exercise]:
    """Active exercises visible to ``clinic_id``, by phase then name; ``phase`` (one of
    ``PHASES``, anything else ignored) and ``query`` (matched in the name, summary and
    category, case-insensitively) narrow the list."""
    rows = Exercise.visible_to(clinic_id)
    if phase in PHASES:
        rows = rows.where(Exercise.phase == phase)
    term = (query or "").strip().lower()
    if term:
        like = f"%{term}%"
        rows = rows.where(Exercise.name.ilike(like) | Exercise.summary.ilike(like) | Exercise.category.ilike(like))
    return list(rows.order_by(Exercise.phase, Exercise.name))
