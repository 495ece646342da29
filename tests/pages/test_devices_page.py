"""The "Devices" block on the patient's page: the phones the patient is signed in on, each
with a "Sign out" button (CSRF form, post/redirect/get) that does what the API does."""
from __future__ import annotations

import re

import pytest

from hep.models import AuditEvent, DeviceSession, PushSubscription
from tests.api.test_devices import ANDROID_CHROME, IPHONE_SAFARI, join, phone
from tests.api.test_push_api import FCM, browser_subscription
from tests.api.test_push_api import public_dns as public_dns  # noqa: F401  (autouse: push names resolve)
from tests.support.pages import post_form, sign_in, text_of


@pytest.fixture
def patient_with_two_phones(api, therapist_api):
    created = therapist_api.post("/api/v1/patients", {"display_name": "Ana", "timezone": "Europe/Madrid"}).get_json()
    android = join(phone(api, ANDROID_CHROME), created["invite_url"])
    again = therapist_api.post(f"/api/v1/patients/{created['id']}/invites").get_json()
    iphone = join(phone(api, IPHONE_SAFARI), again["invite_url"])
    assert android.post("/api/v1/push/subscriptions", browser_subscription(FCM + "android")).status_code == 201
    return created["id"], android, iphone


def _rows(page: str) -> list[tuple[str, str]]:
    """(device label, reminders) per row of the Devices table."""
    block = page.split('id="devices"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<tr id="device-[^"]+">\s*<td>([^<]+)</td>\s*<td>[^<]+</td>\s*<td>[^<]+</td>\s*<td>([^<]+)</td>',
                      block)


def test_the_page_lists_the_devices_and_signs_one_out(app, therapist, patient_with_two_phones):
    patient_id, android, iphone = patient_with_two_phones
    browser = sign_in(app, therapist["email"])
    page_url = f"/t/patients/{patient_id}"
    page = text_of(browser.get(page_url))
    assert "Devices" in page
    assert sorted(_rows(page)) == [("Chrome on Android", "On"), ("Safari on iPhone", "Off")]
    with app.app_context():
        android_id = DeviceSession.get((DeviceSession.browser == "Chrome") & DeviceSession.revoked_at.is_null()).id
    action = f"/t/patients/{patient_id}/devices/{android_id}/sign-out"
    assert f'action="{action}"' in page and 'aria-label="Sign out Chrome on Android"' in page

    done = post_form(browser, action, {}, form_page=page_url)
    assert done.status_code == 302 and done.headers["Location"] == f"{page_url}#devices"
    after = text_of(browser.get(done.headers["Location"]))
    assert "The device was signed out. It gets no more reminders." in after
    assert _rows(after) == [("Safari on iPhone", "Off")]
    assert android.get("/api/v1/today").status_code == 401
    assert iphone.get("/api/v1/today").status_code == 200
    with app.app_context():
        assert DeviceSession.get_by_id(android_id).revoked_at is not None
        assert PushSubscription.select().count() == 0
        assert AuditEvent.select().where(AuditEvent.action == "device.sign_out").count() == 1

    # The button of a page left open: the device is already signed out, and the page says so.
    again = post_form(browser, action, {}, form_page=page_url)
    assert again.status_code == 302
    assert "That device is already signed out." in text_of(browser.get(again.headers["Location"]))


def test_sign_out_needs_the_csrf_token(app, therapist, patient_with_two_phones):
    patient_id, android, _iphone = patient_with_two_phones
    browser = sign_in(app, therapist["email"])
    with app.app_context():
        android_id = DeviceSession.get(DeviceSession.browser == "Chrome").id
    response = browser.post(f"/t/patients/{patient_id}/devices/{android_id}/sign-out", data={})
    assert response.status_code == 400
    assert android.get("/api/v1/today").status_code == 200


def test_the_page_and_the_api_leave_the_same_rows(app, therapist_api, therapist, patient_with_two_phones):
    patient_id, _android, _iphone = patient_with_two_phones
    listed = {d["label"]: d["id"] for d in therapist_api.get(f"/api/v1/patients/{patient_id}/devices").get_json()}
    assert therapist_api.delete(f"/api/v1/patients/{patient_id}/devices/{listed['Chrome on Android']}").status_code == 204
    browser = sign_in(app, therapist["email"])
    page_url = f"/t/patients/{patient_id}"
    assert post_form(browser, f"/t/patients/{patient_id}/devices/{listed['Safari on iPhone']}/sign-out", {},
                     form_page=page_url).status_code == 302
    assert "No device is signed in." in text_of(browser.get(page_url))
    with app.app_context():
        events = list(AuditEvent.select().where(AuditEvent.action == "device.sign_out").order_by(AuditEvent.id))
        assert [(e.actor_id, e.patient_id, sorted(e.detail)) for e in events] == [
            (therapist["id"], patient_id, ["browser", "device", "push_subscriptions", "system"])] * 2
