"""Red flags are always urgent; patient-level alerts gather the rest."""
from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from clinical_factories import DAILY, TODAY, TZ, checkin, completion, green_logs
from hypothesis import given, settings as hsettings, strategies as st

from hep.clinical import CheckInRecord, ClinicalSettings, alerts_for, red_flag_alerts

checkins = st.builds(
    CheckInRecord, id=st.text("abc123", min_size=1, max_size=6),
    date=st.dates(date(2020, 1, 1), date(2030, 12, 31)), morning_pain=st.integers(0, 10),
    settled=st.sampled_from(("yes", "partly", "no")),
    distal_symptom=st.sampled_from(("none", "back", "buttock", "thigh", "below_knee", "foot")),
    new_numbness_or_weakness=st.booleans(), red_flag_change=st.booleans())


@hsettings(max_examples=60, deadline=None)
@given(checkins)
def test_any_red_flag_answer_yields_an_urgent_alert(record):
    alerts = red_flag_alerts(record)
    urgent = [a for a in alerts if a.level == "urgent"]
    assert bool(urgent) == record.red_flag_change
    assert all(a.evidence == (record.id,) and a.date == record.date for a in alerts)


@hsettings(max_examples=40, deadline=None)
@given(checkins.filter(lambda c: c.red_flag_change))
def test_red_flag_checkin_always_surfaces_urgent_in_patient_alerts(record):
    record = dataclasses.replace(record, date=TODAY - timedelta(days=1))
    alerts = alerts_for({1: DAILY}, [], [record], today=TODAY, tz=TZ)
    assert alerts[0].level == "urgent" and alerts[0].code == "red_flag_change"


@pytest.mark.parametrize("numb, red, levels", [
    (False, False, {}),
    (True, False, {"new_numbness_or_weakness": "warning"}),
    (False, True, {"red_flag_change": "urgent"}),
    (True, True, {"red_flag_change": "urgent", "new_numbness_or_weakness": "urgent"}),
])
def test_red_flag_alert_levels(numb, red, levels):
    alerts = red_flag_alerts(checkin("k", TODAY, numb=numb, red=red))
    assert {a.code: a.level for a in alerts} == levels


def test_green_patient_has_no_alerts():
    assert alerts_for({1: DAILY}, *green_logs(), today=TODAY, tz=TZ) == ()


def test_regress_low_adherence_and_red_flag_are_gathered_most_urgent_first():
    comps, checks = green_logs()
    comps = comps[-3:]  # 3 of 13 days done: 23 % < 50 %
    comps[-1] = dataclasses.replace(comps[-1], pain_during=7)
    checks[-1] = dataclasses.replace(checks[-1], red_flag_change=True)
    alerts = alerts_for({1: DAILY}, comps, checks, today=TODAY, tz=TZ)
    assert [a.code for a in alerts] == ["red_flag_change", "low_adherence", "regress_recommended"]
    regress = alerts[2]
    assert regress.prescription_id == 1 and comps[-1].id in regress.evidence
    assert "Pain during reached 7/10" in regress.detail


@pytest.mark.parametrize("days_silent, expected", [(2, False), (3, True), (10, True)])
def test_no_recent_logs(days_silent, expected):
    last = TODAY - timedelta(days=days_silent)
    comps = [completion("c1", last)]
    relaxed = ClinicalSettings.from_overrides({"low_adherence_alert_percent": 0})
    alerts = alerts_for({1: DAILY}, comps, [], relaxed, today=TODAY, tz=TZ)
    assert ("no_recent_logs" in [a.code for a in alerts]) == expected


def test_no_logs_since_program_start():
    alerts = alerts_for({1: DAILY}, [], [], today=TODAY, tz=TZ,
                        program_start=TODAY - timedelta(days=4))
    assert "no_recent_logs" in [a.code for a in alerts]
    assert alerts_for({1: DAILY}, [], [], today=TODAY, tz=TZ, program_start=TODAY) == ()
