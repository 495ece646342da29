"""The program builder in Chromium: filter the library, add an exercise at its default dose,
reorder by keyboard (the move buttons, enhanced in place) and by dragging a title, save with
the "Saved" message in view, and the notes for the patient on the patient's Today."""
from __future__ import annotations

import pytest

from hep.models import Prescription, ProgramVersion
from tests.browser.test_patient_pwa import join

from .staff import sign_in

pytestmark = pytest.mark.browser


def expect():
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def titles(page) -> list[str]:
    return page.locator("fieldset.item legend .name").all_inner_texts()


def test_build_reorder_by_keyboard_and_drag_then_the_patient_sees_the_notes(app, browser, live_server, therapist,
                                                                            invited_patient, phone):
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 2400})
    context.set_default_timeout(15000)
    page = context.new_page()
    sign_in(page, therapist["email"], therapist["password"])

    page.goto(f"/t/patients/{invited_patient['id']}/program")
    page.get_by_label("Region").select_option(label="Hip")
    page.get_by_label("Equipment").select_option(label="Box")
    page.get_by_role("button", name="Show exercises").click()
    expect()(page.get_by_label("Region")).to_have_value("hip")
    page.get_by_role("checkbox", name="Hip hinge to a box").check()
    page.get_by_role("button", name="Add the ticked exercises").click()
    assert titles(page) == ["Seated sciatic nerve slider", "Lying face down on your elbows", "Hip hinge to a box"]
    expect()(page.locator("#items-2-sets")).not_to_have_value("")  # the library's default dose

    # Keyboard: the move buttons move the exercise in place and keep the focus on it.
    page.get_by_role("button", name="Move up Hip hinge to a box").focus()
    page.keyboard.press("Enter")
    assert titles(page) == ["Seated sciatic nerve slider", "Hip hinge to a box", "Lying face down on your elbows"]
    expect()(page.get_by_role("button", name="Move up Hip hinge to a box")).to_be_focused()
    expect()(page.locator("#reorder-status")).to_have_text("Hip hinge to a box: Moved to place 2 of 3.")
    # Drag: the last exercise's title dropped on the first one's (the window is tall enough to
    # show both: the sticky save bar would cover a target at the bottom of a short one).
    page.locator("fieldset.item > legend.drag-handle").nth(2).drag_to(page.locator("fieldset.item > legend.drag-handle").nth(0))
    assert titles(page) == ["Lying face down on your elbows", "Seated sciatic nerve slider", "Hip hinge to a box"]
    expect()(page.locator("fieldset.item .place").first).to_have_text("1")

    page.set_viewport_size({"width": 1280, "height": 900})  # an ordinary window for the message check
    page.get_by_label("Notes for the patient").fill("Walk ten minutes after the exercises.")
    page.get_by_role("button", name="Save as a new version").click()
    expect()(page.get_by_role("heading", name="Ana Paciente", level=1)).to_be_visible()
    expect()(page.get_by_text("Saved version 2 of the program.")).to_be_in_viewport()
    with app.app_context():
        latest = ProgramVersion.select().order_by(ProgramVersion.number.desc()).first()
        order = [p.exercise.slug for p in latest.ordered_prescriptions()]
        assert order == ["prone-on-elbows", "seated-sciatic-nerve-slider", "hip-hinge-to-box"]
        assert Prescription.select().where(Prescription.version == latest).count() == 3
    context.close()

    patient = phone.new_page()
    join(patient, invited_patient)
    expect()(patient.locator(".program-notes")).to_have_text("From your therapist: Walk ten minutes after the exercises.")
