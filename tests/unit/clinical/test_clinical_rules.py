"""Pain-monitoring rules: the whole window, pain after, the morning median, trends, where the
symptoms are, neurological signs, stop, attribution; each at its boundaries, plus properties.

The findings of issue 9 each have a scenario below (``FINDINGS``), asserting the status and
that the reasons name the evidence.
"""
from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest
from clinical_factories import DAILY, TODAY, TZ, ago, checkin, completion, green_days, green_logs
from hypothesis import Phase, find, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from hep.clinical import ClinicalSettings, Dose, OpenAlert, centralisation, distal_moves, recommend

FAST = hsettings(max_examples=40, deadline=None)


def run(comps, checks, settings=None, dose=DAILY, **kw):
    return recommend(dose, comps, checks, settings or ClinicalSettings(), today=TODAY, tz=TZ, **kw)


def _at(value, i):
    return value[i] if isinstance(value, (list, tuple)) else value


def logs(n=13, *, during=2, after=2, effort=7, morning=2, settled="yes", distal="thigh",
         per_day=1, leg=None, back=None, numb=False):
    """A session (``per_day`` of them) on each of the ``n`` days ending yesterday and a check-in
    the morning after each; every keyword is a value or a list of ``n`` values, oldest first."""
    comps, checks = [], []
    for i, d in enumerate(green_days(n)):
        for k in range(per_day):
            comps.append(completion(f"c{i:02d}{k}", d, pain_during=_at(during, i),
                                    pain_after=_at(after, i), effort=_at(effort, i),
                                    hour=8 + 4 * k))
        checks.append(checkin(f"k{i:02d}", d + timedelta(days=1), morning_pain=_at(morning, i),
                              settled=_at(settled, i), distal=_at(distal, i), leg=_at(leg, i),
                              back=_at(back, i), numb=_at(numb, i)))
    return comps, checks


def reason(rec, rule):
    found = rec.reason(rule)
    assert found is not None, f"{rule} not in {rec.rules()}"
    return found


# ---- controls -------------------------------------------------------------------------------

def test_steady_patient_progresses_listing_every_condition_met():
    rec = run(*green_logs())
    assert rec.status == "progress"
    assert rec.rules() == ("pain_within_progress", "mornings_settled", "distal_stable",
                           "adherence_at_target")
    assert all(r.status == "progress" for r in rec.reasons)
    # the whole 7-day window, not the last two sessions
    assert reason(rec, "pain_within_progress").evidence == tuple(f"c{i:02d}" for i in range(7, 13))
    assert reason(rec, "mornings_settled").values == {"mornings": 7}


def test_centralising_patient_with_rising_back_pain_is_not_regressed():
    distal = ["foot"] * 7 + ["below_knee"] * 3 + ["thigh"] * 3
    back = [2, 2, 2, 2, 2, 2, 2, 3, 4, 5, 5, 6, 6]
    leg = [6, 6, 6, 6, 6, 6, 5, 4, 4, 3, 3, 2, 2]
    morning = [max(b, g) for b, g in zip(back, leg, strict=False)]
    rec = run(*logs(distal=distal, back=back, leg=leg, morning=morning))
    assert rec.status == "progress"
    note = reason(rec, "distal_centralising")
    assert note.values["trend"] == "centralising" and note.evidence == ("k06", "k12")
    assert not any(r.rule.startswith("morning_rating") for r in rec.reasons)


def test_without_leg_pain_a_centralising_patients_overall_rating_still_counts():
    distal = ["foot"] * 7 + ["below_knee"] * 3 + ["thigh"] * 3
    morning = [2] * 10 + [6, 6, 6]
    rec = run(*logs(distal=distal, morning=morning))
    assert rec.status == "regress"
    assert reason(rec, "morning_rating_above_median").values["rating"] == "morning pain"


# ---- findings 1-10 of issue 9 ---------------------------------------------------------------

def _finding_1():  # pain after exercise 8/10 every session, mornings settled
    return logs(after=8), {}


def _finding_2_foot_buttock_below_knee():
    return logs(distal=["foot"] * 11 + ["buttock", "below_knee"]), {}


