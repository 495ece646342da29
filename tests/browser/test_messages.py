"""Messages in Chromium: the patient writes from the app at a phone viewport (one message
online, one offline then synced, each stored once), the therapist replies on the patient page,
the patient sees the reply and the tab's unread badge clears; the screen is loaded only when
opened, and it and the therapist's page pass axe."""
from __future__ import annotations

import re

import pytest

from hep.models import Message

from .staff import sign_in
from .test_patient_pwa import READ_OUTBOX, expect, join, wait_saved_for_offline

pytestmark = pytest.mark.browser

LAZY = "/static/js/lazy/"


def send(page, text):
    page.get_by_label("Write to your therapist").fill(text)
    page.get_by_role("button", name="Send", exact=True).click()


def test_messages_both_ways_online_and_offline(app, browser, phone, live_server, therapist, invited_patient):
    page = phone.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    live_server.meter.reset()
    join(page, invited_patient)
    page.wait_for_load_state("networkidle")
    assert not [p for p, _s, _n in live_server.meter.log if p.startswith(LAZY + "messages")]  # not in the first load

    tab = page.locator("#tabs").get_by_role("link", name=re.compile("^Messages"))
    tab.click()
    expect()(page.get_by_role("heading", name="Messages", level=1)).to_be_visible()
    assert f"{LAZY}messages.js" in [p for p, _s, _n in live_server.meter.log]
    expect()(page.get_by_text("No messages yet.")).to_be_visible()

    # Online: stored at once.
    send(page, "Is tingling in my calf normal?")
    expect()(page.locator("#toast")).to_contain_text("Message sent.")
    expect()(page.locator("ol.thread li")).to_have_count(1)
    expect()(page.locator("ol.thread li").first).to_contain_text("You")

    # Offline: kept on the phone, then sent once when back online.
    wait_saved_for_offline(page)
    phone.set_offline(True)
    send(page, "Also: may I walk the dog?")
    expect()(page.locator("#toast")).to_contain_text("Saved on this phone")
    expect()(page.locator("ol.thread li").last).to_contain_text("Waiting to be sent")
    assert [item["kind"] for item in page.evaluate(READ_OUTBOX)] == ["message"]
    phone.set_offline(False)
    expect()(page.locator("#status")).not_to_contain_text("waiting", timeout=20000)
    assert page.evaluate(READ_OUTBOX) == []
    expect()(page.locator("ol.thread li").last).not_to_contain_text("Waiting to be sent")
    with app.app_context():
        rows = list(Message.select().where(Message.patient == invited_patient["id"]).order_by(Message.created_at))
        assert [(m.sender_role, m.body) for m in rows] == [("patient", "Is tingling in my calf normal?"),
                                                           ("patient", "Also: may I walk the dog?")]

    # The therapist sees the count on the list, reads the thread on the patient page and replies.
    desk = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900})
    desk.set_default_timeout(15000)
    staff = desk.new_page()
    sign_in(staff, therapist["email"], therapist["password"])
    expect()(staff.locator("td.unread-messages")).to_have_text("2 unread")
    staff.locator("td.unread-messages a").click()
    thread = staff.locator("#messages")
    expect()(thread.locator("li.message")).to_have_count(2)
    staff.get_by_label("Write to the patient").fill("A little tingling is fine. Yes to the dog walk.")
    staff.get_by_role("button", name="Send", exact=True).click()
    expect()(staff.get_by_text("Message sent.")).to_be_visible()
    expect()(thread.locator("li.message").last).to_contain_text("Not read yet")
    from axe_playwright_python.sync_playwright import Axe

    assert [(v["id"], v["impact"]) for v in Axe().run(staff).response["violations"]
            if v["impact"] in ("serious", "critical")] == []
    desk.close()

    # The patient: the badge shows one unread; opening the thread reads it and clears the badge.
    page.goto("/app/#/today")
    expect()(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    badge = page.locator("#unread-badge")
    expect()(badge).to_have_text("1")
    expect()(tab).to_have_accessible_name(re.compile(r"Messages\s+1 unread message"))
    tab.click()
    expect()(page.locator("ol.thread li").last).to_contain_text("A little tingling is fine. Yes to the dog walk.")
    expect()(page.locator("ol.thread li").last).to_contain_text("Pat Therapist")
    expect()(badge).to_be_hidden()
    with app.app_context():
        rows = list(Message.select().where(Message.patient == invited_patient["id"]).order_by(Message.created_at))
        assert [m.sender_role for m in rows] == ["patient", "patient", "therapist"]
        assert all(m.read_at is not None for m in rows)
        assert Message.select().count() == 3
    assert errors == []


def test_messages_screen_in_spanish_passes_axe(phone, live_server, invited_patient, therapist_http):
    from axe_playwright_python.sync_playwright import Axe

    therapist_http.post(f"/api/v1/patients/{invited_patient['id']}/messages", {"body": "Hola, ¿qué tal?"})
    page = phone.new_page()
    join(page, invited_patient)
    page.evaluate("localStorage.setItem('hep_locale', 'es')")
    page.goto("/app/#/messages")
    page.reload()
    expect()(page.get_by_role("heading", name="Mensajes", level=1)).to_be_visible()
    expect()(page.get_by_label("Escribe a tu fisioterapeuta")).to_be_visible()
    expect()(page.locator("ol.thread li")).to_contain_text("Hola, ¿qué tal?")
    expect()(page.locator("#tabs").get_by_role("link", name="Mensajes")).to_be_visible()
    found = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        found[scheme] = [(v["id"], v["impact"]) for v in Axe().run(page).response["violations"]
                         if v["impact"] in ("serious", "critical")]
    assert found == {"light": [], "dark": []}
