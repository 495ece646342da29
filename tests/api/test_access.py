"""Roles and ownership, enumerated from the app's own routes: a patient reaches only their
own data, a therapist only their own patients'. A new route must be classified here, or
the first test fails."""
from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest

from hep.people.accounts import create_or_update_therapist

from conftest import PASSWORD

PUBLIC = {
    "auth.login", "auth.join", "auth.logout", "auth.me", "api-docs.openapi_json", "push.public_key",
    "patient.shell", "patient.client_catalog", "patient.join", "patient.manifest",
    "patient.service_worker", "static", "healthz", "home", "favicon", "therapist.login", "therapist.logout",
    "therapist.service_worker",
    # Password reset: for anyone with the e-mail's token (tests/api/test_password_reset.py).
    "account.request_reset", "account.confirm_reset", "therapist.forgot_password", "therapist.reset_password",
}
# Half-way through sign-in (right password, second step due): the service checks the pending
# sign-in, so signed out they are 401 or sent to sign in, even with a valid body.
SIGN_IN_STEPS = {"account.verify", "account.setup", "account.confirm", "therapist.login_code",
                 "therapist.two_factor_setup", "therapist.two_factor_confirm"}
SIGNED_OUT_BODIES = {"account.verify": {"code": "123456"}, "account.confirm": {"code": "123456"}}
# Therapists and admins: their own account's two-factor sign-in.
STAFF = {"account.status", "account.disable", "therapist.account", "therapist.two_factor_disable"}
# Any role: a patient's device subscribes for reminders, a therapist's or admin's browser for alerts.
SIGNED_IN = {"auth.update_me", "push.subscribe", "push.unsubscribe"}
PATIENT = {
    "today.today", "today.take_step", "today.own_program", "progress.progress", "completions.create_completion",
    "completions.list_completions", "completions.correct_completion", "checkins.create_checkin", "checkins.correct_checkin_route",
    "clinical.own_hierarchy", "clinical.patient_exposure_session", "clinical.respond", "clinical.own_activities",
    "push.get_reminders", "push.put_reminders",
    "push.snooze", "patient_data.own_export",
    # The patient's own thread: a message id of another patient is a 409 (tests/api/test_messages.py).
    "messages.own_thread", "messages.post_to_therapist",
}
THERAPIST = {
    "exercises.list_exercises", "patients.list_patients", "patients.create_patient",
    # The clinic's templates: another clinic's are never listed nor usable (tests/api/test_templates.py).
    "templates.list_templates", "templates.create_template",
    # The clinic's own exercises: another clinic's are 404 (tests/api/test_own_exercises.py).
    "exercises.create_exercise", "exercises.update_exercise", "exercises.archive_exercise", "exercises.upload_media",
    "therapist.own_exercises_page", "therapist.create_own_exercise", "therapist.upload_own_media",
    "therapist.archive_own_exercise",
    "therapist.patients", "therapist.create_patient",
    # Per alert: another therapist's alert is 404 (tests/api/test_alerts.py).
    "alerts.acknowledge", "alerts.resolve", "therapist.acknowledge_alert", "therapist.resolve_alert",
    # The month's remote-monitoring CSV: the therapist's own patients only (tests/api/test_rtm.py).
    "monitoring.rtm_report", "therapist.rtm_report",
}
# Patient or therapist; a clinic's uploaded file: its staff, and its patients who have the
# exercise in their program (tests/api/test_own_exercises.py).
EITHER = {"clinical.list_instruments", "clinical.get_instrument", "exercises.media_file"}
# The clinic's admins, within their own clinic: another clinic's ids are 404
# (tests/api/test_clinic_admin.py, tests/pages/test_admin_page.py).
ADMIN = {
    "clinic.list_therapists", "clinic.invite_therapist", "clinic.disable_therapist", "clinic.enable_therapist",
    "clinic.list_clinic_patients", "clinic.reassign_patient",
    "therapist.admin", "therapist.invite_therapist", "therapist.disable_therapist", "therapist.enable_therapist",
    "therapist.reassign_patient",
}
# Everything under a therapist's patient: another therapist must get 404.
PER_PATIENT_PREFIXES = ("/api/v1/patients/<int:patient_id>", "/t/patients/<int:patient_id>")


