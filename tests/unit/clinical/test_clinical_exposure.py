"""Graded exposure: hierarchy ranking, mastery and meaningful change."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from hep.clinical import (
    ClinicalSettings,
    ExposureSession,
    HierarchyItem,
    mastery,
    meaningful_change,
    next_item,
    rank_hierarchy,
)

T0 = datetime(2025, 3, 1, 9, tzinfo=UTC)


def sessions(*fear_after, item="lift"):
    return [ExposureSession(f"s{i}", item, T0 + timedelta(days=i), 60, f)
            for i, f in enumerate(fear_after)]


def test_hierarchy_is_worked_from_lower_to_higher():
    items = [HierarchyItem("a", "Lift a box", 80), HierarchyItem("b", "Bend to tie shoes", 40),
             HierarchyItem("c", "Sit 30 minutes", 40), HierarchyItem("d", "Jog", 95)]
    assert [i.id for i in rank_hierarchy(items)] == ["b", "c", "a", "d"]
    assert rank_hierarchy(reversed(items)) == rank_hierarchy(items)


@pytest.mark.parametrize("fear_after, mastered, streak", [
    ((20, 20, 20), True, 3),
    ((10, 0, 5, 15), True, 4),
    ((20, 21, 20), False, 1),
    ((30, 10, 10, 10), True, 3),
    ((10, 10), False, 2),
    ((10, 10, 10, 25), False, 0),
    ((), False, 0),
])
def test_mastery(fear_after, mastered, streak):
    logs = sessions(*fear_after)
    result = mastery(logs)
    assert (result.mastered, result.streak, result.required, result.threshold) == (
        mastered, streak, 3, 20)
    random.Random(1).shuffle(logs)
    assert mastery(logs) == result


def test_mastery_follows_patient_settings():
    s = ClinicalSettings.from_overrides({"exposure_fear_mastery_max": 30,
                                         "exposure_mastery_sessions": 2})
    assert mastery(sessions(50, 30, 25), s).mastered
    assert mastery(sessions(50, 30, 25), s).evidence == ("s1", "s2")


@pytest.mark.parametrize("a, b, meaningful", [(50, 30, False), (50, 29, True), (10, 31, True),
                                              (0, 20, False), (100, 0, True)])
def test_meaningful_change(a, b, meaningful):
    assert meaningful_change(a, b) is meaningful


def test_next_item_is_the_lowest_not_mastered():
    items = [HierarchyItem("easy", "Walk", 20), HierarchyItem("hard", "Lift", 70)]
    assert next_item(items, []).id == "easy"
    assert next_item(items, sessions(10, 10, 10, item="easy")).id == "hard"
    done = sessions(10, 10, 10, item="easy") + [
        ExposureSession(f"h{i}", "hard", T0 + timedelta(days=i), 70, 5) for i in range(3)]
    assert next_item(items, done) is None


@pytest.mark.parametrize("kwargs", [{"fear_before": 101}, {"fear_after": -1},
                                    {"performed_at": datetime(2025, 3, 1)}])
def test_sessions_validate(kwargs):
    values = {"id": "s", "item_id": "i", "performed_at": T0, "fear_before": 50, "fear_after": 20}
    with pytest.raises(ValueError):
        ExposureSession(**(values | kwargs))
