"""Messages between a patient and their therapist through the JSON API: one thread per
patient, replay-safe posts from the phone's outbox, unread counts on both sides, validation
with the field named, and another therapist's patient out of reach."""
from __future__ import annotations

import uuid

import pytest

from hep.models import AuditEvent, Message
from hep.people.accounts import create_or_update_therapist

from conftest import PASSWORD


def unread_on_list(therapist_api, patient_id):
    row = next(r for r in therapist_api.get("/api/v1/patients").get_json() if r["id"] == patient_id)
    return row["unread_messages"]


def test_a_thread_both_ways_with_unread_counts_and_read_marks(app, enrolled, therapist_api):
    patient, patient_id, _program = enrolled
    assert unread_on_list(therapist_api, patient_id) == 0
    assert patient.get("/api/v1/me").get_json()["user"]["unread_messages"] == 0

    client_id = str(uuid.uuid4())
    sent = patient.post("/api/v1/messages", {"id": client_id, "body": "  Is it normal that my calf tingles?  "})
    assert sent.status_code == 201, sent.get_json()
    assert sent.get_json()["id"] == client_id
    assert sent.get_json()["body"] == "Is it normal that my calf tingles?"
    assert sent.get_json()["sender_role"] == "patient" and sent.get_json()["read_at"] is None
    assert unread_on_list(therapist_api, patient_id) == 1
    assert therapist_api.get(f"/api/v1/patients/{patient_id}").get_json()["unread_messages"] == 1

    # The therapist opens the thread: the patient's message is read.
    thread = therapist_api.get(f"/api/v1/patients/{patient_id}/messages").get_json()
    assert [(m["sender_role"], m["body"], m["author_name"]) for m in thread] == [
        ("patient", "Is it normal that my calf tingles?", "Jo Patient")]
    assert thread[0]["read_at"] is not None
    assert unread_on_list(therapist_api, patient_id) == 0

    reply = therapist_api.post(f"/api/v1/patients/{patient_id}/messages", {"body": "Yes, a little is fine."})
    assert reply.status_code == 201, reply.get_json()
    assert reply.get_json()["sender_role"] == "therapist" and reply.get_json()["author_name"] == "Pat Therapist"
    assert patient.get("/api/v1/me").get_json()["user"]["unread_messages"] == 1

    seen = patient.get("/api/v1/messages").get_json()
    assert [m["body"] for m in seen] == ["Is it normal that my calf tingles?", "Yes, a little is fine."]
    assert patient.get("/api/v1/me").get_json()["user"]["unread_messages"] == 0
    with app.app_context():
        rows = list(Message.select().where(Message.patient == patient_id).order_by(Message.created_at))
        assert [(m.sender_role, m.read_at is not None) for m in rows] == [("patient", True), ("therapist", True)]
        assert rows[0].author.display_name == "Jo Patient" and rows[1].author.display_name == "Pat Therapist"
        assert AuditEvent.select().where(AuditEvent.action == "message.create").count() == 2


def test_the_outbox_replays_a_message_once(app, enrolled, therapist_api):
    patient, patient_id, _program = enrolled
    body = {"id": str(uuid.uuid4()), "body": "Sent twice from the outbox"}
    first = patient.post("/api/v1/messages", body)
    again = patient.post("/api/v1/messages", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    other = patient.post("/api/v1/messages", {**body, "body": "Another text"})
    assert other.status_code == 409
    assert other.headers["Content-Type"] == "application/problem+json"
    with app.app_context():
        assert Message.select().where(Message.patient == patient_id).count() == 1
    assert unread_on_list(therapist_api, patient_id) == 1


@pytest.mark.parametrize(("body", "fields"), [
    ({}, {"body", "id"}),
    ({"id": "not-a-uuid", "body": "Hello"}, {"id"}),
    ({"id": str(uuid.uuid4()), "body": ""}, {"body"}),
    ({"id": str(uuid.uuid4()), "body": "   \n "}, {"body"}),
    ({"id": str(uuid.uuid4()), "body": "x" * 2001}, {"body"}),
    ({"id": str(uuid.uuid4()), "body": "a\x00b"}, {"body"}),
    ({"id": str(uuid.uuid4()), "body": "Hello", "extra": 1}, {"extra"}),
])
def test_bad_messages_are_422_naming_the_fields_and_store_nothing(app, enrolled, body, fields):
    patient, patient_id, _program = enrolled
    response = patient.post("/api/v1/messages", body)
    assert response.status_code == 422, response.get_json()
    assert response.headers["Content-Type"] == "application/problem+json"
    assert set(response.get_json()["errors"]) == fields
    with app.app_context():
        assert Message.select().count() == 0


def test_a_message_of_the_longest_length_is_kept_whole(app, enrolled, therapist_api):
    _patient, patient_id, _program = enrolled
    text = "é" * 2000
    response = therapist_api.post(f"/api/v1/patients/{patient_id}/messages", {"body": text})
    assert response.status_code == 201
    with app.app_context():
        assert Message.get().body == text
    assert therapist_api.post(f"/api/v1/patients/{patient_id}/messages", {"body": " "}).status_code == 422


def test_another_therapist_cannot_read_or_write_the_thread(app, api, enrolled, therapist_api):
    patient, patient_id, _program = enrolled
    patient.post("/api/v1/messages", {"id": str(uuid.uuid4()), "body": "Private"})
    with app.app_context():
        create_or_update_therapist("other@clinic.test", PASSWORD, "Other", "Clinic B")
    other = api()
    assert other.post("/api/v1/auth/login", {"email": "other@clinic.test", "password": PASSWORD}).status_code == 200
    assert other.get(f"/api/v1/patients/{patient_id}/messages").status_code == 404
    assert other.post(f"/api/v1/patients/{patient_id}/messages", {"body": "Hi"}).status_code == 404
    with app.app_context():
        assert Message.select().count() == 1 and Message.get().read_at is None
    # Roles: a patient cannot use the therapist's route, a therapist not the patient's.
    assert patient.get(f"/api/v1/patients/{patient_id}/messages").status_code == 403
    assert therapist_api.get("/api/v1/messages").status_code == 403


def test_a_message_id_of_another_patient_is_a_conflict(app, api, enrolled, therapist_api):
    patient, _patient_id, _program = enrolled
    body = {"id": str(uuid.uuid4()), "body": "Mine"}
    assert patient.post("/api/v1/messages", body).status_code == 201
    created = therapist_api.post("/api/v1/patients", {"display_name": "Second", "timezone": "UTC"}).get_json()
    second = api()
    assert second.post("/api/v1/auth/join", {"token": created["invite_url"].rsplit("/", 1)[-1]}).status_code == 200
    assert second.post("/api/v1/messages", body).status_code == 409
    assert second.get("/api/v1/messages").get_json() == []


def test_a_lone_surrogate_is_a_422_not_a_server_error(app, enrolled):
    patient, _patient_id, _program = enrolled
    patient.refresh_csrf()
    raw = '{"id": "' + str(uuid.uuid4()) + '", "body": "a\\ud800b"}'  # the escape reaches the server as is
    response = patient.http.post("/api/v1/messages", data=raw,
                                 headers={"Content-Type": "application/json", "X-CSRF-Token": patient.csrf})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"body"}
    with app.app_context():
        assert Message.select().count() == 0
