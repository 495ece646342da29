"""One step of dose up or down, for applying a progress or regress recommendation when the
exercise has no harder (or easier) neighbour in its family (CLINICAL.md: progress by dose,
then by exercise).

The step is ``ClinicalSettings.dose_step_percent`` of the dose's main figure: the hold of a
held exercise (``hold_seconds`` of at least :data:`HELD_SECONDS`), else the reps (a pause of a
second or two at the top of a rep is not what grows); at least one unit, and within the
product's dose limits (``hep.clinical.limits``). Pure: a mapping in, a new dict out.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

from .limits import DOSE_LIMITS

Direction = Literal["progress", "regress"]
#: A hold this long or longer is the exercise's dose (an isometric hold), so it is what steps.
HELD_SECONDS = 10


def stepped_field(dose: Mapping[str, Any]) -> str:
    """The figure a step changes: the hold of a held exercise, else the reps."""
    return "hold_seconds" if (dose.get("hold_seconds") or 0) >= HELD_SECONDS else "reps"


def step_dose(dose: Mapping[str, Any], direction: Direction, step_percent: float) -> dict[str, Any] | None:
    """``dose`` one step harder (``progress``) or easier (``regress``), or None when the
    figure is already at its limit (nothing to apply). Other fields are copied unchanged."""
    field = stepped_field(dose)
    value = int(dose[field])
    step = max(1, math.ceil(value * step_percent / 100))
    low, high = DOSE_LIMITS[field]
    if field == "hold_seconds":
        low = max(low, HELD_SECONDS)  # stepping down never turns a hold into plain reps
    new = min(high, value + step) if direction == "progress" else max(low, value - step)
    if new == value:
        return None
    return {**dose, field: new}
