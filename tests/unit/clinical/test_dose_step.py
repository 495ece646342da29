"""``step_dose``: one dose step up or down, table-driven, within the dose limits."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hep.clinical.dose_step import step_dose
from hep.clinical.limits import DOSE_LIMITS

BASE = {"sets": 2, "reps": 10, "hold_seconds": 0, "frequency_per_day": 1, "notes": "slowly"}

CASES = {
    "reps up by 10 %": (BASE, "progress", 10, {"reps": 11}),
    "reps down by 10 %": (BASE, "regress", 10, {"reps": 9}),
    "at least one rep": ({**BASE, "reps": 3}, "progress", 10, {"reps": 4}),
    "rounded up": ({**BASE, "reps": 12}, "progress", 10, {"reps": 14}),
    "a short pause is not a hold": ({**BASE, "hold_seconds": 2}, "progress", 10, {"reps": 11}),
    "a hold steps the hold": ({**BASE, "reps": 1, "hold_seconds": 60}, "progress", 10, {"hold_seconds": 66}),
    "a hold steps down to at most 10 s": ({**BASE, "reps": 1, "hold_seconds": 10}, "regress", 10, None),
    "one rep cannot go lower": ({**BASE, "reps": 1}, "regress", 10, None),
    "the top of the reps limit": ({**BASE, "reps": 200}, "progress", 10, None),
    "capped at the limit": ({**BASE, "reps": 195}, "progress", 10, {"reps": 200}),
}


@pytest.mark.parametrize(("dose", "direction", "percent", "changed"), CASES.values(), ids=CASES.keys())
def test_step_dose(dose, direction, percent, changed):
    result = step_dose(dose, direction, percent)
    assert result == (None if changed is None else {**dose, **changed})


@given(reps=st.integers(*DOSE_LIMITS["reps"]), percent=st.floats(1, 50),
       direction=st.sampled_from(["progress", "regress"]))
def test_a_step_moves_one_way_and_stays_within_the_limits(reps, percent, direction):
    result = step_dose({**BASE, "reps": reps}, direction, percent)
    if result is None:
        assert reps == DOSE_LIMITS["reps"][1 if direction == "progress" else 0]
        return
    low, high = DOSE_LIMITS["reps"]
    assert low <= result["reps"] <= high
    assert (result["reps"] > reps) == (direction == "progress")
