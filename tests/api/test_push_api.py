"""Push subscriptions and reminder settings through the JSON API."""
from __future__ import annotations

import base64
import os
import socket
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from hep.models import Patient, PushSubscription, ReminderDelivery, ReminderSchedule, StaffPushSubscription
from hep.push import subscriptions
from hep.push.vapid import application_server_key

FCM = "https://fcm.googleapis.com/fcm/send/"


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def browser_subscription(endpoint: str) -> dict:
    key = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {"endpoint": endpoint, "expirationTime": None,
            "keys": {"p256dh": b64(key), "auth": b64(os.urandom(16))}}


@pytest.fixture(autouse=True)
def public_dns(monkeypatch):
    """Push-service names resolve to a public address (no DNS in CI); ``private.*`` do not."""
    def resolve(host, port, *args, **kwargs):
        address = "10.1.2.3" if host.startswith("private.") else "142.250.1.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(subscriptions, "resolve", resolve)


def second_patient(api, therapist_api):
    created = therapist_api.post("/api/v1/patients", {"display_name": "Sam", "timezone": "Europe/London"})
    client = api()
    token = created.get_json()["invite_url"].rsplit("/", 1)[-1]
    assert client.post("/api/v1/auth/join", {"token": token}).status_code == 200
    return client, created.get_json()["id"]


def test_public_key_is_the_vapid_application_server_key(app, api):
    response = api().get("/api/v1/push/key")
    assert response.status_code == 200
    assert response.get_json() == {"public_key": application_server_key(app.config["VAPID_PRIVATE_KEY"])}
    assert len(base64.urlsafe_b64decode(response.get_json()["public_key"] + "=")) == 65


def test_subscribe_again_and_unsubscribe(app, enrolled):
    patient, patient_id, _ = enrolled
    body = browser_subscription(FCM + "device-1")
    first = patient.post("/api/v1/push/subscriptions", body)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["endpoint"] == body["endpoint"]

    # Same endpoint, new keys (the browser re-subscribed): 200, keys refreshed, one row.
    renewed = browser_subscription(FCM + "device-1")
    again = patient.post("/api/v1/push/subscriptions", renewed)
    assert again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    # A second device.
    assert patient.post("/api/v1/push/subscriptions", browser_subscription(FCM + "device-2")).status_code == 201
    with app.app_context():
        rows = {s.endpoint: s for s in PushSubscription.select()}
    assert set(rows) == {FCM + "device-1", FCM + "device-2"}
    assert rows[FCM + "device-1"].p256dh == renewed["keys"]["p256dh"]
    assert all(row.patient_id == patient_id for row in rows.values())

    assert patient.delete("/api/v1/push/subscriptions", {"endpoint": FCM + "device-1"}).status_code == 204
    assert patient.delete("/api/v1/push/subscriptions", {"endpoint": FCM + "unknown"}).status_code == 204
    with app.app_context():
        assert [s.endpoint for s in PushSubscription.select()] == [FCM + "device-2"]


def test_an_endpoint_of_another_patient_moves_to_the_one_signed_in(app, api, therapist_api, enrolled):
    patient, patient_id, _ = enrolled
    other, other_id = second_patient(api, therapist_api)
    body = browser_subscription(FCM + "shared-phone")
    assert patient.post("/api/v1/push/subscriptions", body).status_code == 201
    assert other.post("/api/v1/push/subscriptions", body).status_code == 201
    with app.app_context():
        assert [(s.patient_id, s.endpoint) for s in PushSubscription.select()] == [(other_id, body["endpoint"])]
    # The first patient can no longer remove it.
    assert patient.delete("/api/v1/push/subscriptions", {"endpoint": body["endpoint"]}).status_code == 204
    with app.app_context():
        assert PushSubscription.select().count() == 1


