"""The therapist's patient list and the clinic admin's page in Chromium: search, flag filter
and sort through the GET form and the column headers, by keyboard; invite and reassign; no
serious accessibility finding on either."""
from __future__ import annotations

import re

import pytest

from hep.people.accounts import create_or_update_therapist

from .staff import sign_in
from conftest import PASSWORD

pytestmark = pytest.mark.browser


def expect():
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def test_search_filter_and_sort_by_keyboard(browser, live_server, therapist, therapist_http, invited_patient):
    from axe_playwright_python.sync_playwright import Axe

    for name in ("Ángela Ruiz", "Bruno Díaz"):
        assert therapist_http.post("/api/v1/patients", {"display_name": name, "timezone": "UTC"}).status_code == 201
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    sign_in(page, therapist["email"], therapist["password"])
    rows = page.locator("table.patients tbody th[scope=row]")
    expect()(rows).to_have_count(3)

    search = page.get_by_label("Name contains")
    search.fill("angela")
    search.press("Enter")  # the GET form, no script
    expect()(rows).to_have_text(["Ángela Ruiz"])
    expect()(page.get_by_role("status").filter(has_text="Patients shown")).to_contain_text("Patients shown: 1")

    search.fill("")
    page.get_by_label("Flag").select_option("not_joined")
    page.get_by_label("Order").select_option("name")
    page.get_by_role("button", name="Show", exact=True).press("Enter")
    expect()(rows).to_have_text(["Ana Paciente", "Ángela Ruiz", "Bruno Díaz"])
    expect()(page.get_by_role("columnheader", name="Patient")).to_have_attribute("aria-sort", "ascending")

    header = page.get_by_role("link", name="Last activity")
    header.focus()
    page.keyboard.press("Enter")
    expect()(page).to_have_url(re.compile(r"flag=not_joined&sort=last_activity"))
    expect()(page.get_by_role("columnheader", name="Last activity")).to_have_attribute("aria-sort", "descending")
    expect()(page.get_by_label("Flag")).to_have_value("not_joined")

    violations = Axe().run(page).response["violations"]
    bad = [(v["id"], v["impact"]) for v in violations if v["impact"] in ("serious", "critical")]
    assert bad == []
    context.close()


def test_the_clinic_page_invites_and_reassigns_and_is_accessible(app, browser, live_server, therapist, invited_patient):
    from axe_playwright_python.sync_playwright import Axe

    with app.app_context():
        create_or_update_therapist("boss@clinic.test", PASSWORD, "Boss", "Clinic A", admin=True)
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 768, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    sign_in(page, "boss@clinic.test", PASSWORD, landing="Clinic")

    page.get_by_label("Name", exact=True).fill("Nia New")
    page.get_by_label("Email", exact=True).fill("nia@clinic.test")
    page.get_by_role("button", name="Invite", exact=True).click()
    expect()(page.get_by_label("Set-password link")).to_have_value(re.compile(r"/t/reset/"))
    expect()(page.get_by_role("row", name=re.compile("Nia New"))).to_contain_text("Invited, no password yet")
    # A therapist without a password yet can still be given patients.
    page.get_by_label("New therapist for Ana Paciente").select_option(label="Nia New")
    page.get_by_role("row", name=re.compile("Ana Paciente")).get_by_role("button", name="Reassign").click()
    expect()(page.get_by_role("status").filter(has_text="is now with")).to_have_text("Ana Paciente is now with Nia New.")

    violations = Axe().run(page).response["violations"]
    bad = [(v["id"], v["impact"]) for v in violations if v["impact"] in ("serious", "critical")]
    assert bad == []
    context.close()
