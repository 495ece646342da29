"""The program side of the therapist workspace in Chromium: save a program as a template,
start from it, see what changed in the history, and no serious or critical axe violation on
the editor or the apply page."""
from __future__ import annotations

import pytest

from hep.models import ProgramTemplate

from .staff import sign_in

pytestmark = pytest.mark.browser


def expect():
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def serious(axe, page) -> list:
    return [(v["id"], v["impact"]) for v in axe.run(page).response["violations"]
            if v["impact"] in ("serious", "critical")]


def test_template_round_trip_diff_and_axe(app, browser, live_server, therapist, therapist_http, invited_patient):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    sign_in(page, therapist["email"], therapist["password"])

    editor = f"/t/patients/{invited_patient['id']}/program"
    page.goto(editor)
    page.get_by_label("Template name").fill("Calm start")
    page.get_by_role("button", name="Save as a template").click()
    expect()(page.get_by_text("Saved as the template “Calm start”, shared with your clinic.")).to_be_visible()
    with app.app_context():
        assert [t.name for t in ProgramTemplate.select()] == ["Calm start"]

    page.goto(editor)
    page.get_by_label("Start from a template").select_option(label="Calm start (Calm the nervous system, 2)")
    page.get_by_role("button", name="Load the template").click()
    page.locator("#items-0-pain_ceiling").fill("4")
    page.get_by_role("button", name="Save as a new version").click()
    expect()(page.get_by_role("heading", name="Ana Paciente", level=1, exact=True)).to_be_visible()
    expect()(page.get_by_text("Saved version 2 of the program.")).to_be_in_viewport()

    page.goto(editor)
    expect()(page.locator("#history")).to_contain_text("Pain ceiling (0–10): 3 → 4")
    axe = Axe()
    found = {}
    for dark in (False, True):
        page.emulate_media(color_scheme="dark" if dark else "light")
        found[f"editor{' dark' if dark else ''}"] = serious(axe, page)
    program = therapist_http.get(f"/api/v1/patients/{invited_patient['id']}/program").json()
    prescription = program["current"]["items"][0]["id"]
    page.goto(f"/t/patients/{invited_patient['id']}/recommendations/{prescription}/apply")
    expect()(page.get_by_role("heading", name="Apply the recommendation", level=1)).to_be_visible()
    expect()(page.get_by_text("The recommendation is to hold: nothing to apply yet.")).to_be_visible()  # no logs yet
    found["apply"] = serious(axe, page)
    assert not {k: v for k, v in found.items() if v}, found
    context.close()