@pytest.mark.parametrize("endpoint, reason", [
    ("http://fcm.googleapis.com/fcm/send/x", "https"),
    ("https://private.push.apple.com/x", "non-public address"),
    ("https://10.0.0.1/push/x", "allow-list"),
    ("https://push.evil.example/x", "allow-list"),
    ("https://user@fcm.googleapis.com/x", "user information"),
    ("ftp://fcm.googleapis.com/x", "http"),
])
def test_unsafe_endpoints_are_refused(app, enrolled, endpoint, reason):
    patient, _, _ = enrolled
    response = patient.post("/api/v1/push/subscriptions", browser_subscription(endpoint))
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    errors = response.get_json()["errors"]
    assert list(errors) == ["endpoint"] and reason in errors["endpoint"][0]
    with app.app_context():
        assert PushSubscription.select().count() == 0


def _with(keys: dict) -> dict:
    body = browser_subscription(FCM + "k")
    body["keys"].update(keys)
    return body


@pytest.mark.parametrize("body, field", [
    (_with({"p256dh": b64(b"\x04" + b"\x01" * 64)}), "keys"),  # not on the curve
    (_with({"p256dh": b64(os.urandom(33))}), "keys"),  # compressed / wrong length
    (_with({"p256dh": "not base64!"}), "keys"),
    (_with({"auth": b64(os.urandom(8))}), "keys"),
    ({"endpoint": FCM + "k"}, "keys"),
    ({"keys": {"p256dh": "x", "auth": "y"}}, "endpoint"),
    ({**browser_subscription(FCM + "k"), "extra": 1}, "extra"),
])
def test_bad_subscriptions_are_422(app, enrolled, body, field):
    patient, _, _ = enrolled
    response = patient.post("/api/v1/push/subscriptions", body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    with app.app_context():
        assert PushSubscription.select().count() == 0


def test_reminders_default_then_saved(app, enrolled):
    patient, patient_id, _ = enrolled
    got = patient.get("/api/v1/reminders").get_json()
    assert got == {"enabled": False, "timezone": "Europe/Madrid", "times": [], "days": [1, 2, 3, 4, 5, 6, 7],
                   "quiet_start": None, "quiet_end": None, "next_at": None}
    body = {"enabled": True, "timezone": "America/New_York", "times": ["18:30", "08:00"], "days": [1, 3, 5],
            "quiet_start": "22:00", "quiet_end": "07:00"}
    saved = patient.put("/api/v1/reminders", body)
    assert saved.status_code == 200, saved.get_json()
    shown = saved.get_json()
    assert {k: shown[k] for k in body} == {**body, "times": ["08:00", "18:30"]}
    assert shown["next_at"].endswith("+00:00")
    assert patient.get("/api/v1/reminders").get_json() == shown
    with app.app_context():
        assert Patient.get_by_id(patient_id).timezone == "America/New_York"
        assert ReminderSchedule.select().count() == 1
    # Saving again replaces; timezone may be left out.
    patient.put("/api/v1/reminders", {"enabled": False, "times": ["09:00"], "days": [7]})
    again = patient.get("/api/v1/reminders").get_json()
    assert (again["enabled"], again["times"], again["days"], again["timezone"], again["quiet_start"]) == \
        (False, ["09:00"], [7], "America/New_York", None)


GOOD = {"enabled": True, "timezone": "Europe/Madrid", "times": ["08:00"], "days": [1, 2, 3, 4, 5]}


@pytest.mark.parametrize("change, fields", [
    ({"timezone": "Mars/Olympus"}, {"timezone"}),
    ({"times": ["8am"]}, {"times"}),
    ({"times": ["24:00"]}, {"times"}),
    ({"times": ["08:00", "08:00"]}, {"times"}),
    ({"times": [f"0{h}:00" for h in range(7)]}, {"times"}),
    ({"times": []}, {"times"}),
    ({"days": [0]}, {"days"}),
    ({"days": [8]}, {"days"}),
    ({"days": []}, {"days"}),
    ({"days": [1, 1]}, {"days"}),
    ({"quiet_start": "22:00"}, {"quiet_end"}),
    ({"quiet_start": "22:00", "quiet_end": "7:00"}, {"quiet_end"}),
    ({"enabled": "sometimes"}, {"enabled"}),
    ({"colour": "red"}, {"colour"}),
    ({"timezone": "Nowhere", "days": [9]}, {"timezone", "days"}),
])
def test_bad_reminder_settings_are_422_and_write_nothing(app, enrolled, change, fields):
    patient, patient_id, _ = enrolled
    response = patient.put("/api/v1/reminders", {**GOOD, **change})
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert set(response.get_json()["errors"]) == fields
    with app.app_context():
        assert ReminderSchedule.select().count() == 0
        assert Patient.get_by_id(patient_id).timezone == "Europe/Madrid"


def test_snooze_defaults_to_an_hour(app, enrolled):
    patient, _, _ = enrolled
    patient.post("/api/v1/push/subscriptions", browser_subscription(FCM + "s"))
    response = patient.post("/api/v1/reminders/snooze", {})
    assert response.status_code == 202
    assert response.get_json()["devices"] == 1
    assert patient.post("/api/v1/reminders/snooze", {"minutes": 1}).status_code == 422
    with app.app_context():
        [delivery] = ReminderDelivery.select()
        due = delivery.due_at.replace(tzinfo=UTC)
        assert delivery.status == "scheduled" and delivery.subscription.endpoint == FCM + "s"
        assert timedelta(minutes=59) <= due - datetime.now(UTC) <= timedelta(minutes=60)


def test_the_routes_are_in_the_openapi_document(api):
    paths = api().get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/push/key", "/api/v1/push/subscriptions", "/api/v1/reminders",
            "/api/v1/reminders/snooze"} <= set(paths)