def _valid_bodies(exercise_id: int) -> dict:
    """Bodies that pass validation, so a refusal can only be about who is asking."""
    now = datetime.now(UTC).isoformat()
    return {
        "patients.assign_program": {"phase": "calm", "items": [{"exercise_id": exercise_id}]},
        "clinical.create_assessment": {"assessed_on": "2026-11-20", "data": {}},
        "clinical.add_hierarchy_item": {"activity": "Bend", "harm_rating": 10},
        "clinical.therapist_exposure_session": {"id": str(uuid.uuid4()), "performed_at": now,
                                                "feared_outcome": "It hurts", "prediction": 30,
                                                "fear_before": 10, "outcome_happened": False,
                                                "fear_after": 5, "safety_behaviour": False},
        "clinical.put_settings": {"min_sessions": 3},
        "clinical.put_questionnaire_schedule": {"items": [{"code": "nprs", "every_days": 7}]},
        "therapist.questionnaire_schedule": {"nprs": "7"},
        "monitoring.add_time_log": {"worked_on": "2026-11-20", "minutes": 10},
        "therapist.add_time_log": {"worked_on": "2026-11-20", "minutes": 10},
        "patient_data.erasure": {"confirm": "Jo Patient"},
        "messages.post_to_patient": {"body": "Hello"},
        "therapist.erasure": {"confirm": "Jo Patient"},
    }


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule


def _url(rule, **values):
    defaults = {"patient_id": 1, "item_id": 1, "alert_id": 1, "completion_id": str(uuid.uuid4()),
                "checkin_id": str(uuid.uuid4()), "code": "nprs", "entry_id": 1, "device_id": "x" * 32,
                "locale": "en", "token": "x" * 20, "filename": "css/app.css",
                "prescription_id": 1, "exercise_id": 1, "name": "0" * 32 + ".png", "user_id": 1}
    defaults.update(values)
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(defaults[m.group(1)]), rule.rule)


def _audience(rule):
    if rule.rule.startswith(PER_PATIENT_PREFIXES):
        return "per-patient"
    for name, group in (("public", PUBLIC), ("signed-in", SIGNED_IN), ("patient", PATIENT),
                        ("therapist", THERAPIST), ("either", EITHER), ("sign-in-step", SIGN_IN_STEPS),
                        ("staff", STAFF), ("admin", ADMIN)):
        if rule.endpoint in group:
            return name
    return None


def test_every_route_is_classified(app):
    unclassified = sorted({rule.endpoint for _m, rule in _routes(app) if _audience(rule) is None})
    assert unclassified == []


def test_signed_out_is_401_or_sent_to_sign_in(app, api):
    client = api()
    for method, rule in _routes(app):
        if _audience(rule) == "public":
            continue
        response = client.request(method, _url(rule), json=SIGNED_OUT_BODIES.get(rule.endpoint, {}))
        if rule.rule.startswith("/api/"):
            assert response.status_code == 401, (method, rule.rule)
            assert response.headers["Content-Type"] == "application/problem+json"
        else:
            assert response.status_code == 302 and "/t/login" in response.headers["Location"], rule.rule


def test_patients_cannot_use_therapist_routes(app, enrolled):
    patient, patient_id, _ = enrolled
    for method, rule in _routes(app):
        if _audience(rule) in {"therapist", "per-patient", "staff", "admin"}:
            response = patient.request(method, _url(rule, patient_id=patient_id), json={})
            assert response.status_code == 403, (method, rule.rule)


def test_therapists_cannot_use_patient_or_admin_routes(app, therapist_api):
    for method, rule in _routes(app):
        if _audience(rule) in {"patient", "admin"}:
            assert therapist_api.request(method, _url(rule), json={}).status_code == 403, (method, rule.rule)


def test_admins_cannot_use_therapist_patient_or_per_patient_routes(app, api, enrolled):
    """An admin manages the clinic but opens no patient's record (the audit trail aside; the
    library and the like are open to staff, and say so in their roles)."""
    _patient, patient_id, _program = enrolled
    with app.app_context():
        create_or_update_therapist("boss@clinic.test", PASSWORD, "Boss", "Clinic A", admin=True)
    admin = api()
    assert admin.post("/api/v1/auth/login", {"email": "boss@clinic.test", "password": PASSWORD}).status_code == 200
    staff_too = {e for e, view in app.view_functions.items() if "admin" in getattr(view, "required_roles", ())}
    assert staff_too >= {"patient_data.audit_trail", "therapist.audit_trail"}
    for method, rule in _routes(app):
        if _audience(rule) in {"therapist", "patient", "per-patient"} and rule.endpoint not in staff_too:
            response = admin.request(method, _url(rule, patient_id=patient_id), json={})
            assert response.status_code == 403, (method, rule.rule)


