"""Progress on one's own inside the therapist's bounds, through the API over simulated days:
an improving patient is offered the next step and takes it (a version by the patient), a
patient whose pain creeps up is not (hold) and, after a session above the ceiling, is offered
the easier step; a steady control without bounds is never offered anything."""
from __future__ import annotations

import uuid
from datetime import time, timedelta

import pytest

from hep.models import AuditEvent, ProgramVersion
from tests.support.scenarios import scenarios, steady

from conftest import exercise_id

BOUNDED = ("hip-hinge-to-box", {"sets": 2, "reps": 10, "frequency_per_day": 1,
                                "self_progression": {"reps_max": 15, "reps_step": 2}})
UNBOUNDED = ("hip-hinge-to-box", {"sets": 2, "reps": 10, "frequency_per_day": 1})


@pytest.fixture
def scenario(api, therapist):
    yield from scenarios(api, therapist, (BOUNDED,))


def today_item(patient) -> dict:
    return patient.phone.get("/api/v1/today").get_json()["items"][0]


def step(patient, direction="harder", client_id=None, rx=None):
    body = {"id": client_id or str(uuid.uuid4()), "direction": direction}
    return patient.phone.post(f"/api/v1/today/{rx or patient.prescriptions[0]}/progress", body)


def program(patient) -> dict:
    return patient.therapist.get(f"/api/v1/patients/{patient.patient_id}/program").get_json()


def test_bounds_are_saved_validated_and_shown_in_the_diff(therapist_api, app):
    patient_id = therapist_api.post("/api/v1/patients", {"display_name": "Lu Bounds", "timezone": "Europe/Madrid"}).get_json()["id"]
    hinge = exercise_id(therapist_api, "hip-hinge-to-box")
    url = f"/api/v1/patients/{patient_id}/program"
    assert therapist_api.post(url, {"phase": "load", "items": [{"exercise_id": hinge, "reps": 8}]}).status_code == 201
    for bounds, field in (({"reps_max": 6}, "items.0.self_progression.reps_max"),
                          ({}, "items.0.self_progression.reps_max"),
                          ({"reps_max": 12, "reps_step": 0}, "items.0.self_progression.reps_step"),
                          ({"reps_max": 12, "sets_max": 3}, "items.0.self_progression.sets_max")):
        refused = therapist_api.post(url, {"phase": "load", "items": [{"exercise_id": hinge, "reps": 8, "self_progression": bounds}]})
        assert refused.status_code == 422, bounds
        errors = refused.get_json()["errors"]
        flat = {f"items.0.self_progression.{k}" for k in errors["items"]["0"]["self_progression"]} \
            if "items" in errors and isinstance(errors["items"], dict) else set(errors)
        assert field in flat, errors
    with_bounds = therapist_api.post(url, {"phase": "load", "items": [
        {"exercise_id": hinge, "reps": 8, "self_progression": {"reps_max": 12}}]})
    assert with_bounds.status_code == 201
    assert with_bounds.get_json()["items"][0]["self_progression"] == {"reps_max": 12, "reps_step": 2, "to_harder": False}
    assert [(c["field"], c["before"], c["after"]) for c in with_bounds.get_json()["changes"]] == [
        ("self_progression", None, {"reps_max": 12, "reps_step": 2, "to_harder": False})]
    with app.app_context():  # the refused ones wrote nothing
        assert ProgramVersion.select().count() == 2


