"""The whole loop as two users: the therapist assigns, the patient joins, logs, checks in,
and the therapist sees it; asserted on the responses and on the rows stored."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hep.models import AuditEvent, CheckIn, Completion, Invite, Patient, Prescription, ProgramVersion

from conftest import exercise_id


def test_the_core_loop(app, api, therapist_api):
    # The therapist finds exercises and creates a patient with a join link.
    library = therapist_api.get("/api/v1/exercises?phase=calm").get_json()
    assert library and all(row["phase"] == "calm" for row in library)
    slider = exercise_id(therapist_api, "seated-sciatic-nerve-slider")
    created = therapist_api.post("/api/v1/patients", {"display_name": "Ana García", "timezone": "America/Mexico_City"})
    assert created.status_code == 201
    body = created.get_json()
    assert body["invite_url"].startswith("http://localhost/join/")
    patient_id = body["id"]

    assigned = therapist_api.post(f"/api/v1/patients/{patient_id}/program", {
        "phase": "calm", "notes": "Settle the leg first.",
        "items": [{"exercise_id": slider, "sets": 2, "reps": 10, "frequency_per_day": 2, "pain_ceiling": 4}],
    })
    assert assigned.status_code == 201
    version = assigned.get_json()
    assert version["number"] == 1 and version["items"][0]["exercise_name"] == "Seated sciatic nerve slider"

    # The patient opens the link: the page does not use the token up, the button post does.
    patient = api()
    token = body["invite_url"].rsplit("/", 1)[-1]
    page = patient.get(f"/join/{token}")
    assert page.status_code == 200
    with app.app_context():
        assert Invite.get().used_at is None
    joined = patient.post("/api/v1/auth/join", {"token": token})
    assert joined.status_code == 200
    assert joined.get_json()["user"]["role"] == "patient"
    assert joined.get_json()["user"]["patient_id"] == patient_id
    assert patient.post("/api/v1/auth/join", {"token": token}).status_code == 410  # single use

    today = patient.get("/api/v1/today").get_json()
    assert [item["exercise"]["slug"] for item in today["items"]] == ["seated-sciatic-nerve-slider"]
    item = today["items"][0]
    assert item["done_today"] == 0 and item["target_today"] == 2
    assert item["dose"]["sets"] == 2 and item["dose"]["pain_ceiling"] == 4
    assert item["exercise"]["steps"] and item["exercise"]["media_url"].startswith("/static/media/")

    completion = {
        "id": str(uuid.uuid4()), "prescription_id": item["prescription_id"],
        "performed_at": datetime.now(UTC).isoformat(), "sets_done": 2, "reps_done": 10,
        "pain_during": 2, "pain_after": 1, "effort": 4, "note": "easier than yesterday",
    }
    logged = patient.post("/api/v1/completions", completion)
    assert logged.status_code == 201
    assert logged.get_json()["pain_during"] == 2
    assert patient.get("/api/v1/today").get_json()["items"][0]["done_today"] == 1

    checkin_day = today["date"]
    checkin = patient.post("/api/v1/checkins", {
        "id": str(uuid.uuid4()), "date": checkin_day, "morning_pain": 2, "settled": "yes",
        "distal_symptom": "buttock", "new_numbness_or_weakness": False, "red_flag_change": False,
    })
    assert checkin.status_code == 201 and checkin.get_json()["urgent"] is False

    progress = patient.get("/api/v1/progress?days=7").get_json()
    assert progress["days"][-1]["sessions_done"] == 1 and progress["days"][-1]["sessions_target"] == 2
    assert progress["education"]

    # The therapist sees the log, in the workspace page and in the database.
    page = therapist_api.get(f"/t/patients/{patient_id}")
    assert page.status_code == 200 and "Seated sciatic nerve slider" in page.get_data(as_text=True)
    listed = therapist_api.get("/api/v1/patients").get_json()
    assert [p["display_name"] for p in listed] == ["Ana García"] and listed[0]["joined"] is True
    with app.app_context():
        stored = Completion.get_by_id(completion["id"])
        assert stored.patient_id == patient_id and stored.pain_during == 2
        assert stored.local_date.isoformat() == today["date"]
        assert CheckIn.select().where(CheckIn.patient == patient_id).count() == 1
        assert Patient.get_by_id(patient_id).timezone == "America/Mexico_City"
        actions = {e.action for e in AuditEvent.select()}
        assert {"patient.create", "program.assign", "join"} <= actions


def test_program_change_makes_a_new_version_and_keeps_history(app, enrolled, therapist_api):
    patient, patient_id, first = enrolled
    bridge = exercise_id(therapist_api, "hip-hinge-to-box")
    second = therapist_api.post(f"/api/v1/patients/{patient_id}/program", {
        "phase": "exposure", "items": [{"exercise_id": bridge, "sets": 3, "reps": 8}],
    })
    assert second.status_code == 201 and second.get_json()["number"] == 2
    program = therapist_api.get(f"/api/v1/patients/{patient_id}/program").get_json()
    assert program["current"]["number"] == 2
    assert [v["number"] for v in program["history"]] == [2, 1]
    assert [i["exercise"]["slug"] for i in patient.get("/api/v1/today").get_json()["items"]] == ["hip-hinge-to-box"]
    with app.app_context():
        assert ProgramVersion.select().count() == 2 and Prescription.select().count() == 3


def test_dose_fields_left_out_come_from_the_library(app, enrolled, therapist_api):
    _patient, patient_id, _ = enrolled
    elbows = exercise_id(therapist_api, "prone-on-elbows")
    library = next(e for e in therapist_api.get("/api/v1/exercises").get_json() if e["id"] == elbows)
    version = therapist_api.post(f"/api/v1/patients/{patient_id}/program", {
        "phase": "calm", "items": [{"exercise_id": elbows, "reps": 3}], "confirm_volume_increase": True}).get_json()
    item = version["items"][0]
    assert item["reps"] == 3
    for field in ("sets", "hold_seconds", "rest_seconds", "side", "frequency_per_day"):
        assert item[field] == library["default_dose"][field], field


def test_unknown_exercise_in_program_is_422_and_writes_nothing(app, enrolled, therapist_api):
    _patient, patient_id, _ = enrolled
    response = therapist_api.post(f"/api/v1/patients/{patient_id}/program", {
        "phase": "load", "items": [{"exercise_id": 999999, "sets": 3, "reps": 8}],
    })
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"items.0.exercise_id": ["Unknown exercise."]}
    with app.app_context():
        assert ProgramVersion.select().count() == 1


def test_new_invite_revokes_the_earlier_one(api, therapist_api):
    created = therapist_api.post("/api/v1/patients", {"display_name": "B", "timezone": "UTC"}).get_json()
    fresh = therapist_api.post(f"/api/v1/patients/{created['id']}/invites")
    assert fresh.status_code == 201
    old_token = created["invite_url"].rsplit("/", 1)[-1]
    new_token = fresh.get_json()["invite_url"].rsplit("/", 1)[-1]
    assert api().post("/api/v1/auth/join", {"token": old_token}).status_code == 410
    assert api().post("/api/v1/auth/join", {"token": new_token}).status_code == 200


def test_expired_invite_is_refused(app, api, therapist_api):
    created = therapist_api.post("/api/v1/patients", {"display_name": "C", "timezone": "UTC"}).get_json()
    with app.app_context():
        Invite.update(expires_at=datetime.utcnow() - timedelta(seconds=1)).execute()
    response = api().post("/api/v1/auth/join", {"token": created["invite_url"].rsplit("/", 1)[-1]})
    assert response.status_code == 410
    assert response.headers["Content-Type"] == "application/problem+json"
