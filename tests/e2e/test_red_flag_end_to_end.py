"""A red-flag check-in, end to end: the patient's phone posts it; within a minute the
therapist's subscribed browser gets the push (through the local push service, decrypted) and
an e-mail reaches the local SMTP server, neither with health details; the program stops and
no reminder goes out; acknowledging and resolving on the patient page lifts the stop."""
from __future__ import annotations

import json
import time
import uuid

import pytest

from hep.models import Alert, AlertNotification
from tests.support.pages import post_form, sign_in, text_of
from tests.support.push_service import make_subscription

HEALTH_WORDS = ("bladder", "bowel", "cauda", "red flag", "pain", "numb", "weak", "jo patient")


@pytest.fixture
def app_config(service, smtp):
    return {"PUSH_ALLOWED_ORIGINS": service.origin, "SMTP_URL": smtp.url, "MAIL_FROM": "hep@clinic.test",
            "BASE_URL": "https://hep.example"}


def test_a_red_flag_reaches_the_therapist_within_a_minute_and_the_page_lifts_the_stop(
        app, enrolled, therapist_api, therapist, service, smtp):
    phone, patient_id, _program = enrolled
    info, _key = make_subscription(service, "pt-laptop")
    assert therapist_api.post("/api/v1/push/subscriptions", {**info, "expirationTime": None}).status_code == 201

    started = time.monotonic()
    answered = phone.post("/api/v1/checkins", {
        "id": str(uuid.uuid4()), "date": phone.get("/api/v1/today").get_json()["date"], "morning_pain": 5,
        "settled": "no", "distal_symptom": "foot", "new_numbness_or_weakness": False, "red_flag_change": True})
    assert answered.status_code == 201 and answered.get_json()["urgent"] is True
    assert "emergency department" in answered.get_json()["message"]

    deadline = started + 60
    while (not service.received or not smtp.messages) and time.monotonic() < deadline:
        time.sleep(0.05)
    [push] = service.received
    [mail] = smtp.messages
    assert time.monotonic() - started < 60
    payload = json.loads(push.text)
    assert payload["notification"]["title"] == "A patient needs your attention"
    assert payload["notification"]["navigate"].endswith(f"/t/patients/{patient_id}")
    assert push.headers["urgency"] == "high"
    assert mail["To"] == therapist["email"] and mail["Subject"] == "A patient needs your attention"
    assert f"https://hep.example/t/patients/{patient_id}" in mail.body
    for text in (push.text.lower(), mail.body.lower(), mail["Subject"].lower()):
        assert not [word for word in HEALTH_WORDS if word in text], text
    with app.app_context():
        [alert] = Alert.select()
        assert (alert.code, alert.level, alert.status) == ("red_flag", "emergency", "open")
        assert sorted(n.channel for n in AlertNotification.select() if n.status == "sent") == ["email", "push"]

    summary = therapist_api.get(f"/api/v1/patients/{patient_id}/summary").get_json()
    assert {r["status"] for r in summary["recommendations"]} == {"stop"}

    # The therapist calls the patient, then closes the alert on the patient page.
    browser = sign_in(app, therapist["email"])
    page = f"/t/patients/{patient_id}"
    assert "Every exercise is stopped" in text_of(browser.get(page))
    assert post_form(browser, f"/t/alerts/{alert.id}/acknowledge", {"note": "Phoned: going to A&E"},
                     form_page=page).status_code == 302
    assert {r["status"] for r in therapist_api.get(f"/api/v1/patients/{patient_id}/summary").get_json()[
        "recommendations"]} == {"stop"}
    assert post_form(browser, f"/t/alerts/{alert.id}/resolve", {"outcome": "referred", "note": "Scan clear"},
                     form_page=page).status_code == 302
    shown = text_of(browser.get(page))
    assert "Every exercise is stopped" not in shown and "Scan clear" in shown
    statuses = {r["status"] for r in therapist_api.get(f"/api/v1/patients/{patient_id}/summary").get_json()[
        "recommendations"]}
    assert "stop" not in statuses and statuses <= {"hold", "regress"}
