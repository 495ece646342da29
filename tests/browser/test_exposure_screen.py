"""Graded exposure at home (#/exposure) in Chromium at a phone viewport: the ladder easiest
first, a session online and one offline then synced (stored exactly once), the screen loaded
only when opened, Spanish, and axe in light and dark mode."""
from __future__ import annotations

import re

import pytest

from .test_patient_pwa import READ_OUTBOX, expect, join, patient_api, wait_saved_for_offline

pytestmark = pytest.mark.browser

LAZY = "/static/js/lazy/"


@pytest.fixture
def with_hierarchy(invited_patient, therapist_http):
    for activity, harm in (("Lift a shopping bag", 60), ("Bend to tie my shoes", 30)):
        response = therapist_http.post(f"/api/v1/patients/{invited_patient['id']}/hierarchy",
                                       {"activity": activity, "harm_rating": harm})
        assert response.status_code == 201, response.text
    return invited_patient


def move(page, selector, steps):
    """Move a 0-100 range (steps of 5, starting at 50) with the keyboard."""
    control = page.locator(selector)
    control.focus()
    for _ in range(abs(steps)):
        control.press("ArrowRight" if steps > 0 else "ArrowLeft")


def practise(page, activity, prediction_steps, fear_before_steps, fear_after_steps, happened="No", safety="No"):
    step = page.locator("li.exposure-step", has=page.get_by_role("heading", name=activity))
    step.get_by_role("link").click()
    expect()(page.get_by_role("heading", name=activity, level=1)).to_be_visible()
    page.get_by_label("What are you afraid will happen?").fill("My back will give way")
    move(page, "#f-prediction", prediction_steps)
    move(page, "#f-fear_before", fear_before_steps)
    expect()(page.get_by_role("group", name="After the activity")).to_be_hidden()
    page.get_by_role("button", name="I am ready: start").click()
    page.get_by_role("group", name="Did what you feared happen?").get_by_label(happened, exact=True).check()
    move(page, "#f-fear_after", fear_after_steps)
    page.get_by_role("group", name="Did you use a safety behaviour?").get_by_label(safety, exact=True).check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect()(page.get_by_role("heading", name="Facing feared activities", level=1)).to_be_visible()


def test_a_session_online_and_one_offline_are_stored_exactly_once(phone, live_server, with_hierarchy):
    page = phone.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    live_server.meter.reset()
    join(page, with_hierarchy)
    page.wait_for_load_state("networkidle")
    assert not [p for p, _s, _n in live_server.meter.log if p.startswith(LAZY)]  # not in the first load

    page.get_by_role("link", name="Open your steps").click()
    expect()(page.get_by_role("heading", name="Facing feared activities", level=1)).to_be_visible()
    assert [p for p, _s, _n in live_server.meter.log if p.startswith(LAZY)] == [f"{LAZY}exposure.js"]
    steps = page.locator("li.exposure-step h2")
    expect()(steps).to_have_text(["Bend to tie my shoes", "Lift a shopping bag"])  # easiest first
    expect()(page.locator("li.exposure-step").first).to_contain_text("Your next step")
    expect()(page.get_by_text("0 of 2 steps done")).to_be_visible()

    # Online: expected 70 %, it did not happen.
    practise(page, "Bend to tie my shoes", prediction_steps=4, fear_before_steps=-2, fear_after_steps=-6)
    expect()(page.locator("#toast")).to_contain_text("Saved.")
    first = page.locator("li.exposure-step").first
    expect()(first).to_contain_text("In progress")
    expect()(first).to_contain_text("Last time: You thought it 70 % likely. It did not happen.")

    # Offline: expected 20 %, it did not happen; it waits on the phone.
    wait_saved_for_offline(page)
    phone.set_offline(True)
    practise(page, "Bend to tie my shoes", prediction_steps=-6, fear_before_steps=-4, fear_after_steps=-8)
    expect()(page.locator("#toast")).to_contain_text("Saved on this phone")
    expect()(page.locator("#status")).to_contain_text("1 entry waiting to be sent")
    expect()(page.locator("li.exposure-step").first).to_contain_text("1 waiting to be sent")
    expect()(page.locator("li.exposure-step").first).to_contain_text("You thought it 20 % likely.")
    queued = page.evaluate(READ_OUTBOX)
    assert [item["kind"] for item in queued] == ["exposure"]

    # Back online: sent once; a replay of the same entry stores nothing new.
    phone.set_offline(False)
    expect()(page.locator("#status")).not_to_contain_text("waiting", timeout=20000)
    assert page.evaluate(READ_OUTBOX) == []
    patient = patient_api(live_server, phone)
    shoes = next(i for i in patient.get("/api/v1/hierarchy").json() if i["activity"] == "Bend to tie my shoes")
    assert [(s["prediction"], s["fear_before"], s["outcome_happened"], s["fear_after"], s["safety_behaviour"],
             s["feared_outcome"]) for s in shoes["sessions"]] == [
        (70, 40, False, 20, False, "My back will give way"), (20, 30, False, 10, False, "My back will give way")]
    replay = patient.post(queued[0]["url"], queued[0]["body"])
    assert replay.status_code == 200, replay.text
    shoes = next(i for i in patient.get("/api/v1/hierarchy").json() if i["activity"] == "Bend to tie my shoes")
    assert len(shoes["sessions"]) == 2 and shoes["status"] == "mastered"

    page.reload()
    expect()(page.get_by_text("1 of 2 steps done")).to_be_visible()
    expect()(page.locator("li.exposure-step").nth(1)).to_contain_text("Your next step")
    assert errors == []


def test_spanish_and_accessible_in_light_and_dark(phone, live_server, with_hierarchy):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = phone.new_page()
    join(page, with_hierarchy)
    page.goto("/app/#/exposure")
    expect()(page.get_by_role("heading", name="Facing feared activities", level=1)).to_be_visible()
    item = page.locator("li.exposure-step").first.get_by_role("link").get_attribute("href")
    found = {}
    for hash_ in ("#/exposure", item, f"{item} after"):
        page.goto(f"/app/{hash_.split()[0]}")
        expect()(page.get_by_role("heading", level=1)).to_be_visible()
        if hash_.endswith("after"):
            page.get_by_label("What are you afraid will happen?").fill("It hurts")
            page.get_by_role("button", name="I am ready: start").click()
        page.wait_for_load_state("networkidle")
        for dark in (False, True):
            page.emulate_media(color_scheme="dark" if dark else "light")
            found[f"{hash_}{' dark' if dark else ''}"] = axe.run(page).response["violations"]
    bad = {where: [(v["id"], v["impact"], len(v["nodes"])) for v in violations if v["impact"] in ("serious", "critical")]
           for where, violations in found.items()}
    assert not {k: v for k, v in bad.items() if v}, bad

    page.evaluate("localStorage.setItem('hep_locale', 'es')")
    page.goto("/app/#/exposure")
    page.reload()
    expect()(page.get_by_role("heading", name="Afrontar actividades temidas", level=1)).to_be_visible()
    expect()(page.get_by_text("0 de 2 pasos hechos")).to_be_visible()
    page.locator("li.exposure-step").first.get_by_role("link").click()
    expect()(page.get_by_label("¿Qué temes que pase?")).to_be_visible()
    expect()(page.get_by_label(re.compile("probabilidad hay de que pase"))).to_be_visible()
