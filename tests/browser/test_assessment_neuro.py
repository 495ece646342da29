"""The therapist records the neurological exam in Chromium, then a reassessment with a new
weakness, and sees the urgent alert and the side-by-side comparison (level x side).
Screenshots at 1280 and 768 px wide are saved in the test's tmp dir (paths printed)."""
from __future__ import annotations

import pytest

from hep.models import Alert, Assessment

from .staff import sign_in

pytestmark = pytest.mark.browser

RED_FLAGS = ("saddle_numbness", "bladder_or_bowel_change", "sexual_dysfunction", "progressive_weakness",
             "bilateral_leg_symptoms", "unexplained_weight_loss", "history_of_cancer", "fever_or_unwell",
             "constant_night_pain", "recent_significant_trauma")
LEVELS = ("l2", "l3", "l4", "l5", "s1")


def expect():
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def fill_assessment(page, patient_id, grades, radios, selects=None, shots=None):
    page.goto(f"/t/patients/{patient_id}/assessments/new")
    for name, value in (selects or {}).items():
        page.locator(f"#f-{name}").select_option(value)
    for name in RED_FLAGS:  # asked again at every assessment
        page.locator(f'input[name="{name}"][value="no"]').check()
    for name, value in radios.items():
        select = page.locator(f'select[name="{name}"]')  # a test with a side: the left/right table
        if select.count():
            select.select_option(value)
        else:
            page.locator(f'input[name="{name}"][value="{value}"]').check()
    for name, value in grades.items():
        page.locator(f"#f-{name}").fill(str(value))
    if shots:
        page.locator("#section-neuro").scroll_into_view_if_needed()
        for width in (1280, 768):
            page.set_viewport_size({"width": width, "height": 900})
            path = shots / f"assessment-form-neuro-{width}.png"
            page.locator("#section-neuro").screenshot(path=str(path))
            print(f"screenshot: {path}")
        page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Save the assessment").click()
    expect()(page.get_by_role("heading", name="Assessments", level=1)).to_be_visible()


def shoot(page, folder, name):
    paths = []
    for width in (1280, 768):
        page.set_viewport_size({"width": width, "height": 900})
        path = folder / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")
        paths.append(path)
    return paths


def test_a_new_weakness_on_reassessment_raises_the_urgent_alert(app, browser, live_server, therapist,
                                                                invited_patient, screenshots):
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    sign_in(page, therapist["email"], therapist["password"])
    patient_id = invited_patient["id"]

    grades = {f"myotome_{lv}_{side}": 5 for lv in LEVELS for side in ("left", "right")} | {"myotome_l5_left": 4}
    exam = {"irritability": "moderate", "sensation_l5_left": "reduced", "sensation_l4_left": "normal",
            "reflex_achilles_left": "normal", "reflex_patellar_left": "normal", "babinski_left": "absent",
            "babinski_right": "absent", "working_classification": "radiculopathy"}
    fill_assessment(page, patient_id, grades | {"slr_angle_left": 45, "leg_pain_nprs": 7}, exam,
                    {"most_distal_symptom": "foot"})
    page.goto(f"/t/patients/{patient_id}")
    expect()(page.locator("body")).not_to_contain_text("Strength dropped")

    # The reassessment starts from the first; L4 dorsiflexion on the left is now 4/5.
    fill_assessment(page, patient_id, {"myotome_l4_left": 4, "slr_angle_left": 60, "leg_pain_nprs": 4}, {},
                    shots=screenshots)
    with app.app_context():
        assert [a.kind for a in Assessment.select().order_by(Assessment.id)] == ["initial", "reassessment"]
        alert = Alert.get(Alert.code == "assessment_strength_drop")
        assert (alert.level, alert.status) == ("urgent", "open")

    page.goto(f"/t/patients/{patient_id}")
    alerts = page.locator("#alerts")
    expect()(alerts).to_contain_text("Strength dropped by at least one Oxford grade")
    expect()(alerts).to_contain_text("L4 ankle dorsiflexion (Oxford 0-5), left 5 -> 4")
    expect()(page.locator("body")).to_contain_text("Every exercise is stopped")
    shoot(page, screenshots, "assessment-alert")

    page.goto(f"/t/patients/{patient_id}/assessments/compare")
    expect()(page.get_by_role("heading", name="Compare assessments", level=1)).to_be_visible()
    table = page.locator("#sides-neuro")
    l4 = table.get_by_role("row", name="L4 ankle dorsiflexion (Oxford 0-5)")
    expect()(l4.locator('td[data-side="left"]')).to_contain_text("5 → 4")
    expect()(l4.locator('td[data-side="left"]')).to_contain_text("Worse")
    expect()(l4.locator('td[data-side="right"]')).to_contain_text("5 → 5")
    l5 = table.get_by_role("row", name="L5 great-toe extension (Oxford 0-5)")
    expect()(l5.locator('td[data-side="left"]')).to_contain_text("Same")
    expect()(l5.locator("td").first).to_have_text("L5")
    slr = page.locator("#sides-neurodynamic").get_by_role("row", name="Straight leg raise: angle (degrees)")
    expect()(slr.locator('td[data-side="left"]')).to_contain_text("45 → 60")
    expect()(slr.locator('td[data-side="left"]')).to_contain_text("Better")
    for path in shoot(page, screenshots, "assessment-compare"):
        assert path.stat().st_size > 10_000
    context.close()
