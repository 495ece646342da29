"""Roles and ownership, route by route: a patient reaches only their own data, a therapist
only their own patients'."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from conftest import PASSWORD
from hep.accounts import create_or_update_therapist

PATIENT_ROUTES = [
    ("GET", "/api/v1/today"), ("GET", "/api/v1/progress"), ("GET", "/api/v1/completions"),
    ("POST", "/api/v1/completions"), ("POST", "/api/v1/checkins"),
]
THERAPIST_ROUTES = [
    ("GET", "/api/v1/exercises"), ("GET", "/api/v1/patients"), ("POST", "/api/v1/patients"),
]
PER_PATIENT_ROUTES = [
    ("GET", "/api/v1/patients/{id}"), ("POST", "/api/v1/patients/{id}/invites"),
    ("GET", "/api/v1/patients/{id}/program"), ("POST", "/api/v1/patients/{id}/program"),
    ("GET", "/t/patients/{id}"), ("POST", "/t/patients/{id}/invites"),
]


@pytest.mark.parametrize("method, path", PATIENT_ROUTES + THERAPIST_ROUTES + [
    (m, p.format(id=1)) for m, p in PER_PATIENT_ROUTES if p.startswith("/api")])
def test_signed_out_is_401(api, method, path):
    response = api().request(method, path, json={})
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("method, path", THERAPIST_ROUTES + [
    (m, p) for m, p in PER_PATIENT_ROUTES if p.startswith("/api")])
def test_patients_cannot_use_therapist_routes(enrolled, method, path):
    patient, patient_id, _ = enrolled
    response = patient.request(method, path.format(id=patient_id), json={})
    assert response.status_code == 403


@pytest.mark.parametrize("method, path", PATIENT_ROUTES)
def test_therapists_cannot_use_patient_routes(therapist_api, method, path):
    assert therapist_api.request(method, path, json={}).status_code == 403


@pytest.mark.parametrize("method, path", PER_PATIENT_ROUTES)
def test_another_therapist_cannot_reach_the_patient(app, api, enrolled, method, path):
    _patient, patient_id, _ = enrolled
    with app.app_context():
        create_or_update_therapist("other@clinic.test", PASSWORD, "Other", "Clinic B")
    other = api()
    assert other.post("/api/v1/auth/login", {"email": "other@clinic.test", "password": PASSWORD}).status_code == 200
    body = {"phase": "calm", "items": [{"exercise_id": 1, "sets": 1, "reps": 1}]}
    response = other.request(method, path.format(id=patient_id), json=body)
    assert response.status_code == 404
    assert other.get("/api/v1/patients").get_json() == []


def test_a_patient_cannot_log_against_another_patients_prescription(api, enrolled, therapist_api):
    _patient, _pid, program = enrolled
    other = therapist_api.post("/api/v1/patients", {"display_name": "Other", "timezone": "UTC"}).get_json()
    intruder = api()
    intruder.post("/api/v1/auth/join", {"token": other["invite_url"].rsplit("/", 1)[-1]})
    response = intruder.post("/api/v1/completions", {
        "id": str(uuid.uuid4()), "prescription_id": program["items"][0]["id"],
        "performed_at": datetime.now(timezone.utc).isoformat(), "sets_done": 1, "reps_done": 1,
        "pain_during": 0, "pain_after": 0, "effort": 1})
    assert response.status_code == 422 and "prescription_id" in response.get_json()["errors"]
    assert intruder.get("/api/v1/today").get_json()["items"] == []


def test_logout_ends_every_session_of_the_user(api, therapist):
    first, second = api(), api()
    for client in (first, second):
        client.post("/api/v1/auth/login", {"email": therapist["email"], "password": therapist["password"]})
    assert second.get("/api/v1/patients").status_code == 200
    first.post("/api/v1/auth/logout")
    assert second.get("/api/v1/patients").status_code == 401
    assert second.get("/api/v1/me").get_json()["user"] is None


def test_wrong_password_is_401_without_saying_which_part(api, therapist):
    response = api().post("/api/v1/auth/login", {"email": therapist["email"], "password": "nope nope nope"})
    unknown = api().post("/api/v1/auth/login", {"email": "nobody@clinic.test", "password": "nope nope nope"})
    assert response.status_code == unknown.status_code == 401
    assert response.get_json()["detail"] == unknown.get_json()["detail"]