def _finding_2_rest_day_foot():
    comps, checks = logs()
    comps = [c for c in comps if c.local_date(TZ) != ago(2)]  # a rest day the day before
    checks = [c if c.date != ago(1) else dataclasses.replace(c, distal_symptom="foot")
              for c in checks]
    return (comps, checks), {}


def _finding_3_first_week_mornings():
    days = green_days(5)
    comps = [completion(f"c{i}", d) for i, d in enumerate(days)]
    checks = [checkin(f"k{i}", d + timedelta(days=1), morning_pain=2 * i)
              for i, d in enumerate(days)]
    return (comps, checks), {"prescribed_from": days[0]}


def _finding_3_creeping_pain():
    during = [round(3 * i / 13) for i in range(14)]  # 0 -> 3 over 14 days
    comps, checks = logs(14, during=during, after=during)
    return (comps, checks), {"prescribed_from": ago(14)}


def _finding_4_three_a_day():
    comps, checks = logs(per_day=3)
    comps = [c if c.id != "c120" else dataclasses.replace(c, pain_during=9) for c in comps]
    return (comps, checks), {}


def _finding_5_rest_day_numbness():
    comps, checks = logs()
    comps = [c for c in comps if c.local_date(TZ) != ago(2)]
    checks = [c if c.date != ago(1) else dataclasses.replace(c, new_numbness_or_weakness=True)
              for c in checks]
    return (comps, checks), {}


def _finding_5_weakness_worse():
    comps, checks = logs()
    checks[-1] = dataclasses.replace(checks[-1], weakness_worse=True)
    return (comps, checks), {}


def _finding_6_red_flag():
    comps, checks = logs()
    checks[-3] = dataclasses.replace(checks[-3], red_flag_change=True)
    return (comps, checks), {}


def _finding_6_open_alert():
    return green_logs(), {"open_alert": OpenAlert("urgent", "assessment_red_flag", "a7", ago(20))}


def _finding_7_no_checkins():
    comps, checks = logs()
    return (comps, checks[:-4]), {}


def _finding_10_one_unsettled_morning_calming():
    comps, checks = logs()
    checks[-1] = dataclasses.replace(checks[-1], settled="no")
    return (comps, checks), {"calming": True}


FINDINGS = [
    # (id, scenario, status, rule, evidence that must be named)
    ("1 pain after 8/10 every session", _finding_1, "regress", "pain_after_above_regress",
     {"c070", "c120"}),
    # buttock -> below knee skips the thigh: two levels at once
    ("2 foot->buttock->below knee is not centralising", _finding_2_foot_buttock_below_knee,
     "regress", "peripheralisation", {"k11", "k12"}),
    ("2 foot on a morning after a rest day", _finding_2_rest_day_foot, "hold",
     "peripheralisation", {"k10", "k11"}),
    ("3 morning 0,2,4,6,8 in the first week, settled yes", _finding_3_first_week_mornings,
     "regress", "morning_rating_above_median", {"k1", "k2"}),
    ("3 pain during creeping 0->3 over 14 days", _finding_3_creeping_pain, "hold",
     "pain_during_rising_trend", {"c010", "c130"}),
    ("4 9/10 yesterday morning, two 2/10 since", _finding_4_three_a_day, "hold",
     "pain_during_above_once", {"c120"}),
    ("5 new numbness on a rest-day morning", _finding_5_rest_day_numbness, "hold",
     "new_numbness_or_weakness", {"k11"}),
    ("5 weakness getting worse", _finding_5_weakness_worse, "stop", "weakness_worse", {"k12"}),
    ("6 red flag stops, not regresses", _finding_6_red_flag, "stop", "red_flag_reported",
     {"k10"}),
    ("6 an open urgent alert stops", _finding_6_open_alert, "stop", "open_alert", {"a7"}),
    ("7 sessions but no check-in", _finding_7_no_checkins, "hold", "no_recent_checkins",
     {"c090", "c120"}),
    ("10 one unsettled morning does not regress a calming exercise",
     _finding_10_one_unsettled_morning_calming, "hold", "morning_not_settled", {"k12", "c120"}),
]


