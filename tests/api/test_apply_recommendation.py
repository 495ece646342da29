"""Applying a recommendation through the API, over simulated days: progress moves to the
harder neighbour (or one dose step up), regress the other way, hold and stop are refused,
and the volume cap still asks for confirmation."""
from __future__ import annotations

import pytest

from hep.models import AuditEvent, Exercise, Prescription, ProgramVersion
from tests.support.scenarios import Scenario, scenarios, steady

HINGE = ("hip-hinge-to-box", {"sets": 2, "reps": 8, "frequency_per_day": 1, "pain_ceiling": 4})
# No harder neighbour in the library: progress steps the dose instead.
ABDUCTION = ("side-lying-hip-abduction", {"sets": 2, "reps": 10, "frequency_per_day": 1})


@pytest.fixture
def scenario(api, therapist):
    yield from scenarios(api, therapist, (HINGE,))


def apply_url(patient: Scenario, index: int = 0) -> str:
    return f"/api/v1/patients/{patient.patient_id}/recommendations/{patient.prescriptions[index]}/apply"


def slug_of(app, exercise_id: int) -> str:
    with app.app_context():
        return Exercise.get_by_id(exercise_id).slug


def test_progress_moves_to_the_harder_neighbour(app, scenario):
    patient = scenario()
    patient.live(steady(8))
    assert patient.recommendation()["status"] == "progress"

    applied = patient.therapist.post(apply_url(patient), {})
    assert applied.status_code == 201, applied.get_json()
    version = applied.get_json()
    assert version["number"] == 2
    [item] = version["items"]
    assert slug_of(app, item["exercise_id"]) == "reach-to-table"
    # The schedule and the pain ceiling stay; the dose is the new exercise's library default.
    assert item["frequency_per_day"] == 1 and item["pain_ceiling"] == 4
    assert [c["change"] for c in version["changes"]] == ["removed", "added"]
    with app.app_context():
        stored = ProgramVersion.get(ProgramVersion.number == 2)
        assert [slug_of(app, p.exercise_id) for p in stored.prescriptions] == ["reach-to-table"]
        event = AuditEvent.get(AuditEvent.action == "recommendation.apply")
        assert event.patient_id == patient.patient_id
        assert event.detail == {"prescription": patient.prescriptions[0], "status": "progress", "how": "exercise",
                                "version": 2}
    # The phone sees the new exercise today.
    today = patient.phone.get("/api/v1/today").get_json()
    assert [i["exercise"]["slug"] for i in today["items"]] == ["reach-to-table"]


def test_steady_control_without_a_harder_neighbour_gets_one_dose_step(app, scenario):
    patient = scenario([ABDUCTION])
    patient.live(steady(8))
    assert patient.recommendation()["status"] == "progress"
    applied = patient.therapist.post(apply_url(patient), {})
    assert applied.status_code == 201, applied.get_json()
    version = applied.get_json()
    assert [(c["field"], c["before"], c["after"]) for c in version["changes"]] == [("reps", 10, 11)]
    with app.app_context():
        assert Prescription.get_by_id(version["items"][0]["id"]).reps == 11


def test_regress_moves_to_the_easier_neighbour_or_steps_down(app, scenario):
    patient = scenario([ABDUCTION])
    patient.live([{"morning": {}, "sessions": [[(2, 8)]]} for _ in range(8)])
    assert patient.recommendation()["status"] == "regress"
    applied = patient.therapist.post(apply_url(patient), {})
    assert applied.status_code == 201, applied.get_json()
    [item] = applied.get_json()["items"]
    assert slug_of(app, item["exercise_id"]) == "clamshell"


def test_worsening_patient_is_refused_with_the_reasons(app, scenario):
    patient = scenario()
    patient.live(steady(6) + [{"morning": {}, "sessions": [[(5, 4)]]}])
    recommendation = patient.recommendation()
    assert recommendation["status"] == "hold"
    refused = patient.therapist.post(apply_url(patient), {})
    assert refused.status_code == 409
    assert refused.headers["Content-Type"] == "application/problem+json"
    body = refused.get_json()
    assert body["status"] == 409 and body["recommendation"] == "hold"
    assert "hold" in body["detail"]
    assert [r["rule"] for r in body["reasons"]] == [r["rule"] for r in recommendation["reasons"]]
    with app.app_context():
        assert ProgramVersion.select().count() == 1  # nothing written


def test_red_flag_stops_and_apply_says_why(app, scenario):
    patient = scenario()
    patient.live(steady(7) + [{"morning": {"red_flag_change": True}}])
    refused = patient.therapist.post(apply_url(patient), {})
    assert refused.status_code == 409
    assert refused.get_json()["recommendation"] == "stop"
    assert "stop" in refused.get_json()["detail"] and "alert" in refused.get_json()["detail"]


def test_a_step_above_the_volume_cap_needs_confirming(app, scenario):
    patient = scenario([ABDUCTION])
    url = f"/api/v1/patients/{patient.patient_id}/settings"
    assert patient.therapist.put(url, {"dose_step_percent": 40}).status_code == 200
    patient.live(steady(8))
    refused = patient.therapist.post(apply_url(patient), {})
    assert refused.status_code == 409
    [change] = refused.get_json()["volume_changes"]
    assert change["increase_percent"] == 40.0 and change["exercise_name"] == "Side-lying leg lift"
    with app.app_context():
        assert ProgramVersion.select().count() == 1
    confirmed = patient.therapist.post(apply_url(patient), {"confirm_volume_increase": True})
    assert confirmed.status_code == 201
    assert confirmed.get_json()["items"][0]["reps"] == 14


def test_a_prescription_of_another_version_is_404(scenario):
    patient = scenario()
    patient.live(steady(8))
    assert patient.therapist.post(apply_url(patient), {}).status_code == 201
    # The first version's prescription is history now.
    assert patient.therapist.post(apply_url(patient), {}).status_code == 404
    missing = f"/api/v1/patients/{patient.patient_id}/recommendations/999999/apply"
    assert patient.therapist.post(missing, {}).status_code == 404


def test_applying_runs_a_bounded_number_of_statements(scenario):
    """The same statements whether the patient logged 8 days of one exercise or 20 days of
    three (plan, save through ``assign``, alerts refreshed, the new version read back)."""
    from tests.support.queries import statements

    counts = []
    for days, items in ((8, [ABDUCTION]), (20, [ABDUCTION, HINGE, ("glute-bridge", {"frequency_per_day": 1})])):
        patient = scenario(items)
        patient.live(steady(days, exercises=len(items)))
        with statements() as seen:
            assert patient.therapist.post(apply_url(patient), {}).status_code == 201
        counts.append(len(seen))
    assert counts[0] == counts[1] and counts[0] <= 45, counts
