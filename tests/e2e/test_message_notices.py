"""Message notices end to end: a real local push service (it verifies VAPID and decrypts) and a
real local SMTP server (aiosmtpd). A patient's message reaches the therapist's browsers and
mailbox, a therapist's message the patient's phone; none carries the text or a name."""
from __future__ import annotations

import json
import uuid

import pytest

from hep.models import Message
from hep.push.message_notices import notify
from tests.support.push_service import make_subscription

BASE = "https://hep.example"
SECRET = "my left calf tingles after the slider"


@pytest.fixture
def app_config(service, smtp):
    return {"PUSH_ALLOWED_ORIGINS": service.origin, "SMTP_URL": smtp.url, "MAIL_FROM": "hep@clinic.test",
            "BASE_URL": BASE}


def subscribe(client, service, name):
    info, _key = make_subscription(service, name)
    response = client.post("/api/v1/push/subscriptions", {**info, "expirationTime": None})
    assert response.status_code == 201, response.get_json()


def assert_private(text):
    lowered = text.lower()
    assert not [w for w in ("calf", "tingles", "slider", "jo patient", "pat therapist", "hello") if w in lowered], text


def test_a_patient_message_tells_the_therapist_by_push_and_e_mail(app, enrolled, therapist_api, service, smtp):
    patient, patient_id, _program = enrolled
    subscribe(therapist_api, service, "pt-laptop")
    subscribe(patient, service, "jo-phone")

    sent = patient.post("/api/v1/messages", {"id": str(uuid.uuid4()), "body": SECRET})
    assert sent.status_code == 201

    [push] = service.received
    assert push.name == "pt-laptop"  # not the patient's own phone
    path = f"/t/patients/{patient_id}#messages"
    assert json.loads(push.text) == {
        "title": "New message", "body": "You have a new message.", "url": path,
        "tag": f"hep-message-{patient_id}", "web_push": 8030,
        "notification": {"title": "New message", "body": "You have a new message.", "navigate": BASE + path,
                         "tag": f"hep-message-{patient_id}", "lang": "en", "silent": False}}
    assert_private(push.text)
    assert push.headers["topic"] == f"message-{patient_id}"

    [mail] = smtp.messages
    assert mail.rcpt_tos == ("pt@clinic.test",) and mail.mail_from == "hep@clinic.test"
    text = mail["Subject"] + "\n" + mail.body
    assert "You have a new message" in text and BASE + path in text
    assert_private(text)

    with app.app_context():
        stored = Message.get_by_id(sent.get_json()["id"])
        assert stored.body == SECRET and stored.notified_at is not None
        # The notice is claimed once: the task run again sends nothing more.
        assert notify(stored.id).line() == "pushed 0, mailed 0, failed 0, gone 0"
    assert len(service.received) == 1 and len(smtp.messages) == 1


def test_a_therapist_message_reaches_the_patient_phone_in_its_language(app, enrolled, therapist_api, service, smtp):
    patient, patient_id, _program = enrolled
    subscribe(therapist_api, service, "pt-laptop")
    subscribe(patient, service, "jo-phone")
    assert patient.patch("/api/v1/me", {"locale": "es"}).status_code == 200

    reply = therapist_api.post(f"/api/v1/patients/{patient_id}/messages", {"body": "Hello Jo, " + SECRET})
    assert reply.status_code == 201

    [push] = service.received
    assert push.name == "jo-phone"
    shown = json.loads(push.text)
    assert shown["url"] == "/app/#/messages" and shown["notification"]["navigate"] == BASE + "/app/#/messages"
    assert shown["notification"]["lang"] == "es"
    assert shown["title"] == "Mensaje nuevo" and shown["body"] == "Hay un mensaje nuevo."
    assert_private(push.text)
    assert smtp.messages == []  # patients are told on their phone only


def test_a_gone_subscription_is_removed(app, enrolled, therapist_api, service):
    from hep.models import StaffPushSubscription

    patient, _patient_id, _program = enrolled
    subscribe(therapist_api, service, "old-laptop")
    service.respond("old-laptop", 410)
    patient.post("/api/v1/messages", {"id": str(uuid.uuid4()), "body": "Hi"})
    with app.app_context():
        assert StaffPushSubscription.select().count() == 0
