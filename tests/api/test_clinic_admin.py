"""The clinic admin through the JSON API: the clinic's therapists (invite with a one-time
set-password link, disable, re-enable), reassigning patients, all within the admin's own
clinic (another clinic's ids are 404) and all audited."""
from __future__ import annotations

import re

import pytest

from hep import migrations
from hep.db import db
from hep.models import AuditEvent, Patient, User
from hep.people.accounts import create_or_update_therapist

from conftest import PASSWORD, ApiClient

NEW_PASSWORD = "a brand new password"


def _signed_in(api, email, password=PASSWORD):
    client = api()
    response = client.post("/api/v1/auth/login", {"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    return client


@pytest.fixture
def clinic(app, api, therapist):
    """Clinic A: its admin (signed in), a second therapist; Clinic B: an admin and a therapist.
    {"admin": client, name: user id}."""
    with app.app_context():
        ids = {email: create_or_update_therapist(email, PASSWORD, name, clinic_name, admin=admin)[0].id
               for email, name, clinic_name, admin in (
                   ("boss@clinic.test", "Boss", "Clinic A", True),
                   ("sam@clinic.test", "Sam Second", "Clinic A", False),
                   ("boss@b.test", "Other Boss", "Clinic B", True),
                   ("tb@b.test", "Other Therapist", "Clinic B", False))}
    return {"admin": _signed_in(api, "boss@clinic.test"), "pat": therapist["id"], "sam": ids["sam@clinic.test"],
            "boss": ids["boss@clinic.test"], "other_boss": ids["boss@b.test"], "other_therapist": ids["tb@b.test"]}


def _actions(app, action):
    with app.app_context():
        return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


def test_the_command_line_makes_an_admin_who_manages_the_clinic(app, api, therapist):
    result = app.test_cli_runner().invoke(args=["create-therapist", "Chief@Clinic.test", "--password", PASSWORD,
                                                "--name", "Chief", "--clinic", "Clinic A", "--admin"])
    assert result.exit_code == 0, result.output
    assert "created admin chief@clinic.test (clinic: Clinic A)" in result.output
    admin = _signed_in(api, "chief@clinic.test")
    assert admin.get("/api/v1/me").get_json()["user"]["role"] == "admin"
    staff = admin.get("/api/v1/clinic/therapists").get_json()
    assert [(s["email"], s["role"], s["active"]) for s in staff] == [
        ("chief@clinic.test", "admin", True), ("pt@clinic.test", "therapist", True)]


def test_the_staff_list_is_the_clinics_with_their_patient_counts(clinic, enrolled):
    staff = {s["email"]: s for s in clinic["admin"].get("/api/v1/clinic/therapists").get_json()}
    assert sorted(staff) == ["boss@clinic.test", "pt@clinic.test", "sam@clinic.test"]
    assert staff["pt@clinic.test"]["patients"] == 1 and staff["sam@clinic.test"]["patients"] == 0
    assert staff["boss@clinic.test"]["role"] == "admin" and staff["pt@clinic.test"]["invited"] is False


def test_an_invited_therapist_chooses_a_password_with_the_link_shown_once(app, api, clinic):
    response = clinic["admin"].post("/api/v1/clinic/therapists", {"email": "New@Clinic.test", "display_name": "Nia New"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["emailed"] is False and "/t/reset/" in body["set_password_url"]
    assert body["role"] == "therapist" and body["invited"] is True and body["active"] is True
    with app.app_context():
        user = User.get_by_id(body["id"])
        assert (user.email, user.role, user.clinic.name, user.password_hash) == (
            "new@clinic.test", "therapist", "Clinic A", None)
    assert api().post("/api/v1/auth/login", {"email": "new@clinic.test", "password": ""}).status_code in (401, 422)

    token = body["set_password_url"].rsplit("/", 1)[-1]
    anyone = api()
    assert anyone.post("/api/v1/auth/password-reset/confirm", {"token": token, "password": NEW_PASSWORD}).status_code == 204
    assert anyone.post("/api/v1/auth/password-reset/confirm", {"token": token, "password": NEW_PASSWORD}).status_code == 410
    therapist = _signed_in(api, "new@clinic.test", NEW_PASSWORD)
    assert therapist.get("/api/v1/patients").get_json() == []
    [event] = _actions(app, "clinic.therapist_invite")
    assert event.actor_id == clinic["boss"] and event.detail == {"therapist_id": body["id"], "email": "new@clinic.test"}


@pytest.mark.parametrize("body, field", [
    ({"email": "pt@clinic.test", "display_name": "Again"}, "email"),  # an account already
    ({"email": "tb@b.test", "display_name": "Someone else's"}, "email"),
    ({"email": "not an address", "display_name": "X"}, "email"),
    ({"email": "x@clinic.test", "display_name": ""}, "display_name"),
    ({"email": "x@clinic.test", "display_name": "   "}, "display_name"),
])
def test_an_invitation_that_cannot_be_made_is_422_and_writes_nothing(app, clinic, body, field):
    with app.app_context():
        before = User.select().count()
    response = clinic["admin"].post("/api/v1/clinic/therapists", body)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    with app.app_context():
        assert User.select().count() == before
    assert _actions(app, "clinic.therapist_invite") == []


def test_a_disabled_therapist_is_signed_out_and_cannot_sign_in_until_enabled(app, api, clinic, therapist, therapist_api):
    assert therapist_api.get("/api/v1/patients").status_code == 200
    disabled = clinic["admin"].post(f"/api/v1/clinic/therapists/{clinic['pat']}/disable")
    assert disabled.status_code == 200 and disabled.get_json()["active"] is False
    assert therapist_api.get("/api/v1/patients").status_code == 401  # the open session ended
    refused = api().post("/api/v1/auth/login", {"email": therapist["email"], "password": PASSWORD})
    assert refused.status_code == 401
    with app.app_context():
        assert User.get_by_id(clinic["pat"]).is_active is False

    enabled = clinic["admin"].post(f"/api/v1/clinic/therapists/{clinic['pat']}/enable")
    assert enabled.status_code == 200 and enabled.get_json()["active"] is True
    assert _signed_in(api, therapist["email"]).get("/api/v1/patients").status_code == 200
    assert [e.detail for e in _actions(app, "clinic.therapist_disable")] == [{"therapist_id": clinic["pat"]}]
    assert [e.detail for e in _actions(app, "clinic.therapist_enable")] == [{"therapist_id": clinic["pat"]}]


def test_the_last_active_admin_cannot_be_disabled(app, api, clinic):
    admin = clinic["admin"]
    refused = admin.post(f"/api/v1/clinic/therapists/{clinic['boss']}/disable")
    assert refused.status_code == 409 and "last active admin" in refused.get_json()["detail"]
    with app.app_context():
        assert User.get_by_id(clinic["boss"]).is_active is True
        create_or_update_therapist("deputy@clinic.test", PASSWORD, "Deputy", "Clinic A", admin=True)
    deputy = _signed_in(api, "deputy@clinic.test")
    assert deputy.post(f"/api/v1/clinic/therapists/{clinic['boss']}/disable").status_code == 200
    assert admin.get("/api/v1/clinic/therapists").status_code == 401  # their own sessions ended too
    deputy_id = next(s["id"] for s in deputy.get("/api/v1/clinic/therapists").get_json() if s["email"] == "deputy@clinic.test")
    assert deputy.post(f"/api/v1/clinic/therapists/{deputy_id}/disable").status_code == 409


def test_a_reassigned_patient_moves_from_one_therapists_list_to_the_others(app, api, clinic, enrolled, therapist_api):
    _patient, patient_id, _program = enrolled
    sam = _signed_in(api, "sam@clinic.test")
    patients = clinic["admin"].get("/api/v1/clinic/patients").get_json()
    assert patients == [{"id": patient_id, "display_name": "Jo Patient", "therapist_id": clinic["pat"],
                         "therapist_name": "Pat Therapist"}]

    moved = clinic["admin"].post(f"/api/v1/clinic/patients/{patient_id}/reassign", {"therapist_id": clinic["sam"]})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["therapist_id"] == clinic["sam"] and moved.get_json()["therapist_name"] == "Sam Second"
    assert therapist_api.get("/api/v1/patients").get_json() == []
    assert therapist_api.get(f"/api/v1/patients/{patient_id}/summary").status_code == 404
    assert [r["id"] for r in sam.get("/api/v1/patients").get_json()] == [patient_id]
    assert sam.get(f"/api/v1/patients/{patient_id}/program").status_code == 200
    with app.app_context():
        assert Patient.get_by_id(patient_id).therapist_id == clinic["sam"]
    [event] = _actions(app, "patient.reassign")
    assert event.patient_id == patient_id and event.actor_id == clinic["boss"]
    assert event.detail == {"from_therapist_id": clinic["pat"], "to_therapist_id": clinic["sam"]}
    # The therapist who has the patient now reads the move in the patient's audit trail.
    trail = sam.get(f"/api/v1/patients/{patient_id}/audit").get_json()["events"]
    assert "patient.reassign" in [e["action"] for e in trail]


@pytest.mark.parametrize("target", ["boss", "other_therapist", "other_boss", "disabled", "missing"])
def test_a_patient_goes_only_to_an_active_therapist_of_the_clinic(app, clinic, enrolled, target):
    _patient, patient_id, _program = enrolled
    if target == "disabled":
        assert clinic["admin"].post(f"/api/v1/clinic/therapists/{clinic['sam']}/disable").status_code == 200
    therapist_id = {"disabled": clinic["sam"], "missing": 999_999}.get(target) or clinic[target]
    refused = clinic["admin"].post(f"/api/v1/clinic/patients/{patient_id}/reassign", {"therapist_id": therapist_id})
    assert refused.status_code == 422 and "therapist_id" in refused.get_json()["errors"]
    with app.app_context():
        assert Patient.get_by_id(patient_id).therapist_id == clinic["pat"]
    assert _actions(app, "patient.reassign") == []


def test_another_clinics_admin_reaches_none_of_it(app, api, clinic, enrolled):
    _patient, patient_id, _program = enrolled
    other = _signed_in(api, "boss@b.test")
    assert [s["email"] for s in other.get("/api/v1/clinic/therapists").get_json()] == ["boss@b.test", "tb@b.test"]
    assert other.get("/api/v1/clinic/patients").get_json() == []
    for path in (f"/api/v1/clinic/therapists/{clinic['pat']}/disable", f"/api/v1/clinic/therapists/{clinic['pat']}/enable"):
        assert other.post(path).status_code == 404, path
    moved = other.post(f"/api/v1/clinic/patients/{patient_id}/reassign", {"therapist_id": clinic["other_therapist"]})
    assert moved.status_code == 404
    # And the other way round: another clinic's therapist is not ours to disable.
    for action in ("disable", "enable"):
        assert clinic["admin"].post(f"/api/v1/clinic/therapists/{clinic['other_therapist']}/{action}").status_code == 404
    with app.app_context():
        assert User.get_by_id(clinic["pat"]).is_active and Patient.get_by_id(patient_id).therapist_id == clinic["pat"]
        assert User.get_by_id(clinic["other_therapist"]).is_active


def test_an_admin_has_no_patients_and_a_therapist_no_clinic_routes(clinic, enrolled, therapist_api):
    _patient, patient_id, _program = enrolled
    admin = clinic["admin"]
    for path in ("/api/v1/patients", f"/api/v1/patients/{patient_id}/summary", f"/api/v1/patients/{patient_id}/program"):
        assert admin.get(path).status_code == 403, path
    for path in ("/api/v1/clinic/therapists", "/api/v1/clinic/patients"):
        assert therapist_api.get(path).status_code == 403, path
    assert therapist_api.post(f"/api/v1/clinic/therapists/{clinic['sam']}/disable").status_code == 403


def test_with_email_set_up_the_link_goes_by_email_and_is_never_shown(make_app, smtp):
    app = make_app(SMTP_URL=smtp.url, BASE_URL="https://hep.example")
    with app.app_context():
        migrations.upgrade(db.obj)
        create_or_update_therapist("boss@clinic.test", PASSWORD, "Boss", "Clinic A", admin=True)
    admin = ApiClient(app.test_client())
    assert admin.post("/api/v1/auth/login", {"email": "boss@clinic.test", "password": PASSWORD}).status_code == 200
    body = admin.post("/api/v1/clinic/therapists", {"email": "nia@clinic.test", "display_name": "Nia"}).get_json()
    assert body["emailed"] is True and body["set_password_url"] is None
    [mail] = smtp.messages
    assert mail.rcpt_tos == ("nia@clinic.test",) and mail["Subject"] == "You are invited to hep"
    assert "Boss invited you" in mail.body
    link = re.search(r"https://hep\.example/t/reset/(\S+)", mail.body)
    anyone = ApiClient(app.test_client())
    assert anyone.post("/api/v1/auth/password-reset/confirm",
                       {"token": link.group(1), "password": NEW_PASSWORD}).status_code == 204
    assert anyone.post("/api/v1/auth/login", {"email": "nia@clinic.test", "password": NEW_PASSWORD}).status_code == 200
    if not db.is_closed():
        db.close()


def test_a_mail_server_refusing_the_invitation_leaves_the_link_to_show(make_app, smtp):
    app = make_app(SMTP_URL=smtp.url, BASE_URL="https://hep.example")
    with app.app_context():
        migrations.upgrade(db.obj)
        create_or_update_therapist("boss@clinic.test", PASSWORD, "Boss", "Clinic A", admin=True)
    admin = ApiClient(app.test_client())
    admin.post("/api/v1/auth/login", {"email": "boss@clinic.test", "password": PASSWORD})
    smtp.reply("550 5.1.1 No such mailbox")
    body = admin.post("/api/v1/clinic/therapists", {"email": "nia@clinic.test", "display_name": "Nia"}).get_json()
    assert body["emailed"] is False and body["set_password_url"].startswith("https://hep.example/t/reset/")
    if not db.is_closed():
        db.close()
