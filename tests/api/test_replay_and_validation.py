"""Replay rules for client ids, and 422s that name the fields and write nothing."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from hep.models import CheckIn, Completion


def _completion(prescription, **changes):
    body = {
        "id": str(uuid.uuid4()), "prescription_id": prescription,
        "performed_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "sets_done": 2, "reps_done": 10, "pain_during": 3, "pain_after": 2, "effort": 5, "note": "",
    }
    body.update(changes)
    return body


def _first_prescription(patient):
    return patient.get("/api/v1/today").get_json()["items"][0]["prescription_id"]


def test_identical_replay_returns_the_stored_record_and_adds_no_row(app, enrolled):
    patient, _, _ = enrolled
    body = _completion(_first_prescription(patient))
    first = patient.post("/api/v1/completions", body)
    again = patient.post("/api/v1/completions", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    with app.app_context():
        assert Completion.select().count() == 1


def test_same_id_with_another_body_is_a_conflict(app, enrolled):
    patient, _, _ = enrolled
    body = _completion(_first_prescription(patient))
    patient.post("/api/v1/completions", body)
    response = patient.post("/api/v1/completions", {**body, "pain_during": 7})
    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    with app.app_context():
        assert Completion.get_by_id(body["id"]).pain_during == 3


def test_another_patients_id_is_a_conflict_not_a_leak(app, api, enrolled, therapist_api):
    patient, _, _ = enrolled
    body = _completion(_first_prescription(patient))
    patient.post("/api/v1/completions", body)
    other = therapist_api.post("/api/v1/patients", {"display_name": "Other", "timezone": "UTC"}).get_json()
    intruder = api()
    intruder.post("/api/v1/auth/join", {"token": other["invite_url"].rsplit("/", 1)[-1]})
    response = intruder.post("/api/v1/completions", body)
    assert response.status_code in (409, 422)
    assert "pain_during" not in response.get_data(as_text=True)


@pytest.mark.parametrize("changes, fields", [
    ({"pain_during": 11}, {"pain_during"}),
    ({"pain_during": "7"}, {"pain_during"}),
    ({"id": "not-a-uuid"}, {"id"}),
    ({"performed_at": "2026-11-24T10:00:00"}, {"performed_at"}),  # no offset
    ({"sets_done": -1, "effort": None}, {"sets_done", "effort"}),
    ({"surprise": True}, {"surprise"}),
    ({"prescription_id": 987654}, {"prescription_id"}),
])
def test_malformed_completion_is_422_naming_fields_and_writes_nothing(app, enrolled, changes, fields):
    patient, _, _ = enrolled
    response = patient.post("/api/v1/completions", _completion(_first_prescription(patient), **changes))
    assert response.status_code == 422
    problem = response.get_json()
    assert response.headers["Content-Type"] == "application/problem+json"
    assert set(problem["errors"]) == fields and problem["status"] == 422
    with app.app_context():
        assert Completion.select().count() == 0


def test_missing_fields_are_each_named(app, enrolled):
    patient, _, _ = enrolled
    response = patient.post("/api/v1/completions", {"id": str(uuid.uuid4())})
    assert response.status_code == 422
    assert {"prescription_id", "performed_at", "sets_done", "reps_done", "pain_during",
            "pain_after", "effort"} <= set(response.get_json()["errors"])


def test_checkin_replay_rules_and_red_flag(app, enrolled):
    patient, _, _ = enrolled
    day = patient.get("/api/v1/today").get_json()["date"]
    body = {"id": str(uuid.uuid4()), "date": day, "morning_pain": 6, "settled": "no",
            "distal_symptom": "foot", "new_numbness_or_weakness": True, "red_flag_change": True}
    first = patient.post("/api/v1/checkins", body)
    assert first.status_code == 201
    assert first.get_json()["urgent"] is True and "emergency department" in first.get_json()["message"]
    assert patient.post("/api/v1/checkins", body).status_code == 200
    assert patient.post("/api/v1/checkins", {**body, "morning_pain": 2}).status_code == 409
    other_id = patient.post("/api/v1/checkins", {**body, "id": str(uuid.uuid4())})
    assert other_id.status_code == 409  # one check-in per day
    bad = patient.post("/api/v1/checkins", {**body, "id": str(uuid.uuid4()), "settled": "maybe", "date": "soon"})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"settled", "date"}
    with app.app_context():
        assert CheckIn.select().count() == 1


def test_correction_keeps_the_original(app, enrolled):
    patient, _, _ = enrolled
    original = _completion(_first_prescription(patient))
    patient.post("/api/v1/completions", original)
    fix = {"id": str(uuid.uuid4()), "sets_done": 1, "reps_done": 10, "pain_during": 3,
           "pain_after": 2, "effort": 5, "note": "only one set"}
    corrected = patient.post(f"/api/v1/completions/{original['id']}/corrections", fix)
    assert corrected.status_code == 201
    assert corrected.get_json()["supersedes"] == original["id"]
    assert patient.post(f"/api/v1/completions/{original['id']}/corrections", fix).status_code == 200
    listed = {c["id"]: c for c in patient.get("/api/v1/completions").get_json()}
    assert listed[original["id"]]["superseded_at"] is not None and listed[fix["id"]]["sets_done"] == 1
    assert patient.get("/api/v1/today").get_json()["items"][0]["done_today"] == 1
    with app.app_context():
        assert Completion.select().count() == 2


def test_csrf_header_is_required(enrolled):
    patient, _, _ = enrolled
    response = patient.http.post("/api/v1/completions", json={})
    assert response.status_code == 400
    assert response.get_json()["title"] == "Bad Request"


def test_problems_speak_the_patients_language(enrolled):
    patient, _, _ = enrolled
    assert patient.patch("/api/v1/me", {"locale": "es"}).get_json()["user"]["locale"] == "es"
    body = _completion(_first_prescription(patient))
    patient.post("/api/v1/completions", body)
    conflict = patient.post("/api/v1/completions", {**body, "pain_during": 9})
    assert conflict.get_json()["detail"] == "Este identificador ya se usó para otro registro."
    invalid = patient.post("/api/v1/completions", _completion(_first_prescription(patient), prescription_id=999999))
    assert invalid.get_json()["errors"] == {"prescription_id": ["No es uno de tus ejercicios."]}