@pytest.mark.parametrize("name, scenario, status, rule, evidence", FINDINGS,
                         ids=[f[0] for f in FINDINGS])
def test_issue_9_findings(name, scenario, status, rule, evidence):
    (comps, checks), kw = scenario()
    rec = run(comps, checks, **kw)
    assert rec.status == status, rec.rules()
    fired = reason(rec, rule)
    assert fired.status == status
    assert evidence <= set(fired.evidence), fired.evidence
    assert fired.detail and fired.values


def test_finding_2_foot_after_a_rest_day_regresses_what_was_done_the_day_before():
    (comps, checks), _ = _finding_2_rest_day_foot()
    rec = run(comps, checks)
    fired = reason(rec, "peripheralisation")
    assert fired.values["dates"] == ago(1).isoformat()
    assert fired.values["done_in_previous_24h"] == 0 and "not done the day before" in fired.detail
    # the same morning after a session day
    _, checks = logs()
    checks[-1] = dataclasses.replace(checks[-1], distal_symptom="foot")
    rec = run(logs()[0], checks)
    fired = reason(rec, "peripheralisation")
    assert rec.status == "regress" and fired.values["done_in_previous_24h"] == 1
    assert "c120" in fired.evidence and ago(1).isoformat() in fired.detail


def test_finding_3_trend_reason_carries_the_slope():
    (comps, checks), kw = _finding_3_creeping_pain()
    fired = reason(run(comps, checks, **kw), "pain_during_rising_trend")
    assert fired.values["slope_per_week"] == pytest.approx(1.8, abs=0.1)
    assert fired.values["threshold_per_week"] == 1.0 and fired.values["span_days"] == 13
    # the same creep over a week is not a two-week trend (too short to call)
    comps, checks = logs(7, during=[0, 0, 1, 1, 2, 2, 3])
    assert "pain_during_rising_trend" not in run(comps, checks, prescribed_from=ago(7)).rules()


def test_finding_4_reads_the_whole_window_at_three_sessions_a_day():
    (comps, checks), _ = _finding_4_three_a_day()
    fired = reason(run(comps, checks), "pain_during_above_once")
    assert fired.values["recent"] == 1 and ago(1).isoformat() in fired.detail
    twice = [c if c.id != "c110" else dataclasses.replace(c, pain_during=7) for c in comps]
    rec = run(twice, checks)
    assert rec.status == "regress"
    assert set(reason(rec, "pain_during_above_regress").evidence) >= {"c110", "c120"}


def test_finding_6_resolution_holds_for_three_days_of_new_data_then_resumes():
    (comps, checks), _ = _finding_6_red_flag()
    resolved = ago(3)  # the red flag (on ago(2)) came after: still stops
    assert run(comps, checks, resolved_on=resolved).status == "stop"
    rec = run(comps, checks, resolved_on=ago(2))
    assert rec.status == "hold"
    fired = reason(rec, "alert_recently_resolved")
    assert fired.values == {"resolved_on": ago(2).isoformat(), "days_of_new_data": 2,
                            "days_needed": 3}
    assert run(comps, checks, resolved_on=ago(4)).status == "stop"
    # three days of data after the resolution: the engine resumes
    clean = [dataclasses.replace(c, red_flag_change=False) for c in checks]
    assert run(comps, clean, resolved_on=ago(3)).status == "progress"


@pytest.mark.parametrize("level, status", [("emergency", "stop"), ("urgent", "stop"),
                                           ("warning", "progress"), ("caution", "progress")])
def test_only_emergency_and_urgent_alerts_stop(level, status):
    rec = run(*green_logs(), open_alert=OpenAlert(level, "x"))
    assert rec.status == status
    if status == "stop":
        assert rec.reasons[0].rule == "open_alert" and level in rec.reasons[0].detail


def test_an_open_alert_may_be_given_as_its_level():
    rec = run(*green_logs(), open_alert="urgent")
    assert rec.status == "stop" and rec.reasons[0].values["alert_level"] == "urgent"
    assert run(*green_logs(), open_alert="info").status == "progress"  # old level: a caution


