"""Graded exposure: hierarchy ranking, mastery by prediction, expected versus actual."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hep.clinical import (
    ClinicalSettings,
    ExposureSession,
    HierarchyItem,
    SettingsError,
    expected_versus_actual,
    mastery,
    meaningful_change,
    next_item,
    rank_hierarchy,
)

T0 = datetime(2025, 3, 1, 9, tzinfo=UTC)


def session(i, prediction=None, happened=False, safety=False, fear_before=40, fear_after=20,
            item="lift"):
    """Session ``i`` days after T0; a ``None`` prediction is a session stored before
    predictions were asked (no outcome, no safety-behaviour answer)."""
    if prediction is None:
        return ExposureSession(f"s{i}", item, T0 + timedelta(days=i), fear_before, fear_after)
    return ExposureSession(f"s{i}", item, T0 + timedelta(days=i), fear_before, fear_after,
                           prediction=prediction, outcome_happened=happened,
                           safety_behaviour=safety, feared_outcome="my back gives way")


def by_prediction(*predictions, **kwargs):
    return [session(i, p, **kwargs) for i, p in enumerate(predictions)]


def test_hierarchy_is_worked_from_lower_to_higher():
    items = [HierarchyItem("a", "Lift a box", 80), HierarchyItem("b", "Bend to tie shoes", 40),
             HierarchyItem("c", "Sit 30 minutes", 40), HierarchyItem("d", "Jog", 95)]
    assert [i.id for i in rank_hierarchy(items)] == ["b", "c", "a", "d"]
    assert rank_hierarchy(reversed(items)) == rank_hierarchy(items)


# (name, sessions, status, failing conditions)
CASES = [
    ("no sessions", [], "not_started", {"sessions"}),
    ("one session only", by_prediction(20), "in_progress", {"sessions", "prediction_fell"}),
    ("fell 70 to 20 over three", by_prediction(70, 45, 20), "mastered", set()),
    ("fell 45 to 25 over two", by_prediction(45, 25), "mastered", set()),
    ("at the line: 25 counts", by_prediction(50, 25), "mastered", set()),
    ("26 is above the line", by_prediction(50, 26), "in_progress", {"prediction_low"}),
    ("fell only 19", by_prediction(39, 30, 20), "in_progress", {"prediction_fell"}),
    ("low all along: no fall", by_prediction(20, 15, 10), "in_progress", {"prediction_fell"}),
    ("the fall is read over the window of 3", by_prediction(90, 30, 25, 20), "in_progress",
     {"prediction_fell"}),
    ("the highest earlier prediction in the window counts", by_prediction(40, 60, 20), "mastered",
     set()),
    ("the outcome happened", [*by_prediction(70, 40), session(2, 20, happened=True)],
     "in_progress", {"outcome_absent"}),
    ("a safety behaviour was used", [*by_prediction(70, 40), session(2, 20, safety=True)],
     "in_progress", {"no_safety_behaviour"}),
    ("fear before 90 every time", by_prediction(80, 50, 10, fear_before=90), "in_progress",
     {"fear_before_down"}),
    ("fear before 50 is low enough", by_prediction(80, 10, fear_before=50), "mastered", set()),
    ("sessions stored before predictions never count",
     [session(0), session(1), session(2)], "in_progress", {"sessions"}),
    ("old sessions then two predictions", [session(0), session(1), session(2, 60), session(3, 20)],
     "mastered", set()),
    ("safety behaviour earlier, not in the latest", [session(0, 70, safety=True), session(1, 20)],
     "mastered", set()),
]


@pytest.mark.parametrize("logs, status, failing", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_mastery_by_prediction(logs, status, failing):
    result = mastery(logs)
    assert result.status == status
    assert result.mastered is (status == "mastered")
    assert {c.code for c in result.failing()} == failing
    shuffled = list(logs)
    random.Random(1).shuffle(shuffled)
    assert mastery(shuffled) == result


def test_every_condition_says_whether_it_holds():
    result = mastery([*by_prediction(70, 40), session(2, 30, safety=True, fear_before=90)])
    details = {c.code: (c.met, c.detail) for c in result.conditions}
    assert details == {
        "sessions": (True, "3 session(s) with a prediction; 2 needed"),
        "prediction_low": (False, "latest prediction 30 %; at most 25 % needed"),
        "prediction_fell": (True, "prediction fell by 40 points over the last 3 sessions; 20 needed"),
        "outcome_absent": (True, "the feared outcome did not happen"),
        "no_safety_behaviour": (False, "a safety behaviour was used"),
        "fear_before_down": (False, "fear before 90; at most 50 needed"),
    }
    assert result.evidence == ("s0", "s1", "s2")
    assert result.conditions[1].to_dict()["values"] == {"prediction": 30, "limit": 25}


@pytest.mark.parametrize("s, line", [
    (session(0, 70), "expected 70 % likely; it did not happen"),
    (session(0, 30, happened=True), "expected 30 % likely; it happened"),
    (session(0), "no prediction recorded"),
])
def test_expected_versus_actual(s, line):
    assert expected_versus_actual(s) == line


def test_mastery_follows_patient_settings():
    s = ClinicalSettings.from_overrides({"exposure_prediction_mastery_max": 40,
                                         "exposure_prediction_drop_points": 10,
                                         "exposure_mastery_min_sessions": 3,
                                         "exposure_fear_before_max": 95})
    assert not mastery(by_prediction(50, 40), s).mastered
    assert mastery(by_prediction(55, 50, 40, fear_before=90), s).mastered


def test_settings_keep_the_window_consistent_and_drop_the_old_keys():
    with pytest.raises(SettingsError) as err:
        ClinicalSettings.from_overrides({"exposure_mastery_window": 2, "exposure_mastery_min_sessions": 3})
    assert set(err.value.errors) == {"exposure_mastery_min_sessions"}
    old = ClinicalSettings.from_overrides({"exposure_fear_mastery_max": 30, "exposure_mastery_sessions": 1})
    assert old == ClinicalSettings()


@given(st.lists(st.tuples(st.integers(0, 100), st.booleans(), st.booleans(), st.integers(0, 100)),
                max_size=6))
def test_mastered_only_when_every_line_holds(rows):
    logs = [session(i, p, happened=h, safety=b, fear_before=f) for i, (p, h, b, f) in enumerate(rows)]
    result = mastery(logs)
    if result.mastered:
        window = [p for p, *_ in rows][-3:]
        p, h, b, f = rows[-1]
        assert len(window) >= 2 and p <= 25 and max(window[:-1]) - p >= 20
        assert not h and not b and f <= 50
    assert result.status == ("not_started" if not rows else result.status)


@pytest.mark.parametrize("a, b, meaningful", [(50, 30, False), (50, 29, True), (10, 31, True),
                                              (0, 20, False), (100, 0, True)])
def test_meaningful_change(a, b, meaningful):
    assert meaningful_change(a, b) is meaningful


def test_next_item_is_the_lowest_not_mastered():
    items = [HierarchyItem("easy", "Walk", 20), HierarchyItem("hard", "Lift", 70)]
    assert next_item(items, []).id == "easy"
    assert next_item(items, by_prediction(60, 20, item="easy")).id == "hard"
    done = by_prediction(60, 20, item="easy") + [
        ExposureSession(f"h{i}", "hard", T0 + timedelta(days=i), 40, 5, prediction=p,
                        outcome_happened=False, safety_behaviour=False)
        for i, p in enumerate((80, 10))]
    assert next_item(items, done) is None


@pytest.mark.parametrize("kwargs", [{"fear_before": 101}, {"fear_after": -1}, {"prediction": 101},
                                    {"prediction": True}, {"outcome_happened": 1},
                                    {"performed_at": datetime(2025, 3, 1)}])
def test_sessions_validate(kwargs):
    values = {"id": "s", "item_id": "i", "performed_at": T0, "fear_before": 50, "fear_after": 20}
    with pytest.raises(ValueError):
        ExposureSession(**(values | kwargs))


@pytest.mark.parametrize("ids", [("b", "a"), ("a", "b")])
def test_sessions_in_the_same_second_keep_the_order_given_whatever_their_ids(ids):
    # The app stamps sessions to the second and ids are random UUIDs: two sessions done within
    # one second must be read in the order stored, never by id.
    first = ExposureSession(ids[0], "lift", T0, 40, 20, prediction=70, outcome_happened=False,
                            safety_behaviour=False, feared_outcome="my back gives way")
    second = ExposureSession(ids[1], "lift", T0, 30, 10, prediction=20, outcome_happened=False,
                             safety_behaviour=False, feared_outcome="my back gives way")
    assert mastery([first, second]).status == "mastered"
    assert mastery([second, first]).status == "in_progress"  # latest prediction 70: not low
