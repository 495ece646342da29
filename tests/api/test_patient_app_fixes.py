"""What the server does for the patient app's fixed items: a join link opened again on a
joined phone, the count of sessions done, Progress from the program's start, the time zone
changed only when asked (and shown to the therapist), and server errors in the app's language."""
from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine

from hep.models import AuditEvent, Invite
from hep.push.reminders import work_done
from tests.api.test_sessions_count import NOON_MADRID, TODAY, counts, session
from tests.api.test_sessions_count import noon as noon  # a fixture: the day the counts are read on
from tests.conftest import exercise_id


def _invite(therapist_api, name="Lu Patient"):
    created = therapist_api.post("/api/v1/patients", {"display_name": name, "timezone": "America/New_York"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    return body["id"], body["invite_url"].rsplit("/", 1)[-1]


def test_a_joined_phone_opening_its_join_link_again_lands_in_the_app(app, api, therapist_api):
    patient_id, token = _invite(therapist_api)
    other_id, other_token = _invite(therapist_api, "Max Other")
    phone = api()
    assert phone.post("/api/v1/auth/join", {"token": token}).status_code == 200

    again = phone.get(f"/join/{token}")
    assert again.status_code == 303 and again.headers["Location"].endswith("/app/#/today")
    assert again.headers["Cache-Control"] == "no-store"
    # Another patient's link, or an anonymous visitor (a link previewer): the join page as usual,
    # and nothing is used up or audited for them.
    assert phone.get(f"/join/{other_token}").status_code == 200
    preview = api().get(f"/join/{token}")
    assert preview.status_code == 200 and "Open my exercises" in preview.get_data(as_text=True)
    with app.app_context():
        events = [(e.action, e.patient_id) for e in AuditEvent.select().where(AuditEvent.action == "join.reopen")]
        assert events == [("join.reopen", patient_id)]
        assert Invite.get(Invite.patient == other_id).used_at is None
    trail = therapist_api.get(f"/api/v1/patients/{patient_id}/audit").get_json()
    assert "join.reopen" in [e["action"] for e in trail["events"]]


def test_a_log_with_no_set_done_counts_as_no_session_anywhere(app, noon, enrolled, therapist_api):
    patient, patient_id, program = enrolled
    slider = next(i for i in program["items"] if i["frequency_per_day"] == 2)
    stopped = session(slider["id"], sets_done=0, reps_done=0, pain_during=6)
    assert patient.post("/api/v1/completions", stopped).status_code == 201
    assert counts(app, therapist_api, patient, patient_id, slider["id"]) == \
        {"today": 0, "progress": 0, "summary": 0, "patient_list": 0}
    # Its ratings are kept: the log is listed, and pain is on the day's chart.
    logged = patient.get("/api/v1/completions?days=1").get_json()
    assert [(c["id"], c["sets_done"], c["pain_during"]) for c in logged] == [(stopped["id"], 0, 6)]
    day = next(d for d in patient.get("/api/v1/progress?days=7").get_json()["days"] if d["date"] == TODAY)
    assert day["pain_during_avg"] == 6

    assert patient.post("/api/v1/completions", session(slider["id"], sets_done=1)).status_code == 201
    assert counts(app, therapist_api, patient, patient_id, slider["id"]) == \
        {"today": 1, "progress": 1, "summary": 1, "patient_list": 1}
    with app.app_context():
        assert work_done([(patient_id, date.fromisoformat(TODAY))]) == set()


def test_progress_starts_at_the_programs_start(app, api, therapist):
    started = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # a program assigned 4 days before "today"
    with time_machine.travel(started, tick=False):
        therapist_api = api()
        assert therapist_api.post("/api/v1/auth/login", {"email": therapist["email"],
                                                         "password": therapist["password"]}).status_code == 200
        created = therapist_api.post("/api/v1/patients", {"display_name": "New Start", "timezone": "Europe/Madrid"})
        assert created.status_code == 201, created.get_json()
        patient_id = created.get_json()["id"]
        token = created.get_json()["invite_url"].rsplit("/", 1)[-1]
        patient = api()
        assert patient.post("/api/v1/auth/join", {"token": token}).status_code == 200
        assert patient.get("/api/v1/progress?days=28").get_json()["days"] == []  # no program yet: no days
        program = therapist_api.post(f"/api/v1/patients/{patient_id}/program", {"phase": "calm", "items": [
            {"exercise_id": exercise_id(therapist_api, "cat-camel"), "sets": 1, "reps": 5, "frequency_per_day": 1}]})
        assert program.status_code == 201
    with time_machine.travel(NOON_MADRID, tick=False):
        progress = patient.get("/api/v1/progress?days=28").get_json()
    days = progress["days"]
    assert [d["date"] for d in days] == ["2026-11-28", "2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02"]
    assert all(d["sessions_target"] == 1 for d in days)  # no "rest days" before the program existed
    assert progress["adherence_percent"] == 0.0 and progress["streak"] == 0
    with time_machine.travel(NOON_MADRID, tick=False):
        assert len(patient.get("/api/v1/progress?days=3").get_json()["days"]) == 3  # the window still applies


def test_the_zone_changes_only_when_sent_and_the_change_is_audited_for_the_therapist(app, api, therapist_api):
    patient_id, token = _invite(therapist_api)
    phone = api()
    assert phone.post("/api/v1/auth/join", {"token": token}).status_code == 200
    body = {"enabled": True, "times": ["08:00"], "days": [1, 2, 3, 4, 5]}
    kept = phone.put("/api/v1/reminders", body)
    assert kept.status_code == 200 and kept.get_json()["timezone"] == "America/New_York"
    assert phone.put("/api/v1/reminders", {**body, "timezone": "America/New_York"}).status_code == 200  # unchanged
    with app.app_context():
        assert AuditEvent.select().where(AuditEvent.action == "patient.timezone").count() == 0
    assert "changed by the patient on" not in therapist_api.get(f"/t/patients/{patient_id}").get_data(as_text=True)

    moved = phone.put("/api/v1/reminders", {**body, "timezone": "Europe/Madrid"})
    assert moved.get_json()["timezone"] == "Europe/Madrid"
    assert therapist_api.get(f"/api/v1/patients/{patient_id}").get_json()["timezone"] == "Europe/Madrid"
    with app.app_context():
        event = AuditEvent.get(AuditEvent.action == "patient.timezone")
        assert event.patient_id == patient_id and event.detail == {"before": "America/New_York", "after": "Europe/Madrid"}
    page = therapist_api.get(f"/t/patients/{patient_id}").get_data(as_text=True)
    assert "Time zone: Europe/Madrid" in page and "was America/New_York" in page