def test_stop_lists_the_regress_and_hold_reasons_too():
    comps, checks = logs(after=8)
    checks[-1] = dataclasses.replace(checks[-1], both_legs=True)
    rec = run(comps, checks)
    assert rec.status == "stop"
    assert rec.rules()[:2] == ("both_legs_symptoms", "pain_after_above_regress")


def test_a_dose_change_does_not_lift_a_stop():
    (comps, checks), _ = _finding_6_red_flag()
    assert run(comps, checks, prescribed_from=ago(1)).status == "stop"


# ---- pain during and after, over the window -------------------------------------------------

@pytest.mark.parametrize("kind", ["during", "after"])
@pytest.mark.parametrize("pains, status, rule", [
    ([3], "progress", "pain_within_progress"),
    ([4], "hold", "pain_{}_hold_band"),
    ([5], "hold", "pain_{}_hold_band"),
    ([6], "hold", "pain_{}_above_once"),
    ([10], "hold", "pain_{}_above_once"),
    ([6, 6], "regress", "pain_{}_above_regress"),
])
def test_pain_lines_at_their_boundaries(kind, pains, status, rule):
    comps, checks = logs()
    for offset, pain in enumerate(pains):
        i = len(comps) - 1 - offset
        comps[i] = dataclasses.replace(comps[i], **{f"pain_{kind}": pain})
    rec = run(comps, checks)
    assert rec.status == status, rec.rules()
    fired = reason(rec, rule.format(kind))
    assert comps[-1].id in fired.evidence


@pytest.mark.parametrize("kind", ["during", "after"])
def test_once_above_5_with_an_unsettled_morning_after_it_regresses(kind):
    comps, checks = logs()
    comps[-3] = dataclasses.replace(comps[-3], **{f"pain_{kind}": 7})
    checks[-3] = dataclasses.replace(checks[-3], settled="no")
    rec = run(comps, checks)
    assert rec.status == "regress"
    assert set(reason(rec, f"pain_{kind}_above_regress").evidence) == {comps[-3].id, checks[-3].id}


def test_a_session_above_5_outside_recent_days_still_blocks_progress():
    comps, checks = logs()
    comps[-6] = dataclasses.replace(comps[-6], pain_during=7)
    fired = reason(run(comps, checks), "pain_during_above_once")
    assert fired.values["recent"] == 0 and fired.status == "hold"


@pytest.mark.parametrize("amber_sessions, status", [(1, "progress"), (2, "hold")])
def test_share_of_sessions_within_the_progress_lines(amber_sessions, status):
    # 6 sessions in the window; 1 of 6 older than recent_days at 4/10 is 83 % >= 80 %
    comps, checks = logs()
    for i in range(amber_sessions):
        comps[-6 + i] = dataclasses.replace(comps[-6 + i], pain_after=4)
    rec = run(comps, checks)
    assert rec.status == status
    if status == "hold":
        fired = reason(rec, "pain_share_below")
        assert fired.values["sessions_within"] == 4 and fired.values["sessions"] == 6


def test_pain_thresholds_follow_patient_settings():
    strict = ClinicalSettings.from_overrides({"pain_during_progress_max": 1,
                                              "pain_during_regress_above": 3,
                                              "pain_after_progress_max": 2,
                                              "pain_after_regress_above": 4})
    comps, checks = logs()
    assert run(comps, checks, strict).status == "hold"  # pain during 2 is in the 2-3 band
    assert run(*logs(during=1, after=5), strict).status == "regress"


# ---- mornings against the patient's own median ----------------------------------------------