def test_an_improving_patient_is_offered_the_next_step_and_takes_it(scenario, app):
    # Each scenario runs its own clock from the same start: the control lives its days
    # first, then the patient lives the same days on the clock that stays on top.
    control = scenario([UNBOUNDED])
    control.live(steady(8))
    patient = scenario()
    patient.live(steady(8))
    assert patient.recommendation()["status"] == control.recommendation()["status"] == "progress"

    patient.exercise_name = today_item(patient)["exercise"]["name"]
    offer = today_item(patient)["offer"]
    assert offer == {"direction": "harder", "how": "reps", "exercise_id": patient.exercises[0],
                     "exercise_name": patient.exercise_name, "reps": 12, "hold_seconds": 0}  # "Ready for 12 reps?"
    assert today_item(control)["offer"] is None
    refused = step(control)
    assert refused.status_code == 409 and refused.get_json()["reason"] == "not_allowed"
    assert step(patient, "easier").status_code == 409  # only the step on offer

    client_id = str(uuid.uuid4())
    taken = step(patient, client_id=client_id)
    assert taken.status_code == 201, taken.get_json()
    version = taken.get_json()
    assert version["created_by_role"] == "patient" and version["number"] == 2
    assert version["items"][0]["reps"] == 12 and version["items"][0]["self_progression"]["reps_max"] == 15
    assert [(c["field"], c["before"], c["after"]) for c in version["changes"]] == [("reps", 10, 12)]
    replay = step(patient, client_id=client_id)
    assert replay.status_code == 200 and replay.get_json()["id"] == version["id"]
    assert step(patient, "easier", client_id=client_id).status_code == 409  # same id, other body

    history = program(patient)["history"]
    assert [(v["number"], v["created_by_role"]) for v in history] == [(2, "patient"), (1, "therapist")]
    rows = {row["id"]: row for row in patient.therapist.get("/api/v1/patients").get_json()}
    assert rows[patient.patient_id]["self_progressed"] is True
    assert "self_progressed" in [f["code"] for f in rows[patient.patient_id]["flags"]]
    assert rows[control.patient_id]["self_progressed"] is False
    # The new dose starts its own evidence: nothing more is offered the same day.
    assert today_item(patient)["offer"] is None
    with app.app_context():
        assert AuditEvent.select().where(AuditEvent.action == "program.self_progress").count() == 1
        assert ProgramVersion.select().where(ProgramVersion.client_id == client_id).count() == 1


def test_rising_pain_holds_the_offer_and_pain_above_the_ceiling_offers_the_easier_step(scenario):
    patient = scenario()
    patient.live([{"morning": {}, "sessions": [[(round(3 * d / 14), 1)]]} for d in range(15)])
    assert patient.recommendation()["status"] == "hold"
    assert today_item(patient)["offer"] is None
    refused = step(patient)
    assert refused.status_code == 409
    assert refused.get_json()["reason"] == "status" and refused.get_json()["recommendation"] == "hold"

    patient.live([{"morning": {}, "sessions": [[(7, 6)]]}])  # above the ceiling of 5 ...
    patient.day -= timedelta(days=1)  # ... and still that day
    patient.traveller.move_to(patient._at(patient.day, time(20, 0)))
    offer = today_item(patient)["offer"]
    assert offer["direction"] == "easier" and offer["how"] == "reps" and offer["reps"] < 10
    taken = step(patient, "easier")
    assert taken.status_code == 201, taken.get_json()
    assert taken.get_json()["created_by_role"] == "patient"
    assert taken.get_json()["items"][0]["reps"] == offer["reps"]
    assert today_item(patient)["offer"] is None  # the new prescription has no painful session yet


def test_at_the_reps_ceiling_the_harder_exercise_is_offered_without_its_bounds(scenario):
    patient = scenario([("hip-hinge-to-box", {"sets": 2, "reps": 10, "frequency_per_day": 1,
                                              "self_progression": {"reps_max": 10, "to_harder": True}})])
    patient.live(steady(8))
    offer = today_item(patient)["offer"]
    assert (offer["direction"], offer["how"]) == ("harder", "exercise")
    assert offer["exercise_id"] != patient.exercises[0]
    taken = step(patient)
    assert taken.status_code == 201, taken.get_json()
    [item] = taken.get_json()["items"]
    assert item["exercise_id"] == offer["exercise_id"] and item["self_progression"] is None
    assert {c["change"] for c in taken.get_json()["changes"]} == {"added", "removed"}
    assert today_item(patient)["offer"] is None  # new bounds are the therapist's to set
