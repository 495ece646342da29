"""Sending the join link by e-mail: POST /api/v1/patients/{id}/invites with send_to, through
a real local SMTP server (aiosmtpd); the mailed link joins, and a refusal changes nothing."""
from __future__ import annotations

import re

import pytest

from hep.models import AuditEvent, Invite

LINK = re.compile(r"https?://\S+/join/[A-Za-z0-9_-]+")


@pytest.fixture
def app_config(smtp):
    return {"SMTP_URL": smtp.url, "MAIL_FROM": "clinic@hep.test"}


def _patient(therapist_api, **extra):
    created = therapist_api.post("/api/v1/patients", {"display_name": "Ana Secret", "timezone": "Europe/Madrid",
                                                      "email": "ana@example.test", **extra})
    assert created.status_code == 201, created.get_json()
    return created.get_json()


def _token(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def _parts(mail):
    return (mail.message.get_body(preferencelist=("plain",)).get_content(),
            mail.message.get_body(preferencelist=("html",)).get_content())


def test_the_mailed_link_joins_and_earlier_links_stop_working(app, api, smtp, therapist_api):
    patient = _patient(therapist_api)
    first = _token(patient["invite_url"])

    response = therapist_api.post(f"/api/v1/patients/{patient['id']}/invites", {"send_to": "ana@example.test"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["sent_to"] == "ana@example.test"

    [mail] = smtp.messages
    assert mail.rcpt_tos == ("ana@example.test",)
    assert mail["From"] == "clinic@hep.test"
    assert mail["Subject"] == "Your home exercise program"
    text, html = _parts(mail)
    [link] = LINK.findall(text)
    assert link == body["invite_url"]
    assert f'href="{link}"' in html and "Open my exercises" in html
    # Nothing clinical and no name: mailboxes are read on lock screens.
    for secret in ("Ana Secret", "Pat Therapist", "nerve", "pain"):
        assert secret not in text and secret not in html

    phone = api()
    assert phone.post("/api/v1/auth/join", {"token": first}).status_code == 410
    joined = phone.post("/api/v1/auth/join", {"token": _token(link)})
    assert joined.status_code == 200, joined.get_json()
    assert joined.get_json()["user"]["patient_id"] == patient["id"]

    with app.app_context():
        events = [e.detail for e in AuditEvent.select().where(AuditEvent.action == "invite.issue")
                  .order_by(AuditEvent.id)]
    assert events[-1] == {"sent_to": "ana@example.test"}


def test_a_bad_address_is_a_422_naming_send_to_and_changes_nothing(app, api, smtp, therapist_api):
    patient = _patient(therapist_api)
    for bad in ("not-an-address", "", 12, "a@b@c"):
        response = therapist_api.post(f"/api/v1/patients/{patient['id']}/invites", {"send_to": bad})
        assert response.status_code == 422, (bad, response.get_json())
        assert response.headers["Content-Type"] == "application/problem+json"
        assert "send_to" in response.get_json()["errors"]
    assert smtp.messages == []
    with app.app_context():
        assert Invite.select().where(Invite.patient == patient["id"]).count() == 1
    assert api().post("/api/v1/auth/join", {"token": _token(patient["invite_url"])}).status_code == 200


def test_without_smtp_it_is_a_409_and_the_earlier_link_still_works(app, api, smtp, therapist_api):
    patient = _patient(therapist_api)
    app.config["SMTP_URL"] = None
    response = therapist_api.post(f"/api/v1/patients/{patient['id']}/invites", {"send_to": "ana@example.test"})
    assert response.status_code == 409
    problem = response.get_json()
    assert problem["title"] == "E-mail not configured" and "HEP_SMTP_URL" in problem["detail"]
    with app.app_context():
        assert Invite.select().where(Invite.patient == patient["id"]).count() == 1
        assert AuditEvent.select().where(AuditEvent.action == "invite.issue").count() == 1
    assert api().post("/api/v1/auth/join", {"token": _token(patient["invite_url"])}).status_code == 200


def test_a_refusing_mail_server_changes_nothing(app, api, smtp, therapist_api):
    patient = _patient(therapist_api)
    smtp.reply("550 5.1.1 No such mailbox")
    response = therapist_api.post(f"/api/v1/patients/{patient['id']}/invites", {"send_to": "ana@example.test"})
    assert response.status_code == 502
    assert "earlier join links still work" in response.get_json()["detail"]
    with app.app_context():
        assert Invite.select().where(Invite.patient == patient["id"]).count() == 1
    assert api().post("/api/v1/auth/join", {"token": _token(patient["invite_url"])}).status_code == 200


def test_without_a_body_a_link_is_issued_and_not_sent(app, smtp, therapist_api):
    patient = _patient(therapist_api)
    for payload in (None, {}, {"send_to": None}):
        response = therapist_api.post(f"/api/v1/patients/{patient['id']}/invites", payload)
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["sent_to"] is None
    assert smtp.messages == []


def test_the_mail_is_in_the_patients_language(app, api, smtp, therapist_api):
    patient = _patient(therapist_api)
    phone = api()
    assert phone.post("/api/v1/auth/join", {"token": _token(patient["invite_url"])}).status_code == 200
    assert phone.patch("/api/v1/me", {"locale": "es"}).status_code == 200

    response = therapist_api.post(f"/api/v1/patients/{patient['id']}/invites", {"send_to": "ana@example.test"})
    assert response.status_code == 201, response.get_json()
    [mail] = smtp.messages
    text, html = _parts(mail)
    assert mail["Subject"] == "Tu programa de ejercicios en casa"
    assert "Abrir mis ejercicios" in html and 'lang="es"' in html
    assert "caduca en" in text


def test_sending_runs_a_bounded_number_of_statements(app, smtp, therapist_api):
    from tests.support.queries import statements

    patient = _patient(therapist_api)
    with statements() as seen:
        response = therapist_api.post(f"/api/v1/patients/{patient['id']}/invites", {"send_to": "ana@example.test"})
    assert response.status_code == 201
    # session, patient, its user (the language), revoke, insert, audit event, read event
    assert len(seen) <= 8, seen