@pytest.mark.parametrize("tail, status, rule", [
    ([3], "progress", None),                                   # +1: daily variation
    ([1, 3, 2, 3, 1, 2, 3, 2, 1, 3], "progress", None),        # 2 +- 1, any order
    ([4], "hold", "morning_rating_above_median_once"),         # +2 once
    ([4, 4], "regress", "morning_rating_above_median"),        # two in a row
    ([4, 2, 4, 2, 4], "regress", "morning_rating_above_median"),  # 3 of the last 5
    ([4, 2, 2, 4], "hold", "morning_rating_above_median_once"),   # 2 of the last 5, apart
])
def test_morning_rating_against_the_median(tail, status, rule):
    morning = [2] * (13 - len(tail)) + tail
    rec = run(*logs(morning=morning))
    assert rec.status == status, rec.rules()
    if rule:
        fired = reason(rec, rule)
        assert "k12" in fired.evidence and fired.values["rise_points"] == 2.0


def test_settled_yes_never_overrides_the_rating():
    rec = run(*logs(morning=[1] * 11 + [5, 6]))
    assert rec.status == "regress" and "mornings_settled" not in rec.rules()


@pytest.mark.parametrize("baseline, status", [(None, "progress"), (1, "hold"), (5, "progress")])
def test_first_mornings_use_the_baseline_when_given(baseline, status):
    days = green_days(3)
    comps = [completion(f"c{i}", d) for i, d in enumerate(days)]
    checks = [checkin(f"k{i}", d + timedelta(days=1), morning_pain=p)
              for i, (d, p) in enumerate(zip(days, (3, 3, 3), strict=False))]
    rec = run(comps, checks, prescribed_from=days[0], baseline_morning_pain=baseline)
    assert rec.status == status, rec.rules()


def test_after_a_regress_the_reference_resets_to_the_new_version():
    morning = [6] * 6 + [2] * 7  # high before the new version, settled since
    comps, checks = logs(morning=morning)
    assert run(comps, checks, prescribed_from=ago(7)).status == "progress"


# ---- settled ----------------------------------------------------------------------------------

@pytest.mark.parametrize("settled, status, rule", [
    ("yes", "progress", "mornings_settled"),
    ("partly", "hold", "morning_partly_settled"),
    ("no", "regress", "morning_not_settled"),
])
def test_morning_settled(settled, status, rule):
    comps, checks = logs()
    checks[-1] = dataclasses.replace(checks[-1], settled=settled)
    rec = run(comps, checks)
    assert rec.status == status and checks[-1].id in reason(rec, rule).evidence


def test_an_unsettled_morning_anywhere_in_the_window_counts():
    comps, checks = logs()
    checks[-6] = dataclasses.replace(checks[-6], settled="no")
    assert run(comps, checks).status == "regress"
    checks = logs()[1]
    checks[0] = dataclasses.replace(checks[0], settled="no")  # before the window
    assert run(comps, checks).status == "progress"


def test_unsettled_after_a_rest_day_holds():
    comps, checks = logs()
    comps = [c for c in comps if c.local_date(TZ) != ago(1)]
    checks[-1] = dataclasses.replace(checks[-1], settled="no")
    rec = run(comps, checks)
    assert rec.status == "hold" and "morning_not_settled_rest_day" in rec.rules()


# ---- attribution, calming, loaded -----------------------------------------------------------

def test_a_bad_morning_after_a_dose_change_names_the_change():
    comps, checks = logs()
    checks[-1] = dataclasses.replace(checks[-1], settled="no")
    rec = run(comps, checks, prescribed_from=ago(1))
    fired = reason(rec, "morning_not_settled")
    assert rec.status == "regress" and fired.values["likely_cause"] == "this_exercise_changed"
    assert fired.values["changed_on"] == ago(1).isoformat() and "dose" in fired.detail
    # another exercise changed that day: this one is held, and the change named
    rec = run(comps, checks, program_changed_on={ago(1)})
    fired = reason(rec, "morning_not_settled")
    assert rec.status == "hold" and fired.values["likely_cause"] == "other_exercise_changed"


def test_calming_exercises_are_not_regressed_by_mornings_alone():
    comps, checks = logs(morning=[2] * 11 + [6, 6])
    assert run(comps, checks).status == "regress"
    rec = run(comps, checks, calming=True)
    assert rec.status == "hold" and reason(rec, "morning_rating_above_median").values["calming"] == 1
    # pain during the exercise itself still regresses it
    assert run(*logs(during=7), calming=True).status == "regress"


