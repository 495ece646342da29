"""Weekly volume caps at their boundaries (RTM periods: test_rtm_monitoring.py)."""
from __future__ import annotations

import pytest

from hep.clinical import (
    ClinicalSettings,
    Dose,
    check_program_volume,
    check_volume_increase,
    weekly_volume,
)


def test_weekly_volume():
    assert weekly_volume(Dose(3, 10, 0, 2, frozenset({1, 3, 5}))) == 3 * 10 * 2 * 3
    assert weekly_volume(Dose(2, 5, 10, 1, frozenset(range(1, 8)))) == 2 * 5 * 10 * 7


@pytest.mark.parametrize("new_reps, allowed", [(90, True), (100, True), (119, True),
                                               (120, True), (121, False), (200, False)])
def test_volume_increase_cap_default_20_percent(new_reps, allowed):
    old = Dose(1, 100, days_of_week=frozenset({1}))
    check = check_volume_increase(old, Dose(1, new_reps, days_of_week=frozenset({1})))
    assert check.allowed is allowed
    assert check.max_allowed_volume == 120
    assert check.increase == pytest.approx(new_reps / 100 - 1)


def test_volume_cap_is_exact_for_awkward_numbers_and_per_patient():
    old = Dose(3, 10, days_of_week=frozenset({1, 2, 3, 4, 5}))          # 150
    assert check_volume_increase(old, Dose(3, 12, days_of_week=old.days_of_week)).allowed  # 180 = +20 %
    assert not check_volume_increase(old, Dose(3, 10)).allowed          # 7 days: +40 %
    careful = ClinicalSettings.from_overrides({"weekly_volume_increase_cap_percent": 10})
    assert not check_volume_increase(old, Dose(3, 12, days_of_week=old.days_of_week),
                                     careful).allowed


def test_adding_a_hold_counts_as_more_volume():
    assert not check_volume_increase(Dose(3, 10), Dose(3, 10, hold_seconds=5)).allowed


def test_volume_counts_the_weight():
    assert weekly_volume(Dose(1, 10, days_of_week=frozenset({1}), load_value=8, load_unit="kg")) == 80
    lb = weekly_volume(Dose(1, 10, days_of_week=frozenset({1}), load_value=10, load_unit="lb"))
    assert lb == pytest.approx(45.359, abs=1e-3)


def test_a_load_rise_is_flagged_even_when_the_volume_is_flat():
    # 8 kg x 10 -> 16 kg x 5 is 0 % volume but twice the intensity
    check = check_volume_increase(Dose(3, 10, load_value=8, load_unit="kg"),
                                  Dose(3, 5, load_value=16, load_unit="kg"))
    assert check.increase == 0 and check.volume_allowed
    assert check.load_rise and not check.allowed
    assert check.to_dict()["load_increase_percent"] == 100.0
    assert (check.old_load_kg, check.new_load_kg) == (8.0, 16.0)


@pytest.mark.parametrize("old, new, rise", [
    ((20, "lb"), (9.07, "kg"), False),   # 9.07 kg < 20 lb (9.072 kg)
    ((20, "lb"), (9.1, "kg"), True),
    ((10, "kg"), (10, "kg"), False),
    (None, (2, "kg"), True),             # a weight added to a body-weight exercise
    ((10, "kg"), None, False),           # a weight removed
])
def test_load_rise_compares_in_kilograms(old, new, rise):
    def dose(load):
        return Dose(3, 10) if load is None else Dose(3, 10, load_value=load[0], load_unit=load[1])
    assert check_volume_increase(dose(old), dose(new), 100).load_rise is rise


def test_program_volume_reports_each_exercise():
    before = {"squat": Dose(3, 10, load_value=8, load_unit="kg"), "bird_dog": Dose(2, 10),
              "gone": Dose(1, 5)}
    after = {"squat": Dose(3, 5, load_value=16, load_unit="kg"), "bird_dog": Dose(3, 10),
             "new": Dose(1, 5)}
    changes = {c.key: c for c in check_program_volume(before, after)}
    assert {k: (c.status, c.needs_confirmation) for k, c in changes.items()} == {
        "bird_dog": ("changed", True), "gone": ("removed", False), "new": ("added", False),
        "squat": ("changed", True)}
    assert changes["bird_dog"].to_dict()["increase_percent"] == 50.0
    assert changes["squat"].to_dict()["load_rise"] is True
