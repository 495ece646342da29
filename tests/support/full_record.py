"""A patient with rows in every table that can hold a patient's data, made through the JSON
API and ``hep send-reminders`` the way the phone, the therapist and the server would.

Needs an app configured with ``full_record_config(service, smtp)`` (a local push service for
the reminder, an SMTP server for the alert notice).
"""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hep.clinical import ASSESSMENT_FIELDS
from tests.support.push_service import make_subscription

from conftest import exercise_id

NAME = "Zoë Erasable-Quist"
EMAIL = "zoe.quist@example.test"
TZ = ZoneInfo("Europe/Madrid")
MORNING = {"morning_pain": 3, "settled": "yes", "distal_symptom": "back",
           "new_numbness_or_weakness": False, "red_flag_change": False}

ASSESSMENT = {"irritability": "moderate", "most_distal_symptom": "below_knee", "pain_now": 6,
              **{f.name: False for f in ASSESSMENT_FIELDS if f.section == "red_flags" and f.kind == "bool"}}


def full_record_config(service, smtp) -> dict:
    return {"PUSH_ALLOWED_ORIGINS": service.origin, "SMTP_URL": smtp.url, "MAIL_FROM": "hep@clinic.test"}


def make_full_record(app, api, therapist_api, service) -> dict:
    """Create the patient and their data; returns ``patient_id``, ``phone`` (the patient's
    signed-in client), ``subscription`` (the browser's keys) and ``invite_token``."""
    created = therapist_api.post("/api/v1/patients", {"display_name": NAME, "timezone": "Europe/Madrid",
                                                      "email": EMAIL})
    assert created.status_code == 201, created.get_json()
    patient_id = created.get_json()["id"]
    program = therapist_api.post(f"/api/v1/patients/{patient_id}/program", {
        "phase": "calm", "items": [{"exercise_id": exercise_id(therapist_api, "seated-sciatic-nerve-slider"),
                                    "sets": 2, "reps": 10}]}).get_json()
    assert therapist_api.post(f"/api/v1/patients/{patient_id}/program", {
        "phase": "calm", "notes": "Week 2", "items": [{"exercise_id": exercise_id(therapist_api, "prone-on-elbows"),
                                                        "sets": 3, "reps": 1, "hold_seconds": 60}]}).status_code == 201
    token = created.get_json()["invite_url"].rsplit("/", 1)[-1]
    phone = api()
    assert phone.post("/api/v1/auth/join", {"token": token}).status_code == 200

    # Reminders: a device, a schedule, one reminder sent (a delivery and its attempt).
    info, _key = make_subscription(service, "zoe-phone")
    assert phone.post("/api/v1/push/subscriptions", {**info, "expirationTime": None}).status_code == 201
    assert phone.put("/api/v1/reminders", {"enabled": True, "times": ["08:00"], "days": [1, 2, 3, 4, 5, 6, 7],
                                           "timezone": "Europe/Madrid"}).status_code == 200
    tomorrow = datetime.now(TZ).date() + timedelta(days=1)
    at = datetime.combine(tomorrow, time(8, 0), TZ).astimezone(UTC)
    result = app.test_cli_runner().invoke(args=["send-reminders", "--at", at.isoformat()])
    assert result.exit_code == 0 and result.output.strip().endswith("sent 1, pruned 0, failed 0"), result.output

    # Logs and their corrections.
    now = datetime.now(UTC).isoformat()
    done = {"id": str(uuid.uuid4()), "prescription_id": program["items"][0]["id"], "performed_at": now,
            "sets_done": 2, "reps_done": 10, "pain_during": 2, "pain_after": 1, "effort": 4, "note": "Easy"}
    assert phone.post("/api/v1/completions", done).status_code == 201
    fix = {"id": str(uuid.uuid4()), "sets_done": 2, "reps_done": 8, "pain_during": 3, "pain_after": 2, "effort": 5}
    assert phone.post(f"/api/v1/completions/{done['id']}/corrections", fix).status_code == 201
    today = datetime.now(TZ).date().isoformat()
    checkin = {"id": str(uuid.uuid4()), "date": today, **MORNING}
    assert phone.post("/api/v1/checkins", checkin).status_code == 201
    # A red flag in the correction: an emergency alert, and its notice by e-mail to the therapist.
    changed = {**MORNING, "id": str(uuid.uuid4()), "morning_pain": 6, "red_flag_change": True}
    assert phone.post(f"/api/v1/checkins/{checkin['id']}/corrections", changed).status_code == 201

    # Clinical records.
    assert therapist_api.post(f"/api/v1/patients/{patient_id}/assessments", {
        "assessed_on": today, "data": ASSESSMENT}).status_code == 201
    item = therapist_api.post(f"/api/v1/patients/{patient_id}/hierarchy",
                              {"activity": "Bend to tie shoes", "harm_rating": 60}).get_json()
    assert phone.post(f"/api/v1/hierarchy/{item['id']}/sessions", {
        "id": str(uuid.uuid4()), "performed_at": now, "feared_outcome": "My back will give way",
        "prediction": 70, "fear_before": 60, "outcome_happened": False, "fear_after": 30,
        "safety_behaviour": False}).status_code == 201
    assert phone.post("/api/v1/questionnaires/nprs/responses", {"id": str(uuid.uuid4()),
                                                                "answers": {"1": 4}}).status_code == 201
    # A message each way (their notices go to the therapist's mailbox and the patient's phone).
    assert phone.post("/api/v1/messages", {"id": str(uuid.uuid4()), "body": "Is the tingling normal?"}).status_code == 201
    assert therapist_api.post(f"/api/v1/patients/{patient_id}/messages",
                              {"body": f"Yes, {NAME}, a little is fine."}).status_code == 201
    assert therapist_api.post(f"/api/v1/patients/{patient_id}/time-log", {
        "worked_on": today, "minutes": 20, "interactive_contact": True,
        "note": f"Video call with {NAME}"}).status_code == 201
    assert therapist_api.post(f"/api/v1/patients/{patient_id}/invites").status_code == 201
    return {"patient_id": patient_id, "phone": phone, "subscription": info, "invite_token": token}
