"""The audit trail: every read or change of a patient's record leaves one event (who, what,
when, from which address); the patient's therapist and the clinic's admins read it; nothing
changes or removes an event."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

from hep.models import AuditEvent, Clinic, Patient, User
from hep.people.accounts import create_or_update_therapist
from hep.people.passwords import hash_password

from conftest import PASSWORD

ADDRESS = {"REMOTE_ADDR": "203.0.113.7"}


def _events(app, patient_id):
    with app.app_context():
        return list(AuditEvent.select().where(AuditEvent.patient == patient_id).order_by(AuditEvent.id))


def _staff(app, api, email, role, clinic_of_patient=None):
    """A signed-in client for a new therapist or admin (of the patient's clinic, or another)."""
    with app.app_context():
        clinic = (Patient.get_by_id(clinic_of_patient).clinic_id if clinic_of_patient
                  else Clinic.create(name=f"Elsewhere {email}"))
        User.create(clinic=clinic, role=role, email=email, display_name=email.split("@")[0].title(),
                    password_hash=hash_password(PASSWORD))
    client = api()
    assert client.post("/api/v1/auth/login", {"email": email, "password": PASSWORD}).status_code == 200
    return client


def test_a_therapist_read_is_recorded_with_the_client_address(app, enrolled, therapist, therapist_api):
    _patient, patient_id, _ = enrolled
    before = len(_events(app, patient_id))
    assert therapist_api.get(f"/api/v1/patients/{patient_id}/summary", environ_base=ADDRESS).status_code == 200
    [event] = _events(app, patient_id)[before:]
    assert (event.action, event.actor_id, event.ip) == ("read", therapist["id"], "203.0.113.7")
    assert event.detail == {"endpoint": "clinical.summary", "method": "GET", "status": 200}
    # The therapist pages too: opening the patient's page is a read.
    assert therapist_api.get(f"/t/patients/{patient_id}").status_code == 200
    assert [e.detail["endpoint"] for e in _events(app, patient_id)[before + 1:]] == ["therapist.patient"]

    trail = therapist_api.get(f"/api/v1/patients/{patient_id}/audit?limit=2")
    assert trail.status_code == 200
    page = trail.get_json()
    # Newest first: the page read, then the summary read (reading the trail is recorded after).
    assert [e["detail"].get("endpoint") for e in page["events"]] == ["therapist.patient", "clinical.summary"]
    summary_read = page["events"][1]
    assert summary_read["ip"] == "203.0.113.7" and summary_read["actor_name"] == "Pat Therapist"
    assert summary_read["actor_role"] == "therapist" and summary_read["at"].endswith("+00:00")
    older = therapist_api.get(f"/api/v1/patients/{patient_id}/audit?limit=2&before={page['next_before']}").get_json()
    assert older["events"] and max(e["id"] for e in older["events"]) < page["next_before"]
    everything = therapist_api.get(f"/api/v1/patients/{patient_id}/audit?limit=200").get_json()
    ids = [e["id"] for e in everything["events"]]
    assert ids == sorted(ids, reverse=True) and everything["next_before"] is None
    assert {"patient.create", "program.assign", "join"} <= {e["action"] for e in everything["events"]}
    assert therapist_api.get(f"/api/v1/patients/{patient_id}/audit?limit=0").status_code == 422


def test_the_clinics_admins_read_the_trail_and_no_one_else(app, api, enrolled, therapist_api):
    patient, patient_id, _ = enrolled
    assert therapist_api.get(f"/api/v1/patients/{patient_id}/summary").status_code == 200
    admin = _staff(app, api, "admin@clinic.test", "admin", clinic_of_patient=patient_id)
    trail = admin.get(f"/api/v1/patients/{patient_id}/audit", environ_base=ADDRESS)
    assert trail.status_code == 200
    assert [e["detail"].get("endpoint") for e in trail.get_json()["events"][:1]] == ["clinical.summary"]
    # The admin's look at the trail is itself recorded; the admin reaches nothing else.
    last = _events(app, patient_id)[-1]
    assert (last.action, last.detail["endpoint"], last.ip) == ("read", "patient_data.audit_trail", "203.0.113.7")
    assert admin.get(f"/api/v1/patients/{patient_id}/summary").status_code == 403
    assert admin.get(f"/t/patients/{patient_id}/audit").status_code == 200

    with app.app_context():
        create_or_update_therapist("other@clinic.test", PASSWORD, "Other", "Clinic B")
    other = api()
    assert other.post("/api/v1/auth/login", {"email": "other@clinic.test", "password": PASSWORD}).status_code == 200
    outsider = _staff(app, api, "admin@elsewhere.test", "admin")
    count = len(_events(app, patient_id))
    for client in (other, outsider):
        assert client.get(f"/api/v1/patients/{patient_id}/audit").status_code == 404
        assert client.get(f"/t/patients/{patient_id}/audit").status_code == 404
    assert patient.get(f"/api/v1/patients/{patient_id}/audit").status_code == 403
    assert len(_events(app, patient_id)) == count  # refused requests read nothing


def test_the_patients_own_reads_and_writes_are_recorded_once(app, enrolled):
    patient, patient_id, program = enrolled
    with app.app_context():
        user_id = Patient.get_by_id(patient_id).user_id
    before = len(_events(app, patient_id))
    assert patient.get("/api/v1/today").status_code == 200
    assert patient.get("/api/v1/progress").status_code == 200
    body = {"id": str(uuid.uuid4()), "prescription_id": program["items"][0]["id"],
            "performed_at": datetime.now(UTC).isoformat(), "sets_done": 1, "reps_done": 1,
            "pain_during": 0, "pain_after": 0, "effort": 1}
    assert patient.post("/api/v1/completions", body).status_code == 201
    assert patient.post("/api/v1/completions", body).status_code == 200  # a replay: nothing new stored
    assert patient.put("/api/v1/reminders", {"enabled": True, "times": ["08:00"], "days": [1, 2],
                                             "timezone": "Europe/Madrid"}).status_code == 200
    new = [(e.action, e.actor_id, e.detail.get("endpoint"), e.detail.get("status")) for e in _events(app, patient_id)[before:]]
    assert new == [("read", user_id, "today.today", 200), ("read", user_id, "progress.progress", 200),
                   ("completion.create", user_id, None, None),
                   ("write", user_id, "completions.create_completion", 200),
                   ("write", user_id, "push.put_reminders", 200)]


def test_no_route_changes_or_removes_an_earlier_event(app, enrolled, therapist_api):
    patient, patient_id, program = enrolled
    with app.app_context():
        before = {e.id: e.__data__.copy() for e in AuditEvent.select()}
    assert before
    calls = [
        therapist_api.get(f"/api/v1/patients/{patient_id}/summary"),
        therapist_api.post(f"/api/v1/patients/{patient_id}/program", {
            "phase": "calm", "confirm_volume_increase": True,
            "items": [{"exercise_id": program["items"][0]["exercise_id"]}]}),
        therapist_api.put(f"/api/v1/patients/{patient_id}/settings", {"min_sessions": 4}),
        therapist_api.post(f"/api/v1/patients/{patient_id}/invites"),
        therapist_api.get(f"/api/v1/patients/{patient_id}/export"),
        therapist_api.get(f"/api/v1/patients/{patient_id}/audit"),
        patient.get("/api/v1/today"),
        patient.get("/api/v1/export"),
        patient.post("/api/v1/auth/logout"),
        therapist_api.post("/api/v1/auth/logout"),
    ]
    assert [c.status_code for c in calls] == [200, 201, 200, 201, 200, 200, 200, 200, 200, 200]
    with app.app_context():
        after = {e.id: e.__data__ for e in AuditEvent.select()}
    assert {i: after.get(i) for i in before} == before
    assert len(after) >= len(before) + 10
