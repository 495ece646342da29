"""The symptom-guided rules as the therapist reads them: patients lived over simulated days
through the API, one row per finding of the clinical review (issue 9), with a steady control
patient and a centralising one, so no row can pass by never saying "progress"."""
from __future__ import annotations

import pytest

from tests.support.scenarios import scenarios, steady

HINGE = ("hip-hinge-to-box", {"sets": 2, "reps": 8, "frequency_per_day": 1})
BREATHING = ("belly-breathing-crook-lying", {"sets": 1, "reps": 10, "frequency_per_day": 1})


@pytest.fixture
def scenario(api, therapist):
    yield from scenarios(api, therapist, (HINGE,))


def rules(recommendation) -> list[str]:
    return [r["rule"] for r in recommendation["reasons"]]


def mornings(*specs) -> list[dict]:
    """One day per morning spec, each with a quiet session (pain 1/1)."""
    return [{"morning": m, "sessions": [[(1, 1)]]} for m in specs]


SCENARIOS = {
    # name: (days, status, rule that must be named)
    "control: steady": (steady(8), "progress", "pain_within_progress"),
    "1: pain after 8 every session, settled mornings": (
        [{"morning": {}, "sessions": [[(2, 8)]]} for _ in range(8)], "regress", "pain_after_above_regress"),
    "2: foot, buttock, below the knee": (
        mornings(*[{"distal_symptom": "foot"}] * 5, {"distal_symptom": "buttock"},
                 {"distal_symptom": "below_knee"}, {"distal_symptom": "below_knee"}),
        "regress", "peripheralisation"),
    "3: morning 0, 2, 4, 6, 8 with 'settled: yes'": (
        mornings(*({"morning_pain": p} for p in (0, 2, 4, 6, 8))), "regress", "morning_rating_above_median"),
    "3: pain during creeping 0 to 3 over two weeks": (
        [{"morning": {}, "sessions": [[(round(3 * d / 14), 1)]]} for d in range(15)], "hold",
        "pain_during_rising_trend"),
    "5: new numbness on a rest-day morning": (
        steady(7) + [{"morning": {"new_numbness_or_weakness": True}}], "hold", "new_numbness_or_weakness"),
    "5: weakness getting worse": (steady(7) + [{"morning": {"weakness_worse": True}}], "stop", "weakness_worse"),
    "6: a red-flag answer": (steady(7) + [{"morning": {"red_flag_change": True}}], "stop", "open_alert"),
    "7: sessions but no check-in for four days": (
        steady(4) + [{"sessions": [[(1, 1)]]}] * 4, "hold", "no_recent_checkins"),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_finding_gives_its_status_with_its_evidence(scenario, name):
    days, status, rule = SCENARIOS[name]
    patient = scenario()
    patient.live(days)
    recommendation = patient.recommendation()
    assert recommendation["status"] == status, rules(recommendation)
    named = next(r for r in recommendation["reasons"] if r["rule"] == rule)
    assert named["detail"] and (named["evidence"] or named["values"])


def test_three_sessions_a_day_one_bad_yesterday_still_holds(scenario):
    patient = scenario([("hip-hinge-to-box", {"sets": 2, "reps": 8, "frequency_per_day": 3})])
    patient.live(steady(6) + [{"morning": {}, "sessions": [[(9, 3), (2, 1), (2, 1)]]}])
    recommendation = patient.recommendation()
    assert recommendation["status"] == "hold"
    assert "pain_during_above_once" in rules(recommendation)


def test_one_unsettled_morning_holds_breathing_and_regresses_the_rest(scenario):
    patient = scenario([HINGE, BREATHING])
    patient.live(steady(7, exercises=2) + [{"morning": {"settled": "no"}, "sessions": [[(1, 1)], [(0, 0)]]}])
    hinge, breathing = patient.recommendation(0), patient.recommendation(1)
    assert hinge["status"] == "regress" and "morning_not_settled" in rules(hinge)
    assert breathing["status"] == "hold" and "morning_not_settled" in rules(breathing)
    assert not any(r.startswith("effort") for r in rules(breathing))


def test_a_centralising_leg_with_rising_back_pain_is_not_regressed(scenario):
    patient = scenario()
    distal = ["foot", "foot", "foot", "below_knee", "below_knee", "thigh", "thigh", "thigh"]
    patient.live(mornings(*({"distal_symptom": d, "back_pain": 2 + i // 2, "leg_pain": 6 - i // 2}
                            for i, d in enumerate(distal))))
    recommendation = patient.recommendation()
    assert recommendation["status"] != "regress", rules(recommendation)
    assert "distal_centralising" in rules(recommendation)


def test_a_weekly_volume_rise_above_the_cap_or_a_load_rise_needs_confirming(scenario):
    """Finding 8: 8 kg x 10 -> 16 kg x 5 is 0 % volume but a load rise; +21 % is above the cap."""
    lift = ("sit-to-stand", {"sets": 2, "reps": 10, "load_value": 8, "load_unit": "kg"})
    patient = scenario([lift])
    url = f"/api/v1/patients/{patient.patient_id}/program"

    def save(dose, **extra):
        body = {"phase": "load", "items": [{"exercise_id": patient.prescription_exercise(), **dose}], **extra}
        return patient.therapist.post(url, body)

    heavier = save({"sets": 2, "reps": 5, "load_value": 16, "load_unit": "kg"})
    assert heavier.status_code == 409 and heavier.content_type == "application/problem+json"
    [change] = heavier.get_json()["volume_changes"]
    assert (change["increase_percent"], change["load_rise"], change["old_load_kg"], change["new_load_kg"]) == (0.0, True, 8, 16)
    assert change["exercise_name"] == "Sit to stand" and change["needs_confirmation"]
    assert save({"sets": 2, "reps": 12, "load_value": 8, "load_unit": "kg"}).status_code == 201   # +20 %: at the cap
    above = save({"sets": 2, "reps": 15, "load_value": 8, "load_unit": "kg"})                     # +25 %
    assert above.status_code == 409 and above.get_json()["volume_changes"][0]["volume_allowed"] is False
    assert len(patient.therapist.get(url).get_json()["history"]) == 2  # nothing saved by the refusals
    confirmed = save({"sets": 2, "reps": 5, "load_value": 16, "load_unit": "kg"}, confirm_volume_increase=True)
    assert confirmed.status_code == 201 and confirmed.get_json()["items"][0]["load_value"] == 16
    lb = save({"sets": 2, "reps": 5, "load_value": 35, "load_unit": "lb"})  # 15.9 kg: lighter, nothing to confirm
    assert lb.status_code == 201
