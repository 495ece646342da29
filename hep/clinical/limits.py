"""The product's limits on a prescribed dose: one table, read by the API schema
(``hep.schemas.programs``), the engine's :class:`~hep.clinical.records.Dose`, the library
catalog's default doses (``hep.library.catalog``) and the program editor's ``min``/``max``.

Each entry is an inclusive ``(lowest, highest)`` whole number.
"""
from __future__ import annotations

DOSE_LIMITS: dict[str, tuple[int, int]] = {
    "sets": (1, 20),
    "reps": (1, 200),
    "hold_seconds": (0, 600),
    "rest_seconds": (0, 600),
    "frequency_per_day": (1, 6),
    "pain_ceiling": (0, 10),
}
