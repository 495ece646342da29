"""A patient's devices: each join is a device the therapist lists and can sign out alone;
its push subscriptions go with it; phones that joined before devices stay signed in."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask_login.utils import decode_cookie, encode_cookie

from hep.models import AuditEvent, DeviceSession, Patient, PushSubscription, User
from hep.people.accounts import create_or_update_therapist
from tests.api.test_push_api import FCM, browser_subscription
from tests.api.test_push_api import public_dns as public_dns  # noqa: F401  (autouse: push names resolve)

from conftest import PASSWORD

ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/131.0.0.0 Mobile Safari/537.36")
IPHONE_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
SIGNED_OUT = "This device was signed out. Open a new invitation link to sign in again."


def phone(api, user_agent):
    client = api()
    client.http.environ_base["HTTP_USER_AGENT"] = user_agent
    return client


def join(client, invite_url):
    response = client.post("/api/v1/auth/join", {"token": invite_url.rsplit("/", 1)[-1]})
    assert response.status_code == 200, response.get_json()
    return client


def remember_id(app, response):
    """The login id in the remember-me cookie this response sets ("" when it clears it)."""
    cookie = next((c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")), None)
    if cookie is None:
        return None
    value = cookie.split(";", 1)[0].split("=", 1)[1].strip('"')
    with app.app_context():
        return decode_cookie(value) if value else ""


@pytest.fixture
def two_phones(api, therapist_api):
    """A patient who joined on an Android phone, then (with a new link) on an iPhone, and
    turned reminders on on both: (therapist_api, patient_id, android, iphone)."""
    created = therapist_api.post("/api/v1/patients", {"display_name": "Jo", "timezone": "Europe/Madrid"}).get_json()
    android = join(phone(api, ANDROID_CHROME), created["invite_url"])
    again = therapist_api.post(f"/api/v1/patients/{created['id']}/invites").get_json()
    iphone = join(phone(api, IPHONE_SAFARI), again["invite_url"])
    for client, name in ((android, "android"), (iphone, "iphone")):
        assert client.post("/api/v1/push/subscriptions", browser_subscription(FCM + name)).status_code == 201
    return therapist_api, created["id"], android, iphone


def test_the_therapist_signs_one_phone_out_and_the_other_stays(app, api, two_phones):
    therapist_api, patient_id, android, iphone = two_phones
    listed = therapist_api.get(f"/api/v1/patients/{patient_id}/devices")
    assert listed.status_code == 200
    devices = {d["label"]: d for d in listed.get_json()}
    assert set(devices) == {"Chrome on Android", "Safari on iPhone"}
    assert all(d["notifications"] and not d["current"] for d in devices.values())
    gone = devices["Chrome on Android"]["id"]
    with app.app_context():
        rows = {d.id: d for d in DeviceSession.select().join(User).where(User.role == "patient")}
        assert set(rows) == {d["id"] for d in devices.values()} and all(len(i) >= 32 for i in rows)
        # The therapist's own sign-in is a device too (not listed here).
        assert DeviceSession.select().join(User).where(User.role == "therapist").count() == 1
        assert {s.endpoint: s.device_session_id for s in PushSubscription.select()} == {
            FCM + "android": gone, FCM + "iphone": devices["Safari on iPhone"]["id"]}

    assert therapist_api.delete(f"/api/v1/patients/{patient_id}/devices/{gone}").status_code == 204

    refused = android.get("/api/v1/today")
    assert refused.status_code == 401 and refused.headers["Content-Type"] == "application/problem+json"
    assert refused.get_json()["detail"] == SIGNED_OUT
    assert remember_id(app, refused) == ""  # the phone's remember-me cookie is cleared
    assert android.get("/api/v1/me").get_json()["user"] is None
    assert iphone.get("/api/v1/today").status_code == 200
    assert [d["label"] for d in therapist_api.get(f"/api/v1/patients/{patient_id}/devices").get_json()] == [
        "Safari on iPhone"]
    with app.app_context():
        assert [s.endpoint for s in PushSubscription.select()] == [FCM + "iphone"]
        assert DeviceSession.get_by_id(gone).revoked_at is not None
        event = AuditEvent.get(AuditEvent.action == "device.sign_out")
        assert event.patient_id == patient_id and event.actor.role == "therapist"
        assert event.detail == {"device": gone, "browser": "Chrome", "system": "Android", "push_subscriptions": 1}
    # Signed out is signed out: again is 404, and the phone cannot come back without a new link.
    assert therapist_api.delete(f"/api/v1/patients/{patient_id}/devices/{gone}").status_code == 404
    assert android.get("/api/v1/today").status_code == 401


def test_another_therapist_neither_sees_nor_signs_out_the_devices(app, api, two_phones):
    therapist_api, patient_id, _android, iphone = two_phones
    device = therapist_api.get(f"/api/v1/patients/{patient_id}/devices").get_json()[0]["id"]
    with app.app_context():
        create_or_update_therapist("other@clinic.test", PASSWORD, "Other", "Clinic B")
    other = api()
    assert other.post("/api/v1/auth/login", {"email": "other@clinic.test", "password": PASSWORD}).status_code == 200
    assert other.get(f"/api/v1/patients/{patient_id}/devices").status_code == 404
    assert other.delete(f"/api/v1/patients/{patient_id}/devices/{device}").status_code == 404
    # A device id of another patient is not found under this one either.
    own = other.post("/api/v1/patients", {"display_name": "Kim", "timezone": "UTC"}).get_json()
    assert other.delete(f"/api/v1/patients/{own['id']}/devices/{device}").status_code == 404
    assert iphone.get("/api/v1/today").status_code == 200 and len(
        therapist_api.get(f"/api/v1/patients/{patient_id}/devices").get_json()) == 2


def test_last_seen_moves_at_most_every_five_minutes(app, api, therapist_api):
    # Forward from now: a signed session cookie from the future would not be accepted.
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=10)
    created = therapist_api.post("/api/v1/patients", {"display_name": "Jo", "timezone": "UTC"}).get_json()
    with time_machine.travel(start, tick=False) as clock:
        android = join(phone(api, ANDROID_CHROME), created["invite_url"])
        [listed] = therapist_api.get(f"/api/v1/patients/{created['id']}/devices").get_json()
        assert datetime.fromisoformat(listed["last_seen_at"]) == datetime.fromisoformat(listed["created_at"]) == start

        def seen():
            with app.app_context():
                device = DeviceSession.get_by_id(listed["id"])
                return device.last_seen_at.replace(tzinfo=UTC), device.created_at.replace(tzinfo=UTC)

        clock.shift(timedelta(minutes=4))
        assert android.get("/api/v1/today").status_code == 200
        assert seen() == (start, start)  # no write for every request
        clock.shift(timedelta(minutes=2))
        assert android.get("/api/v1/today").status_code == 200
        assert seen() == (start + timedelta(minutes=6), start)
        clock.shift(timedelta(days=20))
        assert android.get("/api/v1/progress").status_code == 200
        assert seen() == (start + timedelta(days=20, minutes=6), start)


def _legacy_phone(app, api, user_id, user_agent=ANDROID_CHROME):
    """A phone that joined before devices were recorded: only its remember-me cookie with
    the two-part login id is left (the browser session ended)."""
    client = phone(api, user_agent)
    with app.test_request_context():
        client.http.set_cookie("remember_token", encode_cookie(f"{user_id}:1"))
    return client


def test_a_phone_that_joined_before_devices_stays_signed_in(app, api, enrolled, therapist_api):
    _patient, patient_id, _program = enrolled
    with app.app_context():
        patient = Patient.get_by_id(patient_id)
        user_id = patient.user_id
        # Its reminders were registered back then, with no device.
        PushSubscription.create(patient=patient, endpoint=FCM + "old-phone", p256dh="k", auth="a",
                                user_agent=ANDROID_CHROME)
        before = set(DeviceSession.select(DeviceSession.id).tuples())

    old = _legacy_phone(app, api, user_id)
    first = old.get("/api/v1/today")
    assert first.status_code == 200
    user, version, device_id = remember_id(app, first).split(":")
    assert (int(user), int(version)) == (user_id, 1) and device_id  # re-issued with the device
    with app.app_context():
        device = DeviceSession.get_by_id(device_id)
        assert (device.browser, device.system, device.revoked_at) == ("Chrome", "Android", None)
        assert {(d,) for d in [device_id]} | before == set(DeviceSession.select(DeviceSession.id).tuples())
        assert PushSubscription.get(PushSubscription.endpoint == FCM + "old-phone").device_session_id == device_id
    assert old.get("/api/v1/today").status_code == 200 and remember_id(app, old.get("/api/v1/today")) is None

    # Its other requests in flight (the old cookie still) land on the same device.
    assert _legacy_phone(app, api, user_id).get("/api/v1/progress").status_code == 200
    listed = therapist_api.get(f"/api/v1/patients/{patient_id}/devices").get_json()
    assert [d["id"] for d in listed].count(device_id) == 1 and len(listed) == 2

    assert therapist_api.delete(f"/api/v1/patients/{patient_id}/devices/{device_id}").status_code == 204
    assert old.get("/api/v1/today").status_code == 401
    # The old two-part cookie does not bring the signed-out phone back.
    replay = _legacy_phone(app, api, user_id).get("/api/v1/today")
    assert replay.status_code == 401 and replay.get_json()["detail"] == SIGNED_OUT
    with app.app_context():
        assert not PushSubscription.select().where(PushSubscription.endpoint == FCM + "old-phone").exists()
    assert _patient.get("/api/v1/today").status_code == 200  # the phone that joined since


def test_a_legacy_browser_session_is_upgraded_too(app, api, enrolled):
    _patient, patient_id, _program = enrolled
    with app.app_context():
        user_id = Patient.get_by_id(patient_id).user_id
    client = phone(api, IPHONE_SAFARI)
    with client.http.session_transaction() as session:
        session["_user_id"] = f"{user_id}:1"
    assert client.get("/api/v1/today").status_code == 200
    with client.http.session_transaction() as session:
        login_id = session["_user_id"]
    with app.app_context():
        device = DeviceSession.get_by_id(login_id.split(":")[2])
        assert (device.user_id, device.browser, device.system) == (user_id, "Safari", "iPhone")


def test_signing_out_on_the_phone_ends_its_device_and_reminders(app, two_phones):
    therapist_api, patient_id, android, _iphone = two_phones
    assert android.post("/api/v1/auth/logout").status_code == 200
    # Sign-out on a phone ends every session of the patient (as before devices) ...
    assert therapist_api.get(f"/api/v1/patients/{patient_id}/devices").get_json() == []
    with app.app_context():
        # ... and the phone that signed out gets no more reminders.
        assert [s.endpoint for s in PushSubscription.select()] == [FCM + "iphone"]
        assert User.get(User.role == "patient").session_version == 2


def test_joining_again_on_the_same_phone_replaces_its_device(app, api, therapist_api):
    created = therapist_api.post("/api/v1/patients", {"display_name": "Jo", "timezone": "UTC"}).get_json()
    android = join(phone(api, ANDROID_CHROME), created["invite_url"])
    assert android.post("/api/v1/push/subscriptions", browser_subscription(FCM + "android")).status_code == 201
    [first] = therapist_api.get(f"/api/v1/patients/{created['id']}/devices").get_json()
    again = therapist_api.post(f"/api/v1/patients/{created['id']}/invites").get_json()
    join(android, again["invite_url"])
    [second] = therapist_api.get(f"/api/v1/patients/{created['id']}/devices").get_json()
    assert second["id"] != first["id"] and second["notifications"]  # its reminders came along
    with app.app_context():
        assert DeviceSession.get_by_id(first["id"]).revoked_at is not None
        assert PushSubscription.get().device_session_id == second["id"]
    assert android.get("/api/v1/today").status_code == 200
