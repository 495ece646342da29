"""A patient's data as a whole: the JSON export (therapist's and the patient's own), erasure,
and what stays afterwards (the audit trail, pseudonymised)."""
from __future__ import annotations

import hashlib
import json

import peewee as pw
import pytest

from hep.db import BaseModel, db
from hep.models import (
    ALL_MODELS,
    Alert,
    AlertNotification,
    AuditEvent,
    CheckIn,
    Completion,
    DeliveryAttempt,
    DeviceSession,
    Patient,
    PushSubscription,
    User,
)
from hep.people import audit
from hep.people.accounts import create_or_update_therapist
from tests.support.full_record import EMAIL, NAME, full_record_config, make_full_record

from conftest import PASSWORD

#: Every table that holds this patient's rows, and how many the scenario leaves.
EXPECTED_ROWS = {
    "patient": 1, "user": 1, "invite": 2, "program": 1, "program_version": 2, "prescription": 2,
    "completion": 2, "check_in": 2, "assessment": 1, "questionnaire_response": 1, "hierarchy_item": 1,
    "exposure_session": 1, "alert": 1, "alert_notification": 1, "push_subscription": 1,
    "reminder_schedule": 1, "reminder_delivery": 1, "delivery_attempt": 1, "time_log_entry": 1,
    "message": 2,
}


@pytest.fixture
def app_config(service, smtp):
    return full_record_config(service, smtp)


@pytest.fixture
def record(app, api, therapist_api, service):
    return make_full_record(app, api, therapist_api, service)


def _models():
    """Every concrete model: ``ALL_MODELS`` and any BaseModel subclass with a table."""
    found, stack = set(ALL_MODELS), list(BaseModel.__subclasses__())
    while stack:
        model = stack.pop()
        stack.extend(model.__subclasses__())
        if db.table_exists(model._meta.table_name):
            found.add(model)
    return found


def test_the_export_holds_every_table_of_the_patient_and_no_secrets(app, record, therapist_api):
    patient_id = record["patient_id"]
    assert therapist_api.get(f"/api/v1/patients/{patient_id}/summary").status_code == 200
    response = therapist_api.get(f"/api/v1/patients/{patient_id}/export")
    assert response.status_code == 200
    export = response.get_json()
    assert export["format"] == "hep-patient-export" and export["patient_id"] == patient_id
    tables = export["tables"]
    assert {name: len(tables[name]) for name in EXPECTED_ROWS} == EXPECTED_ROWS
    assert tables["patient"][0]["display_name"] == NAME and tables["patient"][0]["email"] == EMAIL
    # Corrections point at what they correct; the red flag is in the corrected check-in.
    original, correction = sorted(tables["completion"], key=lambda c: c["supersedes_id"] is not None)
    assert correction["supersedes_id"] == original["id"] and original["superseded_at"].endswith("+00:00")
    assert original["local_date"] == correction["local_date"] and len(original["local_date"]) == 10
    assert [c["red_flag_change"] for c in tables["check_in"] if c["supersedes_id"]] == [True]
    assert tables["alert"][0]["code"] and tables["alert_notification"][0]["channel"] == "email"
    exposure = tables["exposure_session"][0]
    assert (exposure["feared_outcome"], exposure["prediction"], exposure["outcome_happened"],
            exposure["safety_behaviour"]) == ("My back will give way", 70, False, False)
    assert {p["exercise_id"] for p in tables["prescription"]} == {e["id"] for e in export["references"]["exercise"]}
    assert [u["display_name"] for u in export["references"]["user"]] == ["Pat Therapist"]
    assert {e["action"] for e in tables["audit_event"]} >= {"patient.create", "join", "completion.create",
                                                            "checkin.correct", "patient.export", "read", "write"}
    with app.app_context():
        assert len(tables["audit_event"]) == AuditEvent.select().where(AuditEvent.patient == patient_id).count()
        secrets = [i.token_hash for i in Patient.get_by_id(patient_id).invites]
        subscription = PushSubscription.get()
        secrets += [subscription.endpoint, subscription.p256dh, subscription.auth]
        secrets += [u.password_hash for u in User.select() if u.password_hash]
    text = response.get_data(as_text=True)
    assert [s for s in secrets if s in text] == []
    assert hashlib.sha256(record["invite_token"].encode()).hexdigest() not in text
    columns = {column for rows in tables.values() for row in rows for column in row}
    assert not columns & {"password_hash", "token_hash", "endpoint", "p256dh", "auth", "request_hash",
                          "session_version", "target"}
    assert set(tables["push_subscription"][0]) == {"id", "patient_id", "user_agent", "created_at", "last_success_at",
                                                     "device_session_id"}


def test_the_patient_downloads_the_same_data(app, record, therapist_api):
    phone, patient_id = record["phone"], record["patient_id"]
    theirs = therapist_api.get(f"/api/v1/patients/{patient_id}/export").get_json()
    mine = phone.get("/api/v1/export")
    assert mine.status_code == 200
    mine = mine.get_json()
    trail_theirs, trail_mine = theirs["tables"].pop("audit_event"), mine["tables"].pop("audit_event")
    assert mine["tables"] == theirs["tables"] and mine["references"] == theirs["references"]
    # Each export is in the trail, by whom it was made; the later export holds the earlier.
    assert trail_mine[:len(trail_theirs)] == trail_theirs
    exports = [(e["action"], e["actor_id"]) for e in trail_mine if e["action"] == "patient.export"]
    with app.app_context():
        patient = Patient.get_by_id(patient_id)
        assert exports == [("patient.export", patient.therapist_id), ("patient.export", patient.user_id)]
    assert therapist_api.get("/api/v1/export").status_code == 403


