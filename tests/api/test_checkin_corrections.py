"""A morning check-in can be changed the way completions are: a correction with a new client
id replaces it for the day, the original stays, replays follow the same rules, and a red flag
given in the correction raises its alert like any other."""
from __future__ import annotations

import uuid

from hep.models import Alert, AuditEvent, CheckIn

CALM = {"morning_pain": 2, "settled": "yes", "distal_symptom": "back", "new_numbness_or_weakness": False,
        "red_flag_change": False}


def test_a_second_check_in_of_the_day_changes_the_first(app, enrolled, therapist_api):
    patient, patient_id, _ = enrolled
    day = patient.get("/api/v1/today").get_json()["date"]
    first = {"id": str(uuid.uuid4()), "date": day, **CALM}
    assert patient.post("/api/v1/checkins", first).status_code == 201
    today = patient.get("/api/v1/today").get_json()
    assert today["checkin_today"]["id"] == first["id"] and today["checkin_today"]["morning_pain"] == 2

    # Later that day: new trouble with bladder control. A second check-in is refused, a
    # correction is taken, and it raises the emergency alert.
    again = patient.post("/api/v1/checkins", {**first, "id": str(uuid.uuid4())})
    assert again.status_code == 409 and "change its answers" in again.get_json()["detail"]
    fix = {"id": str(uuid.uuid4()), **CALM, "morning_pain": 6, "red_flag_change": True}
    corrected = patient.post(f"/api/v1/checkins/{first['id']}/corrections", fix)
    assert corrected.status_code == 201, corrected.get_json()
    body = corrected.get_json()
    assert body["urgent"] is True and body["supersedes"] == first["id"] and body["date"] == day
    assert patient.post(f"/api/v1/checkins/{first['id']}/corrections", fix).status_code == 200  # replay
    assert patient.post(f"/api/v1/checkins/{first['id']}/corrections", {**fix, "morning_pain": 7}).status_code == 409
    assert patient.post(f"/api/v1/checkins/{first['id']}/corrections",
                        {**fix, "id": str(uuid.uuid4())}).status_code == 409  # correct the newest
    assert patient.post("/api/v1/checkins", first).status_code == 200  # the original, replayed late

    assert patient.get("/api/v1/today").get_json()["checkin_today"]["id"] == fix["id"]
    summary = therapist_api.get(f"/api/v1/patients/{patient_id}/summary").get_json()
    assert [a["code"] for a in summary["alerts"] if a["status"] == "open"] == ["red_flag"]
    assert {r["status"] for r in summary["recommendations"]} == {"stop"}
    morning = next(p for p in summary["pain_series"] if p["date"] == day)
    assert morning["morning_pain"] == 6
    with app.app_context():
        rows = {c.id: c for c in CheckIn.select()}
        assert rows[first["id"]].superseded_at is not None and rows[fix["id"]].supersedes_id == first["id"]
        assert AuditEvent.select().where(AuditEvent.action == "checkin.correct").count() == 1
        assert Alert.get().evidence == [fix["id"]]

    page = therapist_api.get(f"/t/patients/{patient_id}").get_data(as_text=True)
    assert "changed by the patient" in page and "corrected" in page


def test_only_the_patients_own_check_in_can_be_changed(api, enrolled):
    patient, _patient_id, _ = enrolled
    missing = patient.post(f"/api/v1/checkins/{uuid.uuid4()}/corrections", {"id": str(uuid.uuid4()), **CALM})
    assert missing.status_code == 404
    bad = patient.post(f"/api/v1/checkins/{uuid.uuid4()}/corrections", {"id": "x", **CALM, "date": "2026-01-01"})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"id", "date"}