@pytest.mark.parametrize("effort, loaded, status, rule", [
    (8, True, "progress", "effort_leaves_reserve"),
    (9, True, "hold", "effort_above_reserve"),
    (10, True, "hold", "effort_above_reserve"),
    (10, False, "progress", None),
    (10, None, "progress", None),    # no weight on the dose: not loaded
])
def test_reps_in_reserve_only_for_loaded_exercises(effort, loaded, status, rule):
    comps, checks = logs()
    comps[-1] = dataclasses.replace(comps[-1], effort=effort)
    rec = run(comps, checks, loaded=loaded)
    assert rec.status == status
    if rule:
        assert rule in rec.rules()
    else:
        assert not any(r.rule.startswith("effort") for r in rec.reasons)


def test_a_weighted_dose_is_loaded_by_default():
    comps, checks = logs(effort=10)
    dose = Dose(3, 10, load_value=8, load_unit="kg")
    assert reason(run(comps, checks, dose=dose), "effort_above_reserve").evidence


# ---- where the symptoms are -----------------------------------------------------------------

@pytest.mark.parametrize("tail, trend, status, rule", [
    (["thigh", "thigh"], "stable", "progress", "distal_stable"),
    (["buttock", "buttock"], "centralising", "progress", "distal_centralising"),
    (["below_knee"], "further_once", "hold", "distal_further_once"),
    (["below_knee", "thigh"], "stable", "progress", "distal_stable"),   # a fluctuation
    (["below_knee", "below_knee"], "peripheralising", "regress", "peripheralisation"),
    (["below_knee", "foot"], "peripheralising", "regress", "peripheralisation"),
    (["foot"], "peripheralising", "regress", "peripheralisation"),      # two levels at once
])
def test_distal_symptom_morning_by_morning(tail, trend, status, rule):
    distal = ["thigh"] * (13 - len(tail)) + tail
    comps, checks = logs(distal=distal)
    assert centralisation(checks[-7:]) == trend
    rec = run(comps, checks)
    assert rec.status == status, rec.rules()
    fired = reason(rec, rule)
    if status != "progress":
        assert checks[-len(tail)].id in fired.evidence
        assert checks[-len(tail)].date.isoformat() in fired.detail


def test_peripheralisation_holds_exercises_not_done_the_day_before():
    comps, checks = logs(distal=["thigh"] * 12 + ["foot"])
    other = [dataclasses.replace(c, prescription_id=2) for c in comps
             if c.local_date(TZ) != ago(1)]
    rec = run(other, checks, prescription_id=2)
    assert rec.status == "hold"
    assert reason(rec, "peripheralisation").status == "hold"


def test_distal_moves_and_centralisation_ignore_order():
    _, checks = logs(distal=["foot", "buttock", "below_knee"] * 4 + ["thigh"])
    assert centralisation(reversed(checks)) == centralisation(checks)
    assert centralisation([]) == centralisation(checks[:1]) == "unknown"
    assert [m.kind for m in distal_moves(checks[:3])] == ["peripheralisation"]  # 2 levels
    _, checks = logs(3, distal=["thigh", "buttock", "buttock"])
    assert distal_moves(checks) == ()  # back towards the spine
    _, checks = logs(3, distal=["buttock", "buttock", "thigh"])
    assert [m.kind for m in distal_moves(checks)] == ["further_once"]
    assert centralisation(checks) == "further_once"


# ---- counts, adherence, neurology -------------------------------------------------------------

@pytest.mark.parametrize("n, status", [(0, "hold"), (2, "hold"), (3, "progress")])
def test_minimum_sessions_and_checkins_at_the_current_dose(n, status):
    days = green_days(n)
    comps = [completion(f"c{i}", d) for i, d in enumerate(days)]
    checks = [checkin(f"k{i}", d + timedelta(days=1)) for i, d in enumerate(days)]
    rec = run(comps, checks, prescribed_from=days[0] if days else TODAY)
    assert rec.status == status, rec.rules()
    assert ("too_few_sessions" in rec.rules()) == (n < 3)
    assert ("too_few_checkins" in rec.rules()) == (n < 3)


