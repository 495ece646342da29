"""A phone the therapist signed out, in Chromium: the app shows its signed-out screen, what
was logged offline stays on the phone, and is sent once the patient joins again there."""
from __future__ import annotations

import pytest

from .test_patient_pwa import READ_OUTBOX, expect, join, log_from_card, stored_completions, wait_saved_for_offline

pytestmark = pytest.mark.browser


def test_a_signed_out_phone_keeps_its_outbox_until_it_joins_again(app, phone, live_server, invited_patient,
                                                                  therapist_http):
    page = phone.new_page()
    join(page, invited_patient)
    wait_saved_for_offline(page)
    phone.set_offline(True)
    log_from_card(page, 0, pain_during=2)
    expect()(page.locator("#status")).to_contain_text("1 entry waiting to be sent")

    devices = f"/api/v1/patients/{invited_patient['id']}/devices"
    [device] = therapist_http.get(devices).json()
    assert device["label"].startswith("Chrome on ")  # headless Chromium says "HeadlessChrome/..."
    assert therapist_http.call("DELETE", f"{devices}/{device['id']}").status_code == 204

    phone.set_offline(False)
    page.reload()
    expect()(page.get_by_role("heading", name="Open your invitation link")).to_be_visible()
    assert len(page.evaluate(READ_OUTBOX)) == 1  # 401 keeps the entry
    assert stored_completions(app, invited_patient["id"]) == {}

    again = therapist_http.post(f"/api/v1/patients/{invited_patient['id']}/invites").json()
    join(page, {"join_url": again["invite_url"]})
    page.wait_for_function(f"() => ({READ_OUTBOX})().then((rows) => rows.length === 0)")
    assert [c["pain_during"] for c in stored_completions(app, invited_patient["id"]).values()] == [2]
    assert len(therapist_http.get(devices).json()) == 1
