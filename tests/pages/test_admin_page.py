"""The clinic admin's page (/t/admin): invite (the set-password link shown once), disable and
re-enable therapists, reassign patients; the same service and audit events as the API."""
from __future__ import annotations

import re

import pytest

from hep.models import AuditEvent, Patient, User
from hep.people.accounts import create_or_update_therapist
from tests.support.pages import csrf_from, post_form, sign_in, text_of

from conftest import PASSWORD


def _admin_browser(app, email="boss@clinic.test"):
    client = app.test_client()
    token = csrf_from(client, "/t/login")
    response = client.post("/t/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/t/admin")
    return client


@pytest.fixture
def clinic(app, therapist):
    with app.app_context():
        create_or_update_therapist("boss@clinic.test", PASSWORD, "Boss", "Clinic A", admin=True)
        sam = create_or_update_therapist("sam@clinic.test", PASSWORD, "Sam Second", "Clinic A")[0].id
        create_or_update_therapist("boss@b.test", PASSWORD, "Other Boss", "Clinic B", admin=True)
    return {"browser": _admin_browser(app), "pat": therapist["id"], "sam": sam}


def test_an_admin_lands_on_the_clinic_page_with_its_staff_and_patients(clinic, enrolled):
    page = clinic["browser"].get("/t/admin")
    assert page.status_code == 200
    text = text_of(page)
    assert 'href="/t/admin" aria-current="page">Clinic</a>' in text and 'href="/t/patients"' not in text
    for shown in ("Boss", "Pat Therapist", "Sam Second", "pt@clinic.test", "Jo Patient"):
        assert shown in text
    assert "Other Boss" not in text


def test_inviting_shows_the_link_once_and_a_taken_address_is_422(app, clinic):
    browser = clinic["browser"]
    done = post_form(browser, "/t/admin/therapists", {"display_name": "Nia New", "email": "nia@clinic.test"},
                     form_page="/t/admin")
    assert done.status_code == 302
    first = text_of(browser.get("/t/admin"))
    assert "Nia New is invited. Send them the link below" in first
    link = re.search(r'id="invite-url"[^>]*value="([^"]+/t/reset/[^"]+)"', first).group(1)
    assert "Invited, no password yet" in first
    assert "/t/reset/" not in text_of(browser.get("/t/admin"))  # shown once
    assert app.test_client().get(link.replace("http://localhost", "")).status_code == 200

    taken = post_form(browser, "/t/admin/therapists", {"display_name": "Again", "email": "PT@clinic.test"},
                      form_page="/t/admin")
    assert taken.status_code == 422
    text = text_of(taken)
    assert "This address already has an account." in text and 'aria-invalid="true"' in text
    with app.app_context():
        assert User.select().where(User.display_name == "Again").count() == 0


def test_disabling_signs_the_therapist_out_and_enabling_lets_them_back(app, clinic, therapist):
    therapist_browser = sign_in(app, therapist["email"])
    browser = clinic["browser"]
    done = post_form(browser, f"/t/admin/therapists/{clinic['pat']}/disable", {}, form_page="/t/admin")
    assert done.status_code == 302
    assert "Pat Therapist is disabled and signed out everywhere." in text_of(browser.get("/t/admin"))
    assert therapist_browser.get("/t/patients").status_code == 302  # back to sign-in
    login = app.test_client()
    csrf = csrf_from(login, "/t/login")
    refused = login.post("/t/login", data={"csrf_token": csrf, "email": therapist["email"], "password": PASSWORD})
    assert refused.status_code == 401

    post_form(browser, f"/t/admin/therapists/{clinic['pat']}/enable", {}, form_page="/t/admin")
    assert "Pat Therapist can sign in again." in text_of(browser.get("/t/admin"))
    sign_in(app, therapist["email"])


def test_the_last_admin_is_not_disabled(app, clinic):
    with app.app_context():
        boss = User.get(User.email == "boss@clinic.test").id
    browser = clinic["browser"]
    post_form(browser, f"/t/admin/therapists/{boss}/disable", {}, form_page="/t/admin")
    assert "This is the clinic's last active admin." in text_of(browser.get("/t/admin"))
    with app.app_context():
        assert User.get_by_id(boss).is_active