def test_erasure_needs_the_patients_name_and_their_therapist(app, api, record, therapist_api):
    patient_id = record["patient_id"]
    with app.app_context():
        create_or_update_therapist("other@clinic.test", PASSWORD, "Other", "Clinic B")
    other = api()
    assert other.post("/api/v1/auth/login", {"email": "other@clinic.test", "password": PASSWORD}).status_code == 200
    with app.app_context():
        before = {m: m.select().count() for m in ALL_MODELS}
    wrong = therapist_api.post(f"/api/v1/patients/{patient_id}/erasure", {"confirm": "Zoe Erasable"})
    assert wrong.status_code == 422 and list(wrong.get_json()["errors"]) == ["confirm"]
    missing = therapist_api.post(f"/api/v1/patients/{patient_id}/erasure", {})
    assert missing.status_code == 422 and list(missing.get_json()["errors"]) == ["confirm"]
    assert other.post(f"/api/v1/patients/{patient_id}/erasure", {"confirm": NAME}).status_code == 404
    assert record["phone"].post(f"/api/v1/patients/{patient_id}/erasure", {"confirm": NAME}).status_code == 403
    with app.app_context():
        assert {m: m.select().count() for m in ALL_MODELS} == before  # nothing removed, nothing recorded
    assert record["phone"].get("/api/v1/today").status_code == 200


def test_erasure_leaves_nothing_of_the_patient_but_a_pseudonymous_trail(app, record, therapist_api):
    patient_id, phone = record["patient_id"], record["phone"]
    with app.app_context():
        patient = Patient.get_by_id(patient_id)
        user_id, therapist_id = patient.user_id, patient.therapist_id
    with app.test_request_context():  # an event whose detail names the patient (none does today)
        audit.record("note", patient=patient, text=f"Phoned {NAME.upper()} <{EMAIL}>", tags=[NAME])
    with app.app_context():
        trail_before = {e.id: (e.action, e.patient_id, e.actor_id) for e in AuditEvent.select()}
        others_before = {m: m.select().count() for m in ALL_MODELS}
    assert phone.get("/api/v1/today").status_code == 200

    response = therapist_api.post(f"/api/v1/patients/{patient_id}/erasure", {"confirm": f"  {NAME} "})
    assert response.status_code == 204 and response.get_data() == b""

    assert phone.get("/api/v1/today").status_code == 401  # the phone is signed out
    assert therapist_api.get(f"/api/v1/patients/{patient_id}").status_code == 404
    assert therapist_api.get("/api/v1/patients").get_json() == []
    with app.app_context():
        models = _models()
        assert models == set(ALL_MODELS)  # the walk below sees every table
        leftovers = []
        for model in models:
            for field in model._meta.sorted_fields:
                if isinstance(field, pw.ForeignKeyField) and field.rel_model in (Patient, User):
                    target = patient_id if field.rel_model is Patient else user_id
                    if model.select().where(field == target).exists():
                        leftovers.append(f"{model.__name__}.{field.name}")
                elif isinstance(field, pw.CharField | pw.TextField):
                    for needle in (NAME, EMAIL, "Zoë", "quist"):
                        if model.select().where(field.contains(needle)).exists():  # ILIKE on PostgreSQL
                            leftovers.append(f"{model.__name__}.{field.name} ~ {needle}")
        assert leftovers == []
        # The rest of the clinic is untouched: the library, the therapist, the clinic.
        after = {m: m.select().count() for m in ALL_MODELS}
        assert after[User] == others_before[User] - 1
        assert {m for m in ALL_MODELS if after[m] != others_before[m]} <= {
            m for m in ALL_MODELS if m._meta.table_name in EXPECTED_ROWS} | {AuditEvent, DeviceSession}
        assert User.get_by_id(therapist_id).is_active

        # The trail stays, append-only: every earlier event, now under one pseudonym.
        events = {e.id: e for e in AuditEvent.select()}
        assert set(trail_before) < set(events)
        about = [events[i] for i, (_a, pid, _u) in trail_before.items() if pid == patient_id]
        by_patient = [events[i] for i, (_a, _p, actor) in trail_before.items() if actor == user_id]
        [subject] = {e.subject for e in about}
        assert subject.startswith("erased-") and all(e.patient_id is None for e in about)
        assert by_patient and {e.actor_subject for e in by_patient} == {subject}
        assert all(events[i].action == action for i, (action, _p, _u) in trail_before.items())
        [erased] = [e for e in events.values() if e.action == "patient.erase"]
        assert (erased.actor_id, erased.subject, erased.patient_id) == (therapist_id, subject, None)
        assert erased.detail["removed"]["completion"] == 2 and erased.detail["removed"]["patient"] == 1
        assert NAME not in json.dumps([e.detail for e in events.values()], ensure_ascii=False)
        [note] = [e for e in events.values() if e.action == "note"]
        assert note.detail == {"text": "Phoned [erased] <[erased]>", "tags": ["[erased]"]}
        for model in (Completion, CheckIn, Alert, AlertNotification, DeliveryAttempt):
            assert model.select().count() == 0, model


def test_audit_events_cannot_be_changed_or_removed(app, enrolled):
    from hep.models.audit import AppendOnly

    with app.app_context():
        event = AuditEvent.select().first()
        event.action = "tampered"
        with pytest.raises(AppendOnly):
            event.save()
        with pytest.raises(AppendOnly):
            event.delete_instance()
        with pytest.raises(AppendOnly):
            AuditEvent.update(action="x").execute()
        with pytest.raises(AppendOnly):
            AuditEvent.delete().execute()
        with pytest.raises(AppendOnly):
            AuditEvent.replace(id=event.id, action="x", detail={}).execute()
        assert AuditEvent.get_by_id(event.id).action != "tampered"