@pytest.mark.parametrize("done, status, rule", [
    (24, "progress", "adherence_at_target"),
    (23, "hold", "adherence_below_target"),
])
def test_adherence_target_boundary(done, status, rule):
    dose = Dose(sets=1, reps=5, frequency_per_day=5)
    days = green_days(6)  # 6 days x 5 sessions = 30 prescribed
    comps = [completion(f"c{n:03d}", days[n // 5], hour=8 + n % 5) for n in range(done)]
    checks = [checkin(f"k{i}", d + timedelta(days=1)) for i, d in enumerate(days)]
    rec = run(comps, checks, ClinicalSettings.from_overrides({"lookback_days": 21}), dose=dose,
              prescribed_from=days[0])
    assert rec.status == status
    fired = reason(rec, rule)
    assert fired.values["completed_sessions"] == done and fired.values["prescribed_sessions"] == 30


def test_new_numbness_blocks_progress_but_does_not_regress():
    comps, checks = logs()
    checks[-5] = dataclasses.replace(checks[-5], new_numbness_or_weakness=True)
    rec = run(comps, checks)
    assert rec.status == "hold"
    assert reason(rec, "new_numbness_or_weakness").evidence == (checks[-5].id,)


def test_other_prescriptions_and_old_logs_are_ignored():
    comps, checks = green_logs()
    noise = [completion("x1", ago(1), pain_during=9, prescription_id=2),
             completion("x2", ago(40), pain_during=9)]
    assert run(comps + noise, checks, prescription_id=1).status == "progress"


def test_to_dict_is_plain_json():
    assert json.loads(json.dumps(run(*green_logs()).to_dict()))["status"] == "progress"
    rec = run(*logs(after=8), open_alert=OpenAlert("emergency", "red_flag_change", "a1"))
    assert json.loads(json.dumps(rec.to_dict()))["reasons"][0]["values"]["alert_id"] == "a1"


# ---- properties -----------------------------------------------------------------------------

DISTAL = ("none", "back", "buttock", "thigh", "below_knee", "foot")
# Biased towards green days (3 in 4) so that every status, progress included, turns up.
GREEN_DAY = (True, 2, 2, "yes", "thigh", 2, True, False, False, False)
any_day = st.tuples(
    st.sampled_from((True,) * 5 + (False,)),                    # session that day?
    st.sampled_from((2, 1, 2, 0, 3, 2, 4, 6)), st.sampled_from((2, 2, 1, 0, 3, 4, 6)),  # pain
    st.sampled_from(("yes",) * 6 + ("partly", "no")),
    st.sampled_from(("thigh",) * 4 + ("buttock", "below_knee")),
    st.sampled_from((2, 2, 2, 1, 3, 5)), st.sampled_from((True,) * 4 + (False,)),  # morning
    st.sampled_from((False, False, True)),                      # a second session that day?
    st.sampled_from((False,) * 12 + (True,)),                   # new numbness
    st.sampled_from((False,) * 15 + (True,)),                   # red flag
)
day_logs = st.lists(st.one_of(st.just(GREEN_DAY), st.just(GREEN_DAY), st.just(GREEN_DAY), any_day),
                    min_size=1, max_size=16)


def build(logs):
    """Completions and check-ins for ``logs`` (one entry per day ending yesterday), and the
    first day, to pass as ``prescribed_from``."""
    comps, checks = [], []
    for i, (has, during, after, settled, distal, morning, has_check, twice, numb, red) in \
            enumerate(logs):
        day = TODAY - timedelta(days=len(logs) - i)
        if has:
            for k in range(1 + twice):
                comps.append(completion(f"c{i}-{k}", day, pain_during=during, pain_after=after,
                                        hour=7 + 5 * k))
        if has_check:
            checks.append(checkin(f"k{i}", day + timedelta(days=1), morning_pain=morning,
                                  settled=settled, distal=distal, numb=numb, red=red))
    return comps, checks, TODAY - timedelta(days=len(logs))


def _run_built(logs, **kw):
    comps, checks, first = build(logs)
    return run(comps, checks, prescribed_from=first, **kw)


@FAST
@given(day_logs, st.randoms(use_true_random=False))
def test_result_does_not_depend_on_log_order(logs, rnd):
    comps, checks, first = build(logs)
    expected = run(comps, checks, prescribed_from=first)
    rnd.shuffle(comps)
    rnd.shuffle(checks)
    assert run(comps, checks, prescribed_from=first) == expected


BLOCKERS = ("session_above_5", "morning_above_median", "peripheralise", "numbness",
            "open_alert", "after_above_5")


@FAST
@given(st.sampled_from(BLOCKERS), st.integers(6, 10), st.integers(0, 5),
       st.sampled_from(("emergency", "urgent")))
def test_no_progress_while_any_blocker_holds_in_the_window(blocker, high, days_ago, level):
    comps, checks = logs()
    kw = {}
    i = len(comps) - 1 - days_ago  # a session on ago(1 + days_ago), a morning on ago(days_ago)
    if blocker == "session_above_5":
        comps[i] = dataclasses.replace(comps[i], pain_during=high)
    elif blocker == "after_above_5":
        comps[i] = dataclasses.replace(comps[i], pain_after=high)
    elif blocker == "morning_above_median":
        checks[i] = dataclasses.replace(checks[i], morning_pain=high - 2)
    elif blocker == "peripheralise":
        checks[i] = dataclasses.replace(checks[i], distal_symptom="foot")
    elif blocker == "numbness":
        checks[i] = dataclasses.replace(checks[i], new_numbness_or_weakness=True)
    else:
        kw["open_alert"] = OpenAlert(level, "red_flag_change")
    rec = run(comps, checks, **kw)
    assert rec.status != "progress"
    assert any(r.status == rec.status for r in rec.reasons)


@FAST
@given(day_logs)
def test_progress_only_when_every_condition_is_met(logs):
    comps, checks, first = build(logs)
    rec = run(comps, checks, prescribed_from=first)
    assert rec.reasons, "every recommendation gives reasons"
    if rec.status == "hold":
        assert all(r.status in ("hold", "progress") for r in rec.reasons)
    if rec.status == "progress":
        assert all(r.status == "progress" for r in rec.reasons)
        window = [c for c in comps if c.performed_at.astimezone(TZ).date() >= TODAY - timedelta(days=6)]
        assert len(window) >= 3
        assert max(max(c.pain_during, c.pain_after) for c in window) <= 5
        within = [c for c in window if c.pain_during <= 3 and c.pain_after <= 3]
        assert len(within) * 100 >= 80 * len(window)
        mornings = [c for c in checks if c.date >= TODAY - timedelta(days=6)]
        assert len(mornings) >= 3 and all(c.settled == "yes" for c in mornings)
        assert not any(c.new_numbness_or_weakness or c.red_flag_change for c in mornings)
    if any(c.red_flag_change for c in checks if c.date >= TODAY - timedelta(days=6)):
        assert rec.status == "stop"


@FAST
@given(st.integers(1, 3), st.data())
def test_steady_mornings_varying_one_point_either_way_still_progress(level, data):
    """Mornings that stay within one point of the patient's own running median, whatever the
    order, never hold a steady patient."""
    from statistics import median
    comps, checks = logs()
    ratings: list[int] = [level]
    for _ in range(len(checks) - 1):
        ref = median(ratings[-7:])
        low, high = max(0, int(ref - 1 + 0.5)), int(ref + 1)
        ratings.append(data.draw(st.integers(low, high)))
    checks = [dataclasses.replace(c, morning_pain=r) for c, r in zip(checks, ratings, strict=False)]
    rec = run(comps, checks)
    assert rec.status == "progress", (ratings, rec.rules())


@pytest.mark.parametrize("status", ["progress", "hold", "regress", "stop"])
def test_the_log_strategy_reaches_every_status(status):
    # keeps the properties above from passing vacuously
    find(day_logs, lambda logs: _run_built(logs).status == status,
         settings=hsettings(max_examples=1000, deadline=None, database=None,
                            phases=[Phase.generate]))
