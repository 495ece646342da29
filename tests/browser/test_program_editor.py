"""The therapist's program editor in Chromium: raising a dose above the weekly volume cap
shows the figures and saves only once the therapist confirms."""
from __future__ import annotations

import pytest

from hep.models import ProgramVersion

from .staff import sign_in

pytestmark = pytest.mark.browser


def expect():
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def test_a_volume_rise_above_the_cap_needs_a_confirmation(app, browser, live_server, therapist, invited_patient):
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    sign_in(page, therapist["email"], therapist["password"])

    page.goto(f"/t/patients/{invited_patient['id']}/program")
    page.locator("#items-0-sets").fill("4")  # the slider: 2 x 3 a day -> 4 x 3, +100 %
    page.get_by_role("button", name="Save as a new version").click()

    check = page.locator(".volume-check")
    expect()(check).to_be_visible()
    expect()(check).to_contain_text("cap of 20 %")
    expect()(check.get_by_role("row", name="Seated sciatic nerve slider")).to_contain_text("+100 %")
    with app.app_context():
        assert ProgramVersion.select().count() == 1  # nothing saved yet
    assert page.locator("#items-0-sets").input_value() == "4"  # nothing typed is lost

    page.get_by_role("button", name="Confirm the increase and save").click()
    expect()(page.get_by_role("heading", name="Ana Paciente", level=1)).to_be_visible()
    expect()(page.locator("#program")).to_contain_text("4 × 3")
    with app.app_context():
        latest = ProgramVersion.select().order_by(ProgramVersion.number.desc()).first()
        assert latest.number == 2 and latest.ordered_prescriptions()[0].sets == 4
    context.close()
