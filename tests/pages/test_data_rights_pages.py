"""The patient page's data section: the audit trail page and the erasure form."""
from __future__ import annotations

from hep.models import AuditEvent, Patient, User
from hep.people.passwords import hash_password
from tests.support.pages import csrf_from, post_form, sign_in, text_of

from conftest import PASSWORD


def test_the_audit_page_shows_who_opened_the_record(app, enrolled, therapist):
    _patient, patient_id, _ = enrolled
    browser = sign_in(app, therapist["email"])
    page = text_of(browser.get(f"/t/patients/{patient_id}"))
    assert f'href="/t/patients/{patient_id}/audit"' in page
    assert f'href="/api/v1/patients/{patient_id}/export" download="patient-{patient_id}.json"' in page
    assert f'href="/t/patients/{patient_id}/erasure"' in page

    audit = browser.get(f"/t/patients/{patient_id}/audit", environ_base={"REMOTE_ADDR": "198.51.100.4"})
    assert audit.status_code == 200
    text = text_of(audit)
    assert "Audit trail" in text and "Pat Therapist" in text
    rows = text.split("<tbody>")[1].split("</tbody>")[0]
    # Newest first: the patient page just opened, from this browser's address.
    first = rows.split("</tr>")[0]
    assert "<code>read</code>" in first and "endpoint: therapist.patient" in first and "127.0.0.1" in first
    assert "<code>patient.create</code>" in rows and "<code>join</code>" in rows
    with app.app_context():
        last = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
        assert (last.detail["endpoint"], last.ip) == ("therapist.audit_trail", "198.51.100.4")
        patient = Patient.get_by_id(patient_id)
        User.create(clinic=patient.clinic_id, role="admin", email="admin@clinic.test", display_name="Ada Admin",
                    password_hash=hash_password(PASSWORD))
    admin = app.test_client()
    token = csrf_from(admin, "/t/login")
    assert admin.post("/t/login", data={"csrf_token": token, "email": "admin@clinic.test",
                                        "password": PASSWORD}).status_code == 302
    assert "Pat Therapist" in text_of(admin.get(f"/t/patients/{patient_id}/audit"))
    assert admin.get(f"/t/patients/{patient_id}").status_code == 403  # the trail only


def test_erasing_from_the_page_needs_the_name_typed(app, enrolled, therapist):
    phone, patient_id, _ = enrolled
    browser = sign_in(app, therapist["email"])
    form = f"/t/patients/{patient_id}/erasure"
    page = text_of(browser.get(form))
    assert "This cannot be undone." in page and "Type the patient's name, Jo Patient, to confirm" in page

    wrong = post_form(browser, form, {"confirm": "Jo"})
    assert wrong.status_code == 422
    text = text_of(wrong)
    assert 'aria-invalid="true"' in text and "Type the patient's name exactly as shown to confirm." in text
    assert 'value="Jo"' in text
    with app.app_context():
        assert Patient.get_or_none(Patient.id == patient_id) is not None
    assert phone.get("/api/v1/today").status_code == 200

    done = post_form(browser, form, {"confirm": "Jo Patient"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/t/patients")
    listing = text_of(browser.get("/t/patients"))
    assert "The patient and all their data were erased." in listing and "Jo Patient" not in listing
    with app.app_context():
        assert Patient.get_or_none(Patient.id == patient_id) is None
        erased = AuditEvent.get(AuditEvent.action == "patient.erase")
        assert erased.subject.startswith("erased-") and erased.patient_id is None
    assert phone.get("/api/v1/today").status_code == 401
    assert browser.get(form).status_code == 404