def test_another_therapist_reaches_none_of_the_patients_routes(app, api, enrolled, therapist_api):
    _patient, patient_id, program = enrolled
    item = therapist_api.post(f"/api/v1/patients/{patient_id}/hierarchy",
                              {"activity": "Bend", "harm_rating": 40}).get_json()["id"]
    with app.app_context():
        create_or_update_therapist("other@clinic.test", PASSWORD, "Other", "Clinic B")
    other = api()
    assert other.post("/api/v1/auth/login", {"email": "other@clinic.test", "password": PASSWORD}).status_code == 200
    bodies = _valid_bodies(program["items"][0]["exercise_id"])
    checked = 0
    for method, rule in _routes(app):
        if _audience(rule) != "per-patient":
            continue
        url = _url(rule, patient_id=patient_id, item_id=item)
        if method == "GET":  # the owner does reach it, so the 404 below is about ownership
            assert therapist_api.get(url).status_code not in (401, 403, 404), url
        response = other.request(method, url, json=bodies.get(rule.endpoint, {}))
        assert response.status_code == 404, (method, url)
        checked += 1
    assert checked >= 18  # the routes of this writing, at least
    assert other.get("/api/v1/patients").get_json() == []


def test_patients_reach_only_their_own_records(app, api, enrolled, therapist_api):
    patient, patient_id, program = enrolled
    own = {"id": str(uuid.uuid4()), "prescription_id": program["items"][0]["id"],
           "performed_at": datetime.now(UTC).isoformat(), "sets_done": 1, "reps_done": 1,
           "pain_during": 0, "pain_after": 0, "effort": 1}
    assert patient.post("/api/v1/completions", own).status_code == 201
    item = therapist_api.post(f"/api/v1/patients/{patient_id}/hierarchy",
                              {"activity": "Bend", "harm_rating": 40}).get_json()["id"]
    other = therapist_api.post("/api/v1/patients", {"display_name": "Other", "timezone": "UTC"}).get_json()
    intruder = api()
    intruder.post("/api/v1/auth/join", {"token": other["invite_url"].rsplit("/", 1)[-1]})

    logged = intruder.post("/api/v1/completions", {**own, "id": str(uuid.uuid4())})
    assert logged.status_code == 422 and "prescription_id" in logged.get_json()["errors"]
    correction = {"id": str(uuid.uuid4()), "sets_done": 9, "reps_done": 9, "pain_during": 9,
                  "pain_after": 9, "effort": 9}
    assert intruder.post(f"/api/v1/completions/{own['id']}/corrections", correction).status_code == 404
    session = {"id": str(uuid.uuid4()), "performed_at": own["performed_at"], "feared_outcome": "It hurts",
                   "prediction": 50, "fear_before": 50, "outcome_happened": False, "fear_after": 10,
                   "safety_behaviour": False}
    assert intruder.post(f"/api/v1/hierarchy/{item}/sessions", session).status_code == 404
    assert intruder.get("/api/v1/today").get_json()["items"] == []
    assert intruder.get("/api/v1/completions").get_json() == []
    assert intruder.get("/api/v1/hierarchy").get_json() == []
    assert [c["sets_done"] for c in patient.get("/api/v1/completions").get_json()] == [1]


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


@pytest.mark.parametrize("limit_hit_after", [3])
def test_login_is_rate_limited(make_app, limit_hit_after):
    from hep import migrations
    from hep.db import db

    app = make_app(LOGIN_RATE_LIMIT=f"{limit_hit_after} per minute")
    with app.app_context():
        migrations.upgrade(db.obj)
    client = app.test_client()
    token = client.get("/api/v1/me").get_json()["csrf_token"]
    statuses = [client.post("/api/v1/auth/login", json={"email": "a@b.test", "password": "wrong password"},
                            headers={"X-CSRF-Token": token}).status_code for _ in range(limit_hit_after + 1)]
    assert statuses == [401] * limit_hit_after + [429]
