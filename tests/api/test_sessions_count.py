"""One count of sessions done: a session logged offline against the program version before a
dose change counts once, for the current prescription, on every screen that counts sessions
(Today, Progress, the therapist's summary and patient list) and in the reminder skip; a
correction of it still counts once."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from hep.models import Completion
from hep.push.reminders import work_done

NOON_MADRID = datetime(2026, 12, 2, 11, 0, tzinfo=UTC)  # a Wednesday, 12:00 in Madrid
TODAY = "2026-12-02"


@pytest.fixture
def noon():
    with time_machine.travel(NOON_MADRID, tick=True):
        yield


def session(prescription_id, minutes_ago=5, **fields):
    performed = NOON_MADRID - timedelta(minutes=minutes_ago)
    return {"id": str(uuid.uuid4()), "prescription_id": prescription_id,
            "performed_at": performed.isoformat(), "sets_done": 2, "reps_done": 10,
            "pain_during": 2, "pain_after": 1, "effort": 4, "note": "", **fields}


def counts(app, therapist_api, patient, patient_id, slider_id):
    """Sessions done today as each screen says it: the slider's on Today and in the summary,
    the day's (all exercises) on Progress and in the patient list."""
    today = patient.get("/api/v1/today").get_json()
    progress = patient.get("/api/v1/progress?days=7").get_json()
    summary = therapist_api.get(f"/api/v1/patients/{patient_id}/summary?days=7").get_json()
    row = next(r for r in therapist_api.get("/api/v1/patients").get_json() if r["id"] == patient_id)
    return {
        "today": next(i["done_today"] for i in today["items"] if i["prescription_id"] == slider_id),
        "progress": next(d["sessions_done"] for d in progress["days"] if d["date"] == TODAY),
        "summary": summary["adherence"]["prescriptions"][str(slider_id)]["completed_sessions"],
        "patient_list": row["sessions_today"]["done"],
    }


def test_a_session_logged_against_the_earlier_dose_counts_once_everywhere(app, noon, enrolled, therapist_api):
    patient, patient_id, first = enrolled
    old_slider = next(i for i in first["items"] if i["frequency_per_day"] == 2)
    elbows = next(i for i in first["items"] if i is not old_slider)
    # The therapist raises the slider's dose; the phone is offline and still shows version 1.
    second = therapist_api.post(f"/api/v1/patients/{patient_id}/program", {
        "phase": "calm",
        "items": [{"exercise_id": old_slider["exercise_id"], "sets": 3, "reps": 12, "frequency_per_day": 2},
                  {"exercise_id": elbows["exercise_id"], "sets": 3, "reps": 1, "hold_seconds": 60,
                   "frequency_per_day": 1}],
        "confirm_volume_increase": True,
    }).get_json()
    slider = next(i for i in second["items"] if i["exercise_id"] == old_slider["exercise_id"])
    assert slider["id"] != old_slider["id"]

    offline = session(old_slider["id"], minutes_ago=30)
    assert patient.post("/api/v1/completions", offline).status_code == 201
    assert counts(app, therapist_api, patient, patient_id, slider["id"]) == \
        {"today": 1, "progress": 1, "summary": 1, "patient_list": 1}

    # Once the rest of the day's work is logged against the current version, the day is done
    # and no reminder is sent for it; the offline session is what completes it.
    day = date.fromisoformat(TODAY)
    with app.app_context():
        assert work_done([(patient_id, day)]) == set()
        assert patient.post("/api/v1/completions", session(slider["id"])).status_code == 201
        new_elbows = next(i for i in second["items"] if i["exercise_id"] == elbows["exercise_id"])
        assert patient.post("/api/v1/completions", session(new_elbows["id"])).status_code == 201
        assert work_done([(patient_id, day)]) == {(patient_id, day)}

    # Correcting the offline session replaces it: still one session, not two.
    corrected = patient.post(f"/api/v1/completions/{offline['id']}/corrections",
                             {**{k: v for k, v in offline.items() if k not in {"prescription_id", "performed_at"}},
                              "id": str(uuid.uuid4()), "pain_during": 3})
    assert corrected.status_code == 201, corrected.get_json()
    assert counts(app, therapist_api, patient, patient_id, slider["id"]) == \
        {"today": 2, "progress": 3, "summary": 2, "patient_list": 3}
    with app.app_context():
        assert Completion.select().where(Completion.patient == patient_id).count() == 4
        assert Completion.current().where(Completion.patient == patient_id).count() == 3
        assert work_done([(patient_id, day)]) == {(patient_id, day)}
