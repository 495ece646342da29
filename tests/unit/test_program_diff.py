"""``version_changes``: what changed between two program versions, table-driven."""
from __future__ import annotations

import pytest

from hep.programs.diff import version_changes


def item(exercise_id, name=None, **dose):
    base = {"sets": 2, "reps": 10, "hold_seconds": 0, "rest_seconds": 30, "side": "both", "load": None,
            "load_value": None, "load_unit": None, "frequency_per_day": 1, "days_of_week": [1, 2, 3, 4, 5, 6, 7],
            "pain_ceiling": 5, "notes": ""}
    return {"exercise_id": exercise_id, "exercise_name": name or f"Exercise {exercise_id}", **base, **dose}


def version(*items, phase="calm", notes=""):
    return {"phase": phase, "notes": notes, "items": list(items)}


def short(changes):
    return [(c["change"], c["exercise_id"], c["field"], c["before"], c["after"]) for c in changes]


CASES = {
    "first version: everything added": (
        None, version(item(1), item(2)),
        [("added", 1, None, None, None), ("added", 2, None, None, None)]),
    "nothing changed": (version(item(1)), version(item(1)), []),
    "one dose field": (
        version(item(1)), version(item(1, reps=12)), [("changed", 1, "reps", 10, 12)]),
    "two fields of one exercise, in field order": (
        version(item(1)), version(item(1, sets=3, pain_ceiling=4)),
        [("changed", 1, "sets", 2, 3), ("changed", 1, "pain_ceiling", 5, 4)]),
    "exercise swapped for its harder neighbour": (
        version(item(1), item(2)), version(item(1), item(3)),
        [("removed", 2, None, None, None), ("added", 3, None, None, None)]),
    "phase and notes of the version": (
        version(item(1), phase="calm", notes=""), version(item(1), phase="exposure", notes="Walk daily"),
        [("changed", None, "phase", "calm", "exposure"), ("changed", None, "notes", "", "Walk daily")]),
    "reorder alone is not a change": (version(item(1), item(2)), version(item(2), item(1)), []),
    "same days in another order are not a change": (
        version(item(1, days_of_week=[1, 3, 5])), version(item(1, days_of_week=[5, 3, 1])), []),
    "fewer days": (
        version(item(1, days_of_week=[1, 3, 5])), version(item(1, days_of_week=[1, 5])),
        [("changed", 1, "days_of_week", [1, 3, 5], [1, 5])]),
    "a weight added": (
        version(item(1)), version(item(1, load_value=4.0, load_unit="kg")),
        [("changed", 1, "load_value", None, 4.0), ("changed", 1, "load_unit", None, "kg")]),
    "exercise listed twice: the first occurrence counts": (
        version(item(1, reps=8)), version(item(1, reps=8), item(1, reps=20)), []),
}


@pytest.mark.parametrize(("previous", "current", "expected"), CASES.values(), ids=CASES.keys())
def test_version_changes(previous, current, expected):
    assert short(version_changes(previous, current)) == expected


def test_changes_carry_the_exercise_name():
    changes = version_changes(version(item(1, "Bridge")), version(item(1, "Bridge", reps=12)))
    assert changes[0]["exercise_name"] == "Bridge"