def test_a_therapist_subscribes_a_browser_for_alert_notices(app, therapist, therapist_api):
    body = browser_subscription(FCM + "laptop")
    first = therapist_api.post("/api/v1/push/subscriptions", body)
    assert first.status_code == 201, first.get_json()
    assert therapist_api.post("/api/v1/push/subscriptions", browser_subscription(FCM + "laptop")).status_code == 200
    with app.app_context():
        [row] = list(StaffPushSubscription.select())
        assert (row.user_id, row.endpoint, row.id) == (therapist["id"], FCM + "laptop", first.get_json()["id"])
        assert PushSubscription.select().count() == 0
    assert therapist_api.delete("/api/v1/push/subscriptions", {"endpoint": FCM + "laptop"}).status_code == 204
    with app.app_context():
        assert StaffPushSubscription.select().count() == 0


@pytest.mark.parametrize("endpoint, reason", [
    ("https://10.0.0.1/push/x", "allow-list"),
    ("https://private.push.apple.com/x", "non-public address"),
    ("http://fcm.googleapis.com/fcm/send/x", "https"),
])
def test_staff_endpoints_pass_the_same_allow_list(app, therapist_api, endpoint, reason):
    response = therapist_api.post("/api/v1/push/subscriptions", browser_subscription(endpoint))
    assert response.status_code == 422
    assert reason in response.get_json()["errors"]["endpoint"][0]
    with app.app_context():
        assert StaffPushSubscription.select().count() == 0


def test_a_browser_moves_between_a_patient_and_staff(app, therapist, therapist_api, enrolled):
    patient, _patient_id, _ = enrolled
    body = browser_subscription(FCM + "shared")
    assert patient.post("/api/v1/push/subscriptions", body).status_code == 201
    assert therapist_api.post("/api/v1/push/subscriptions", body).status_code == 201
    with app.app_context():
        assert PushSubscription.select().count() == 0
        assert [s.user_id for s in StaffPushSubscription.select()] == [therapist["id"]]
    assert patient.post("/api/v1/push/subscriptions", body).status_code == 201
    with app.app_context():
        assert StaffPushSubscription.select().count() == 0 and PushSubscription.select().count() == 1
    # A therapist cannot remove a patient's device by naming its endpoint.
    assert therapist_api.delete("/api/v1/push/subscriptions", {"endpoint": body["endpoint"]}).status_code == 204
    with app.app_context():
        assert PushSubscription.select().count() == 1
