"""Per-patient settings overrides and record validation."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from hep.clinical import DISTAL_ORDER, CheckInRecord, ClinicalSettings, CompletionRecord, Dose, OpenAlert, SettingsError


def test_defaults_follow_clinical_md():
    s = ClinicalSettings()
    assert (s.pain_during_progress_max, s.pain_during_regress_above, s.min_sessions) == (3, 5, 3)
    assert (s.pain_after_progress_max, s.pain_after_regress_above, s.min_checkins) == (3, 5, 3)
    assert (s.window_days, s.recent_days, s.trend_days) == (7, 3, 14)
    assert (s.morning_rise_points, s.progress_share_percent) == (2.0, 80.0)
    assert (s.no_checkin_alert_days, s.no_logs_alert_days, s.resolution_hold_days) == (3, 3, 3)
    assert (s.adherence_target_percent, s.weekly_volume_increase_cap_percent) == (80.0, 20.0)
    assert s.max_effort_for_progress == 8
    assert s.exposure_meaningful_change_points == 20


def test_overrides_round_trip_through_json():
    s = ClinicalSettings.from_overrides({"adherence_target_percent": 70, "min_sessions": 4})
    assert s.adherence_target_percent == 70.0 and isinstance(s.adherence_target_percent, float)
    assert s.overrides() == {"adherence_target_percent": 70.0, "min_sessions": 4}
    stored = json.loads(json.dumps(s.overrides()))
    assert ClinicalSettings.from_overrides(stored) == s
    assert ClinicalSettings.from_overrides(json.loads(json.dumps(s.to_dict()))) == s
    assert ClinicalSettings.from_overrides(None) == ClinicalSettings()


def test_overrides_layer_on_a_base():
    clinic = ClinicalSettings.from_overrides({"trend_days": 21})
    patient = ClinicalSettings.from_overrides({"min_sessions": 4}, base=clinic)
    assert (patient.trend_days, patient.min_sessions) == (21, 4)


@pytest.mark.parametrize("stored, expected", [
    ({"lookback_days": 21}, {"trend_days": 21}),
    ({"lookback_days": 21, "trend_days": 28}, {"trend_days": 28}),
    ({"morning_pain_rise_points": 1.5}, {}),
    ({"morning_pain_rise_points": 1.5, "min_sessions": 4}, {"min_sessions": 4}),
])
def test_old_stored_overrides_are_mapped_or_dropped(stored, expected):
    s = ClinicalSettings.from_overrides(stored)
    assert s.overrides() == expected
    assert s.lookback_days == max(s.trend_days, s.window_days)  # callers size queries by it


def test_a_legacy_value_out_of_range_is_still_reported_under_its_new_name():
    with pytest.raises(SettingsError) as info:
        ClinicalSettings.from_overrides({"lookback_days": 1000})
    assert list(info.value.errors) == ["trend_days"]


@pytest.mark.parametrize("overrides, field", [
    ({"bogus": 1}, "bogus"),
    ({"min_sessions": 0}, "min_sessions"),
    ({"min_sessions": 2.5}, "min_sessions"),
    ({"min_sessions": True}, "min_sessions"),
    ({"adherence_target_percent": 101}, "adherence_target_percent"),
    ({"adherence_target_percent": "80"}, "adherence_target_percent"),
    ({"adherence_target_percent": float("nan")}, "adherence_target_percent"),
    ({"window_days": 2}, "window_days"),
    ({"recent_days": 8}, "recent_days"),
    ({"trend_min_span_days": 14}, "trend_min_span_days"),
    ({"morning_reference_min": 8}, "morning_reference_min"),
    ({"pain_after_progress_max": 5}, "pain_after_progress_max"),
    ({"pain_during_progress_max": 5}, "pain_during_progress_max"),
    ({"pain_during_progress_max": 4, "pain_during_regress_above": 4}, "pain_during_progress_max"),
    ({"low_adherence_alert_percent": 90}, "low_adherence_alert_percent"),
])
def test_invalid_overrides_name_the_field(overrides, field):
    with pytest.raises(SettingsError) as info:
        ClinicalSettings.from_overrides(overrides)
    assert list(info.value.errors) == [field]
    assert all(isinstance(m, str) for m in info.value.errors[field])


def test_all_errors_reported_at_once():
    with pytest.raises(SettingsError) as info:
        ClinicalSettings.from_overrides({"x": 1, "min_sessions": -1, "trend_days": 1000})
    assert set(info.value.errors) == {"x", "min_sessions", "trend_days"}


def test_direct_construction_is_validated_too():
    with pytest.raises(SettingsError):
        ClinicalSettings(pain_during_progress_max=6)


AWARE = datetime(2025, 3, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize("build", [
    lambda: Dose(0, 10),
    lambda: Dose(3, 10, days_of_week=frozenset()),
    lambda: Dose(3, 10, days_of_week=frozenset({0, 1})),
    lambda: Dose(3, 10, frequency_per_day=True),
    lambda: CompletionRecord("c", 1, datetime(2025, 3, 1, 9), 3, 10, 2, 2, 5),
    lambda: CompletionRecord("c", 1, AWARE, 3, 10, 11, 2, 5),
    lambda: CompletionRecord("c", 1, AWARE, 3, 10, 2, 2, -1),
    lambda: CompletionRecord("", 1, AWARE, 3, 10, 2, 2, 5),
    lambda: CheckInRecord("k", date(2025, 3, 1), 2, "maybe", "thigh"),
    lambda: CheckInRecord("k", date(2025, 3, 1), 2, "yes", "knee"),
    lambda: CheckInRecord("k", AWARE, 2, "yes", "thigh"),
    lambda: CheckInRecord("k", date(2025, 3, 1), 2, "yes", "thigh", red_flag_change=1),
    lambda: CheckInRecord("k", date(2025, 3, 1), 2, "yes", "thigh", leg_pain=11),
    lambda: CheckInRecord("k", date(2025, 3, 1), 2, "yes", "thigh", back_pain=True),
    lambda: CheckInRecord("k", date(2025, 3, 1), 2, "yes", "thigh", weakness_worse=None),
    lambda: Dose(3, 10, load_value=8),
    lambda: Dose(3, 10, load_value=8, load_unit="stone"),
    lambda: Dose(3, 10, load_value=-1, load_unit="kg"),
    lambda: Dose(3, 10, load_unit="kg"),
    lambda: OpenAlert("bogus", "x"),
    lambda: OpenAlert("urgent", ""),
])
def test_records_reject_invalid_values(build):
    with pytest.raises(ValueError):
        build()


def test_distal_ordinal_and_effort():
    assert DISTAL_ORDER == ("none", "back", "buttock", "thigh", "below_knee", "foot")
    assert CheckInRecord("k", date(2025, 3, 1), 2, "yes", "foot").distal_rank == 5
    assert CompletionRecord("c", 1, AWARE, 3, 10, 2, 2, 8).reps_in_reserve == 2
    assert Dose(3, 10, days_of_week={1, 2}).days_of_week == frozenset({1, 2})


def test_new_record_fields_are_optional():
    old = CheckInRecord("k", date(2025, 3, 1), 2, "yes", "thigh", False, False)
    assert (old.back_pain, old.leg_pain, old.weakness_worse, old.both_legs) == (None, None, False, False)
    assert not old.emergency
    assert CheckInRecord("k", date(2025, 3, 1), 2, "yes", "thigh", weakness_worse=True).emergency
    assert Dose(3, 10).load_kg is None
    assert Dose(3, 10, load_value=10, load_unit="lb").load_kg == pytest.approx(4.536, abs=1e-3)
    assert OpenAlert("urgent", "x").stops and not OpenAlert("warning", "x").stops
    assert OpenAlert("info", "x").level == "caution"  # a level stored before the four tiers