def test_reassigning_moves_the_patient_between_the_therapists_lists(app, clinic, enrolled, therapist):
    _patient, patient_id, _program = enrolled
    browser = clinic["browser"]
    pat_browser, sam_browser = sign_in(app, therapist["email"]), sign_in(app, "sam@clinic.test")
    assert "Jo Patient" in text_of(pat_browser.get("/t/patients"))

    moved = post_form(browser, f"/t/admin/patients/{patient_id}/reassign", {"therapist_id": str(clinic["sam"])},
                      form_page="/t/admin")
    assert moved.status_code == 302
    assert "Jo Patient is now with Sam Second." in text_of(browser.get("/t/admin"))
    assert "Jo Patient" not in text_of(pat_browser.get("/t/patients"))
    assert pat_browser.get(f"/t/patients/{patient_id}").status_code == 404
    assert "Jo Patient" in text_of(sam_browser.get("/t/patients"))
    with app.app_context():
        [event] = AuditEvent.select().where(AuditEvent.action == "patient.reassign")
        assert event.detail == {"from_therapist_id": clinic["pat"], "to_therapist_id": clinic["sam"]}

    bad = post_form(browser, f"/t/admin/patients/{patient_id}/reassign", {"therapist_id": "abc"}, form_page="/t/admin")
    assert bad.status_code == 422 and f'id="move-{patient_id}-error"' in bad.get_data(as_text=True)
    with app.app_context():
        boss = User.get(User.email == "boss@clinic.test").id
    admin_target = post_form(browser, f"/t/admin/patients/{patient_id}/reassign", {"therapist_id": str(boss)},
                             form_page="/t/admin")
    assert admin_target.status_code == 422 and "Choose an active therapist of this clinic." in text_of(admin_target)
    with app.app_context():
        assert Patient.get_by_id(patient_id).therapist_id == clinic["sam"]


def test_another_clinics_admin_gets_404_and_a_therapist_403(app, clinic, enrolled, therapist):
    _patient, patient_id, _program = enrolled
    other = _admin_browser(app, "boss@b.test")
    assert post_form(other, f"/t/admin/therapists/{clinic['pat']}/disable", {}, form_page="/t/admin").status_code == 404
    assert post_form(other, f"/t/admin/patients/{patient_id}/reassign", {"therapist_id": str(clinic["sam"])},
                     form_page="/t/admin").status_code == 404
    assert "Jo Patient" not in text_of(other.get("/t/admin"))
    assert sign_in(app, therapist["email"]).get("/t/admin").status_code == 403
    with app.app_context():
        assert User.get_by_id(clinic["pat"]).is_active and Patient.get_by_id(patient_id).therapist_id == clinic["pat"]


def test_the_page_and_the_api_leave_the_same_audit_events(app, api, clinic, enrolled):
    _patient, patient_id, _program = enrolled
    admin_api = api()
    admin_api.post("/api/v1/auth/login", {"email": "boss@clinic.test", "password": PASSWORD})
    browser = clinic["browser"]

    def events():
        with app.app_context():
            rows = AuditEvent.select().where(AuditEvent.action.startswith("clinic.") | (AuditEvent.action == "patient.reassign"))
            return [(e.action, e.patient_id, sorted(e.detail)) for e in rows.order_by(AuditEvent.id)]

    admin_api.post(f"/api/v1/clinic/therapists/{clinic['sam']}/disable")
    admin_api.post(f"/api/v1/clinic/therapists/{clinic['sam']}/enable")
    admin_api.post(f"/api/v1/clinic/patients/{patient_id}/reassign", {"therapist_id": clinic["sam"]})
    admin_api.post("/api/v1/clinic/therapists", {"email": "one@clinic.test", "display_name": "One"})
    through_api = events()
    post_form(browser, f"/t/admin/therapists/{clinic['sam']}/disable", {}, form_page="/t/admin")
    post_form(browser, f"/t/admin/therapists/{clinic['sam']}/enable", {}, form_page="/t/admin")
    post_form(browser, f"/t/admin/patients/{patient_id}/reassign", {"therapist_id": str(clinic["pat"])}, form_page="/t/admin")
    post_form(browser, "/t/admin/therapists", {"email": "two@clinic.test", "display_name": "Two"}, form_page="/t/admin")
    assert len(through_api) == 4 and events()[4:] == through_api


def test_a_disabled_therapist_with_patients_is_marked_for_reassigning(clinic, enrolled):
    browser = clinic["browser"]
    post_form(browser, f"/t/admin/therapists/{clinic['pat']}/disable", {}, form_page="/t/admin")
    row = re.search(rf'<tr data-staff-id="{clinic["pat"]}">.*?</tr>', text_of(browser.get("/t/admin")), re.S).group(0)
    assert "Disabled" in row and "Reassign their patients" in row
