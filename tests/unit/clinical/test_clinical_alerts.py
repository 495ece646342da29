"""Emergency answers are always emergencies; patient-level alerts gather the rest, in the four
tiers of CLINICAL.md (emergency, urgent, warning, caution)."""
from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from clinical_factories import DAILY, TODAY, TZ, ago, checkin, completion, green_logs
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from hep.clinical import ALERT_LEVELS, CheckInRecord, ClinicalSettings, alert_level, alerts_for, red_flag_alerts

checkins = st.builds(
    CheckInRecord, id=st.text("abc123", min_size=1, max_size=6),
    date=st.dates(date(2020, 1, 1), date(2030, 12, 31)), morning_pain=st.integers(0, 10),
    settled=st.sampled_from(("yes", "partly", "no")),
    distal_symptom=st.sampled_from(("none", "back", "buttock", "thigh", "below_knee", "foot")),
    new_numbness_or_weakness=st.booleans(), red_flag_change=st.booleans(),
    weakness_worse=st.booleans(), both_legs=st.booleans())


@hsettings(max_examples=60, deadline=None)
@given(checkins)
def test_any_emergency_answer_yields_an_emergency_alert(record):
    alerts = red_flag_alerts(record)
    emergency = [a for a in alerts if a.level == "emergency"]
    assert bool(emergency) == (record.red_flag_change or record.weakness_worse or record.both_legs)
    assert all(a.evidence == (record.id,) and a.date == record.date for a in alerts)
    assert all(a.level in ALERT_LEVELS for a in alerts)


@hsettings(max_examples=40, deadline=None)
@given(checkins.filter(lambda c: c.red_flag_change))
def test_red_flag_checkin_always_surfaces_first_in_patient_alerts(record):
    record = dataclasses.replace(record, date=TODAY - timedelta(days=1))
    alerts = alerts_for({1: DAILY}, [], [record], today=TODAY, tz=TZ)
    assert alerts[0].level == "emergency" and alerts[0].code == "red_flag"
    assert alerts[0].stops


@pytest.mark.parametrize("numb, red, weak, both, levels", [
    (False, False, False, False, {}),
    (True, False, False, False, {"new_neuro_signs": "warning"}),
    (False, True, False, False, {"red_flag": "emergency"}),
    (True, True, False, False, {"red_flag": "emergency",
                                "new_neuro_signs": "emergency"}),
    (False, False, True, False, {"weakness_worse": "emergency"}),
    (False, False, False, True, {"both_legs": "emergency"}),
])
def test_red_flag_alert_levels(numb, red, weak, both, levels):
    alerts = red_flag_alerts(checkin("k", TODAY, numb=numb, red=red, weak=weak, both=both))
    assert {a.code: a.level for a in alerts} == levels


def test_old_info_level_reads_as_caution():
    assert alert_level("info") == "caution" and alert_level("urgent") == "urgent"
    with pytest.raises(ValueError):
        alert_level("bogus")


def test_green_patient_has_no_alerts():
    assert alerts_for({1: DAILY}, *green_logs(), today=TODAY, tz=TZ) == ()


def test_red_flags_do_not_expire_with_a_window_only_with_a_resolution():
    comps, checks = green_logs()
    checks[0] = dataclasses.replace(checks[0], red_flag_change=True)  # 12 days ago
    old = dataclasses.replace(checks[0], id="old", date=ago(40))
    alerts = alerts_for({1: DAILY}, comps, checks + [old], today=TODAY, tz=TZ)
    assert [a.evidence for a in alerts if a.code == "red_flag"] == [(checks[0].id,), ("old",)]
    resolved = alerts_for({1: DAILY}, comps, checks + [old], today=TODAY, tz=TZ,
                          resolved_on=checks[0].date)
    assert not [a for a in resolved if a.code == "red_flag"]


def test_regress_and_low_adherence_are_gathered_most_urgent_first():
    comps, checks = green_logs()
    comps = comps[-3:]  # 3 of 13 days done: 23 % < 50 %
    comps[-1] = dataclasses.replace(comps[-1], pain_during=7)
    comps[-2] = dataclasses.replace(comps[-2], pain_during=8)
    checks[-5] = dataclasses.replace(checks[-5], new_numbness_or_weakness=True)
    alerts = alerts_for({1: DAILY}, comps, checks, today=TODAY, tz=TZ)
    assert [a.code for a in alerts] == ["low_adherence", "regress_recommended",
                                        "new_neuro_signs"]
    regress = alerts[1]
    assert regress.prescription_id == 1 and comps[-1].id in regress.evidence
    assert "Pain during reached 8/10" in regress.detail


def test_an_emergency_stops_instead_of_raising_a_regress_alert():
    comps, checks = green_logs()
    comps[-1] = dataclasses.replace(comps[-1], pain_during=7)
    comps[-2] = dataclasses.replace(comps[-2], pain_during=8)
    checks[-1] = dataclasses.replace(checks[-1], red_flag_change=True)
    alerts = alerts_for({1: DAILY}, comps, checks, today=TODAY, tz=TZ)
    assert [a.code for a in alerts] == ["red_flag"]


@pytest.mark.parametrize("days_silent, expected", [(2, False), (3, True), (10, True)])
def test_no_recent_logs_is_a_caution(days_silent, expected):
    last = TODAY - timedelta(days=days_silent)
    comps = [completion("c1", last)]
    checks = [checkin("k1", last)]
    relaxed = ClinicalSettings.from_overrides({"low_adherence_alert_percent": 0})
    alerts = {a.code: a for a in alerts_for({1: DAILY}, comps, checks, relaxed, today=TODAY, tz=TZ)}
    assert ("no_recent_logs" in alerts) == expected
    if expected:
        assert alerts["no_recent_logs"].level == "caution"


def test_no_logs_since_program_start():
    alerts = alerts_for({1: DAILY}, [], [], today=TODAY, tz=TZ, program_start=ago(4))
    assert {(a.code, a.level) for a in alerts} == {("no_logs", "warning"),
                                                   ("low_adherence", "warning")}
    assert alerts_for({1: DAILY}, [], [], today=TODAY, tz=TZ, program_start=TODAY) == ()


@pytest.mark.parametrize("last_checkin, expected", [(1, False), (2, False), (3, True), (None, True)])
def test_sessions_without_checkins(last_checkin, expected):
    comps, checks = green_logs(6)
    checks = [] if last_checkin is None else [c for c in checks if c.date <= ago(last_checkin)]
    alerts = {a.code: a for a in alerts_for({1: DAILY}, comps, checks, today=TODAY, tz=TZ)}
    assert ("no_checkins" in alerts) == expected
    if expected:
        assert alerts["no_checkins"].level == "warning"
        assert comps[-1].id in alerts["no_checkins"].evidence
