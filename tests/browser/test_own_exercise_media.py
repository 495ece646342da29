"""A clinic's own exercise with a picture, end to end in Chromium: the therapist adds it and
uploads the picture on the "Own exercises" page and assigns it in the program editor; the
patient sees the picture in the player, saves it for offline, and it still loads offline."""
from __future__ import annotations

import re

import pytest

from hep.models import Exercise
from tests.support import media_files

from .staff import sign_in
from .test_patient_pwa import expect, join
from .waiting import wait_until

pytestmark = pytest.mark.browser

LOADED = "(img) => img.complete && img.naturalWidth"


def test_an_uploaded_picture_reaches_the_patient_and_works_offline(app, browser, phone, live_server, therapist,
                                                                   invited_patient, tmp_path):
    picture = tmp_path / "towel.png"
    picture.write_bytes(media_files.png(16, 12, (200, 60, 40)))
    staff = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900})
    staff.set_default_timeout(15000)
    page = staff.new_page()
    sign_in(page, therapist["email"], therapist["password"])
    page.get_by_role("link", name="Own exercises").click()
    page.get_by_label("Name").fill("Towel hamstring slide")
    page.get_by_label("leg").check()
    page.get_by_label("Summary").fill("Slide the towel under your heel, gently.")
    page.get_by_label("Steps (one a line)").fill("Sit tall.\nSlide the heel forward.\nSlide it back.")
    page.get_by_role("button", name="Add the exercise").click()
    expect()(page.get_by_text("Added “Towel hamstring slide”")).to_be_visible()
    page.get_by_label(re.compile("^Picture or video")).set_input_files(str(picture))
    page.get_by_role("button", name="Upload").click()
    expect()(page.get_by_text("Saved the file for “Towel hamstring slide”.")).to_be_visible()
    shown = page.get_by_role("img", name="Picture of Towel hamstring slide")
    wait_until(page, "document.querySelector('img.own-media') && document.querySelector('img.own-media').naturalWidth === 16")
    assert shown.evaluate(LOADED) == 16
    with app.app_context():
        stored = Exercise.get(Exercise.slug == "towel-hamstring-slide").image
    assert stored and stored.endswith(".png")

    page.goto(f"/t/patients/{invited_patient['id']}/program")
    page.locator("#library_q").fill("Towel")
    page.get_by_role("button", name="Show exercises").click()
    page.get_by_label("Towel hamstring slide").check()
    page.get_by_role("button", name="Add the ticked exercises").click()
    page.get_by_role("button", name="Save as a new version").click()
    confirm = page.get_by_role("button", name="Confirm the increase and save")
    if confirm.count():
        confirm.click()
    expect()(page.locator("#program")).to_contain_text("Towel hamstring slide")
    staff.close()

    patient = phone.new_page()
    join(patient, invited_patient)
    card = patient.locator("li.card.exercise").filter(has_text="Towel hamstring slide")
    expect()(card.locator("img.thumb")).to_have_count(1)  # Today shows the picture too
    href = card.get_by_role("link", name="Start").get_attribute("href")
    patient.goto(f"/app/{href}")
    image = patient.get_by_role("img", name="Picture of the exercise: Towel hamstring slide")
    expect()(image).to_be_visible()
    wait_until(patient, "document.querySelector('img.photo') && document.querySelector('img.photo').naturalWidth === 16")
    cached = "caches.open('hep-media').then(c => c.keys()).then(k => k.map(r => new URL(r.url).pathname))"
    assert f"/api/v1/media/{stored}" not in patient.evaluate(cached)  # the upload is not kept unasked

    patient.get_by_role("button", name="Save for offline").click()
    expect()(patient.get_by_role("status").filter(has_text="Saved: this exercise works without a connection.")).to_be_visible()
    assert f"/api/v1/media/{stored}" in patient.evaluate(cached)

    phone.set_offline(True)
    patient.goto("/app/#/today")
    patient.goto(f"/app/{href}")
    image = patient.get_by_role("img", name="Picture of the exercise: Towel hamstring slide")
    expect()(image).to_be_visible()
    wait_until(patient, "document.querySelector('img.photo') && document.querySelector('img.photo').naturalWidth === 16")
    phone.set_offline(False)
