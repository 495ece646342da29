"""The Content-Security-Policy and Permissions-Policy in a real browser: walking the patient
app and the therapist pages in Chromium raises no policy violation and no policy error."""
from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from .staff import sign_in
from .test_patient_pwa import expect, join, log_from_card
from .waiting import wait_until

pytestmark = pytest.mark.browser

# Runs before any page script (injected by the browser, so the policy does not apply to it).
LISTEN = """document.addEventListener('securitypolicyviolation', (e) => window.reportViolation({
  page: location.href, directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample,
  source: `${e.sourceFile}:${e.lineNumber}`,
}));"""
POLICY_MESSAGE = re.compile(r"Content Security Policy|Content-Security-Policy|Permissions[- ]Policy|Refused to", re.I)


class PolicyWatch:
    """Collects violation events and policy messages from every page of a browser context."""

    def __init__(self, context):
        self.violations: list[dict] = []
        self.messages: list[str] = []
        context.expose_binding("reportViolation", lambda _source, found: self.violations.append(found))
        context.add_init_script(LISTEN)
        context.on("page", self.watch)

    def watch(self, page):
        page.on("console", lambda m: POLICY_MESSAGE.search(m.text) and self.messages.append(f"{page.url}: {m.text}"))

    def clear(self):
        self.violations.clear()
        self.messages.clear()


def settle(page):
    page.wait_for_load_state("networkidle")


def test_the_patient_app_breaks_no_policy(phone, live_server, invited_patient):
    watch = PolicyWatch(phone)
    page = phone.new_page()
    join(page, invited_patient)
    pid = page.locator("li.card.exercise").first.get_by_role("link", name="Start").get_attribute("href").rsplit("/", 1)[-1]
    log_from_card(page, 0)  # Today's meter is then filled
    page.goto(f"/app/#/exercise/{pid}")
    expect()(page.get_by_role("heading", level=1)).to_be_visible()
    page.locator(".player button").first.click()  # the timer runs: its bar is resized through the CSSOM
    page.wait_for_timeout(1500)
    for hash_ in ("#/today", f"#/log/{pid}", "#/checkin", "#/progress", "#/learn", "#/settings", "#/urgent",
                  "#/questionnaire/nprs", "#/questionnaire/psfs"):
        page.goto(f"/app/{hash_}")
        expect()(page.get_by_role("heading", level=1)).to_be_visible()
        settle(page)
    for dark in (False, True):
        page.emulate_media(color_scheme="dark" if dark else "light")
        page.goto("/app/#/progress")
        expect()(page.locator(".chart svg")).to_be_attached()
    allowed = page.evaluate("""['screen-wake-lock', 'autoplay', 'fullscreen', 'camera', 'geolocation', 'payment']
        .filter((f) => document.featurePolicy.allowsFeature(f))""")
    assert allowed == ["screen-wake-lock", "autoplay", "fullscreen"]  # what the timer needs, nothing more
    page.goto(urlparse(invited_patient["join_url"]).path)  # the join page, now used up
    settle(page)
    assert watch.violations == [] and watch.messages == []

    # The watch is not blind: markup with a style attribute is refused and reported.
    page.goto("/app/#/today")
    expect()(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p id=\"probe\" style=\"color: red\">x</p>')")
    wait_until(page, "getComputedStyle(document.getElementById('probe')).color !== 'rgb(255, 0, 0)'")
    page.wait_for_timeout(300)
    assert [v["directive"] for v in watch.violations] == ["style-src-attr"]


def test_the_therapist_pages_break_no_policy(browser, live_server, therapist, invited_patient):
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    watch = PolicyWatch(context)
    page = context.new_page()
    sign_in(page, therapist["email"], therapist["password"])
    page.locator("#f-display_name").fill("Bo Nuevo")
    page.locator("#f-timezone").fill("Europe/Madrid")
    page.get_by_role("button", name="Create and get a join link").click()
    expect()(page.locator(".qr svg")).to_be_visible()  # segno's QR code, inline SVG
    pid = invited_patient["id"]
    for path in ("/t/patients", f"/t/patients/{pid}", f"/t/patients/{pid}/program", f"/t/patients/{pid}/assessments",
                 f"/t/patients/{pid}/assessments/new", f"/t/patients/{pid}/hierarchy", f"/t/patients/{pid}/settings",
                 f"/t/patients/{pid}/outcomes", f"/t/patients/{pid}/time-log", "/t/no-such-page"):
        page.goto(path)
        expect()(page.locator("h1")).to_be_visible()
        settle(page)
    assert watch.violations == [] and watch.messages == []
    context.close()
