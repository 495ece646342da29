"""Weekly volume caps and RTM monitoring-day bands at their boundaries."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from hep.clinical import ClinicalSettings, Dose, check_volume_increase, monitoring_days, weekly_volume


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


END = date(2026, 3, 31)


@pytest.mark.parametrize("count, band, codes", [
    (0, None, ()), (1, None, ()), (2, "2-15", ("98985",)), (15, "2-15", ("98985",)),
    (16, "16-30", ("98977",)), (30, "16-30", ("98977",)),
])
def test_monitoring_day_bands(count, band, codes):
    days = [END - timedelta(days=i) for i in range(count)]
    result = monitoring_days(days + days, end=END)  # duplicates count once
    assert (result.count, result.band, result.codes) == (count, band, codes)
    assert result.window_start == END - timedelta(days=29) and result.window_end == END


def test_monitoring_window_excludes_days_outside_it():
    days = [END - timedelta(days=30), END + timedelta(days=1), END, END - timedelta(days=29)]
    result = monitoring_days(days, end=END)
    assert result.dates == (END - timedelta(days=29), END)
    with pytest.raises(ValueError):
        monitoring_days([], end=END, window_days=0)
