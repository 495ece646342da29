"""A therapist's whole journey in Chromium, as a clinic would try it: sign in, add an own
exercise with a picture, create a patient, build the program from a clinic template, e-mail the
join link to a local SMTP server and join from the e-mailed link on a phone, log sessions there,
apply the recommendation the logs lead to, read the version diff (and the phone's "What
changed"), exchange messages both ways, and print the handout to PDF with the QR code and the
exercise names in it. Each step asserts what the person sees and what the database holds."""
from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from hep.models import Exercise, Message, Patient, Program, ProgramVersion
from tests.support import media_files
from tests.support.pdf import read_pdf

from .staff import sign_in
from .test_patient_pwa import expect, log_from_card
from .waiting import wait_until

pytestmark = pytest.mark.browser

LINK = re.compile(r"https?://\S+/join/[A-Za-z0-9_-]+")
START, EASIER = "Side-lying leg lift", "Clamshell"  # the template's exercise and its easier neighbour


@pytest.fixture
def app_config(smtp):
    return {"SMTP_URL": smtp.url}


def serious(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    return [(v["id"], v["impact"]) for v in Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")]


def test_from_sign_in_to_printed_handout(app, browser, phone, live_server, therapist, therapist_http, smtp, tmp_path):
    exercises = {row["slug"]: row["id"] for row in therapist_http.get("/api/v1/exercises").json()}
    template = therapist_http.post("/api/v1/templates", {
        "name": "Hip strength start", "phase": "exposure", "notes": "Slow and steady; stop at 4 out of 10.",
        "items": [{"exercise_id": exercises["side-lying-hip-abduction"], "sets": 2, "reps": 10,
                   "frequency_per_day": 2, "pain_ceiling": 4}]})
    assert template.status_code == 201, template.text

    desk = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900})
    desk.set_default_timeout(15000)
    staff = desk.new_page()
    sign_in(staff, therapist["email"], therapist["password"])

    # An own exercise with a picture, shared with the clinic.
    picture = tmp_path / "band.png"
    picture.write_bytes(media_files.png(20, 10, (40, 120, 200)))
    staff.get_by_role("link", name="Own exercises").click()
    staff.get_by_label("Name").fill("Band walk")
    staff.get_by_label("leg").check()
    staff.get_by_label("Summary").fill("Small side steps with a band above the knees.")
    staff.get_by_label("Steps (one a line)").fill("Band above the knees.\nTen small steps left.\nTen back.")
    staff.get_by_role("button", name="Add the exercise").click()
    expect()(staff.get_by_text("Added “Band walk”")).to_be_visible()
    staff.get_by_label(re.compile("^Picture or video")).set_input_files(str(picture))
    staff.get_by_role("button", name="Upload").click()
    expect()(staff.get_by_text("Saved the file for “Band walk”.")).to_be_visible()
    wait_until(staff, "document.querySelector('img.own-media') && document.querySelector('img.own-media').naturalWidth === 20")
    with app.app_context():
        own = Exercise.get(Exercise.slug == "band-walk")
        assert own.clinic_id is not None and own.image.endswith(".png")

    # A new patient, whose page opens with the join link on top.
    staff.get_by_role("link", name="Patients").click()
    staff.get_by_label("Name", exact=True).fill("Jo Journey")
    staff.get_by_label(re.compile("^Time zone")).fill("Europe/Madrid")
    staff.get_by_label("Email (optional)").fill("jo@example.test")
    staff.get_by_role("button", name="Create and get a join link").click()
    expect()(staff.get_by_role("heading", name="Jo Journey", level=1)).to_be_visible()
    with app.app_context():
        patient_id = Patient.get(Patient.display_name == "Jo Journey").id

    # The program from the clinic's template.
    staff.goto(f"/t/patients/{patient_id}/program")
    staff.get_by_label("Start from a template").select_option(label="Hip strength start (Graded exposure, 1)")
    staff.get_by_role("button", name="Load the template").click()
    staff.get_by_role("button", name="Save as a new version").click()
    expect()(staff.get_by_text("Saved version 1 of the program.")).to_be_in_viewport()
    with app.app_context():
        [first] = ProgramVersion.select().join(Program).where(Program.patient == patient_id)
        assert [p.exercise.slug for p in first.prescriptions] == ["side-lying-hip-abduction"]

    # The join link by e-mail, and the phone joins from the e-mail.
    staff.get_by_label("E-mail a new link to").fill("jo@example.test")
    staff.get_by_role("button", name="Send by e-mail").click()
    expect()(staff.get_by_text("Join link sent to jo@example.test. Earlier links no longer work.")).to_be_visible()
    [mail] = smtp.messages
    [mailed] = LINK.findall(mail.message.get_body(preferencelist=("plain",)).get_content())
    app_page = phone.new_page()
    app_page.goto(urlparse(mailed).path)
    app_page.get_by_role("button", name="Open my exercises").click()
    expect()(app_page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    expect()(app_page.get_by_role("heading", name=START)).to_be_visible()
    expect()(app_page.get_by_text("Slow and steady; stop at 4 out of 10.")).to_be_visible()

    # Two sessions above the pain ceiling: the engine proposes to regress.
    for _ in range(2):
        log_from_card(app_page, 0, pain_during=6, pain_after=7)
    summary = therapist_http.get(f"/api/v1/patients/{patient_id}/summary").json()
    assert [r["status"] for r in summary["recommendations"]] == ["regress"]

    # Applied from the dashboard: a new version with the easier neighbour, and its diff.
    staff.goto(f"/t/patients/{patient_id}")
    recommendations = staff.locator("#recommendations")
    expect()(recommendations).to_contain_text(START)
    expect()(recommendations).to_contain_text("Pain during reached 6/10")
    recommendations.get_by_role("link", name=re.compile("^Apply: ")).click()
    expect()(staff.get_by_role("heading", name="Apply the recommendation", level=1)).to_be_visible()
    staff.get_by_role("button", name="Apply and save a new version").click()
    expect()(staff.get_by_role("heading", name="Jo Journey", level=1)).to_be_visible()
    staff.goto(f"/t/patients/{patient_id}/program")
    history = staff.locator("#history")
    expect()(history).to_contain_text(f"Removed: {START}")
    expect()(history).to_contain_text(f"Added: {EASIER}")
    program = therapist_http.get(f"/api/v1/patients/{patient_id}/program").json()
    assert program["current"]["number"] == 2 and program["current"]["created_by_role"] == "therapist"
    assert [i["exercise_id"] for i in program["current"]["items"]] == [exercises["clamshell"]]
    app_page.goto("/app/#/today")
    app_page.reload()
    notice = app_page.get_by_role("region", name="What changed")
    expect()(notice).to_contain_text(EASIER)
    expect()(app_page.get_by_role("heading", name=EASIER)).to_be_visible()

    # Messages both ways.
    staff.goto(f"/t/patients/{patient_id}")
    staff.get_by_label("Write to the patient").fill("I made it easier: clamshells for now.")
    staff.get_by_role("button", name="Send", exact=True).click()
    expect()(staff.get_by_text("Message sent.")).to_be_visible()
    app_page.goto("/app/#/today")
    app_page.reload()
    expect()(app_page.locator("#unread-badge")).to_have_text("1")
    app_page.locator("#tabs").get_by_role("link", name=re.compile("^Messages")).click()
    expect()(app_page.locator("ol.thread li").last).to_contain_text("I made it easier: clamshells for now.")
    app_page.get_by_label("Write to your therapist").fill("Thanks, that feels better.")
    app_page.get_by_role("button", name="Send", exact=True).click()
    expect()(app_page.locator("#toast")).to_contain_text("Message sent.")
    staff.goto("/t/patients")
    expect()(staff.locator("tr", has_text="Jo Journey").locator("td.unread-messages")).to_have_text("1 unread")
    staff.goto(f"/t/patients/{patient_id}")
    expect()(staff.locator("#messages li.message").last).to_contain_text("Thanks, that feels better.")
    with app.app_context():
        assert [(m.sender_role, m.body) for m in Message.select().where(Message.patient == patient_id)
                .order_by(Message.created_at)] == [("therapist", "I made it easier: clamshells for now."),
                                                   ("patient", "Thanks, that feels better.")]
    assert serious(staff) == []

    # The printed handout: a fresh QR and the current exercise, on one or two pages.
    staff.get_by_role("button", name="Print handout (makes a new join link)").click()
    expect()(staff.get_by_role("heading", name="Your home exercise program", level=1)).to_be_visible()
    expect()(staff.locator(".join svg.segno")).to_be_visible()
    printed = staff.locator(".join .link a").inner_text()
    assert LINK.fullmatch(printed) and printed != mailed
    staff.emulate_media(media="print")
    text = staff.locator("main").inner_text()
    assert EASIER in text and START not in text and printed in text
    pages = read_pdf(staff.pdf(format="A4", print_background=True))
    assert 1 <= len(pages) <= 2
    assert [code for page in pages for code in page.qr_codes] == [printed]  # the QR a phone reads off the paper
    paper = "\n".join(page.text for page in pages)
    assert EASIER in paper and START not in paper
    desk.close()
