"""Sharing the join link in Chromium: copy it, e-mail it to a local SMTP server and join from
the e-mailed link in a second context, print the handout to PDF (one or two pages, with the
QR and the exercise names), preview as the patient, and a join link opened by the therapist."""
from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from hep.models import Invite
from tests.support.pdf import read_pdf

from .staff import sign_in

pytestmark = pytest.mark.browser

LINK = re.compile(r"https?://\S+/join/[A-Za-z0-9_-]+")
EXERCISES = ("Seated sciatic nerve slider", "Lying face down on your elbows")


@pytest.fixture
def app_config(smtp):
    return {"SMTP_URL": smtp.url}


def expect():
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def serious(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    return [(v["id"], v["impact"]) for v in Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")]


def signed_in(browser, live_server, therapist):
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    sign_in(page, therapist["email"], therapist["password"])
    return context, page


def test_copy_email_join_print_and_preview(app, browser, live_server, therapist, invited_patient, smtp, phone):
    context, page = signed_in(browser, live_server, therapist)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(f"/t/patients/{invited_patient['id']}")

    # A new link, copied with the button (shown by share.js).
    page.get_by_role("button", name="New join link", exact=True).click()
    link = page.locator("#join-url").input_value()
    page.get_by_role("button", name="Copy link").click()
    expect()(page.locator(".copy-status")).to_have_text("Copied. Paste it into a message to the patient.")
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert serious(page) == []

    # E-mailed, and joined from the e-mail on the phone.
    page.get_by_label("E-mail a new link to").fill("ana@example.test")
    page.get_by_role("button", name="Send by e-mail").click()
    expect()(page.get_by_text("Join link sent to ana@example.test. Earlier links no longer work.")).to_be_visible()
    [mail] = smtp.messages
    [mailed] = LINK.findall(mail.message.get_body(preferencelist=("plain",)).get_content())
    patient_page = phone.new_page()
    patient_page.goto(urlparse(mailed).path)
    patient_page.get_by_role("button", name="Open my exercises").click()
    expect()(patient_page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    expect()(patient_page.get_by_role("heading", name=EXERCISES[0])).to_be_visible()

    # The handout: a new link as a QR and as text, the exercises, on one or two pages.
    page.get_by_role("button", name="Print handout (makes a new join link)").click()
    expect()(page.get_by_role("heading", name="Your home exercise program", level=1)).to_be_visible()
    expect()(page.locator(".join svg.segno")).to_be_visible()
    printed = page.locator(".join .link a").inner_text()
    assert LINK.fullmatch(printed) and printed != mailed
    assert serious(page) == []
    page.emulate_media(media="print")
    expect()(page.locator(".toolbar")).to_be_hidden()
    text = page.locator("main").inner_text()
    assert all(name in text for name in EXERCISES) and printed in text
    for size in ("A4", "Letter"):
        pdf = page.pdf(format=size, print_background=True)
        assert f"/URI ({printed})".encode() in pdf  # the link, clickable in the PDF too
        pages = read_pdf(pdf)
        assert 1 <= len(pages) <= 2, (size, len(pages))
        assert [code for sheet in pages for code in sheet.qr_codes] == [printed], size
        paper = "\n".join(sheet.text for sheet in pages)
        assert all(name in paper for name in EXERCISES), size  # the link: its QR and URI above
    page.emulate_media(media="screen")
    with app.app_context():
        open_links = Invite.select().where((Invite.patient == invited_patient["id"]) & Invite.used_at.is_null()
                                           & Invite.revoked_at.is_null()).count()
    assert open_links == 1  # the handout's

    # Preview as patient: Today as the phone shows it; the therapist stays signed in.
    page.goto(f"/t/patients/{invited_patient['id']}")
    page.get_by_role("link", name="Preview as patient").click()
    expect()(page.get_by_text("Preview: what Ana Paciente sees on Today in the app.")).to_be_visible()
    expect()(page.get_by_role("heading", name=EXERCISES[0])).to_be_visible()
    expect()(page.get_by_text("2 sets · 3 reps · each side")).to_be_visible()
    assert page.locator("form, button").count() == 0
    assert serious(page) == []
    page.get_by_role("link", name="Back to the patient's page").click()
    expect()(page.get_by_role("heading", name="Ana Paciente", level=1, exact=True)).to_be_visible()
    context.close()


def test_a_join_link_opened_as_a_therapist_is_left_for_the_phone(app, browser, live_server, therapist,
                                                                  invited_patient, phone):
    context, page = signed_in(browser, live_server, therapist)
    page.goto(urlparse(invited_patient["join_url"]).path)
    expect()(page.get_by_text("You are signed in as a therapist; this link is for the patient's phone.")).to_be_visible()
    assert page.get_by_role("button", name="Open my exercises").count() == 0
    page.get_by_role("link", name="Back to my patients").click()
    expect()(page.get_by_role("heading", name="Patients", level=1)).to_be_visible()  # still signed in
    context.close()

    patient_page = phone.new_page()
    patient_page.goto(urlparse(invited_patient["join_url"]).path)
    patient_page.get_by_role("button", name="Open my exercises").click()
    expect()(patient_page.get_by_role("heading", name="Today", level=1)).to_be_visible()
