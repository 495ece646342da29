"""The therapist's dashboard of the demo patient in Chromium at 1280 and 768 px: screenshots
saved by the run, no horizontal scroll, the charts drawn with their text; and axe-core over
every therapist page."""
from __future__ import annotations

import re

import pytest

from .staff import sign_in

pytestmark = pytest.mark.browser


def expect():
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


@pytest.fixture
def demo(app):
    """The demo's data; (therapist email, password, the demo patient's id)."""
    from hep.demo import prepare
    from hep.models import Patient

    with app.test_request_context():
        credentials = prepare("http://127.0.0.1:5000")
        patient_id = Patient.select(Patient.id).order_by(Patient.id).scalar()
    return credentials.email, credentials.password, patient_id


def signed_in(browser, live_server, email, password, width, landing="Patients"):
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Europe/Madrid",
                                  viewport={"width": width, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    sign_in(page, email, password, landing=landing)
    return context, page


@pytest.mark.parametrize("width", [1280, 768])
def test_demo_dashboard_screenshots_without_horizontal_scroll(browser, live_server, demo, width, screenshots):
    email, password, patient_id = demo
    context, page = signed_in(browser, live_server, email, password, width)
    page.goto(f"/t/patients/{patient_id}")
    expect()(page.get_by_role("img", name="Pain during and after sessions")).to_be_visible()
    expect()(page.get_by_role("img", name="Sessions done, day by day")).to_be_visible()
    shot = screenshots / f"dashboard-{width}.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"\nscreenshot: {shot}")
    assert shot.stat().st_size > 10_000
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    context.close()


#: Therapist pages that are not pages to check here: a script, a CSV download, and the second
#: step of signing in (it needs a password step first: tests/browser/test_account_pages.py
#: reaches it, the two-factor set-up's recovery codes and the reset form the way a therapist does).
NOT_PAGES = {"therapist.service_worker", "therapist.rtm_report", "therapist.login_code"}
#: The clinic's pages, for its admin (a therapist gets 403).
ADMIN_PAGES = {"therapist.admin"}
ADMIN_PASSWORD = "the clinic admin's long password"


def therapist_pages(app, patient_id: int, prescription_id: int) -> dict[str, str]:
    """Every GET page of the therapist blueprint, with the demo patient's ids filled in: a new
    page is checked without being listed here (an unknown URL argument fails instead)."""
    values = {"patient_id": patient_id, "prescription_id": prescription_id, "token": "not-a-real-token"}
    pages = {}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("therapist.") or "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        missing = set(rule.arguments) - set(values)
        assert not missing, f"{rule.rule}: give the axe test a value for {missing}"
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:[a-z]+:)?{name}>", str(values[name]), path)
        pages[rule.endpoint] = path
    return pages


def serious(axe, page) -> list:
    return [(v["id"], v["impact"], len(v["nodes"])) for v in axe.run(page).response["violations"]
            if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("half", [0, 1])
def test_axe_finds_no_serious_violation_on_any_therapist_page(app, browser, live_server, demo, half):
    from axe_playwright_python.sync_playwright import Axe

    from hep.models import Prescription, ProgramVersion

    email, password, patient_id = demo
    with app.app_context():
        prescription_id = (Prescription.select(Prescription.id).join(ProgramVersion)
                           .order_by(ProgramVersion.number.desc(), Prescription.position).scalar())
    pages = sorted(therapist_pages(app, patient_id, prescription_id).items())[half::2]
    signed_out = {"therapist.login", "therapist.forgot", "therapist.reset_password"}
    context, page = signed_in(browser, live_server, email, password, 1280)
    admin_context, admin_page = None, None
    if any(endpoint in ADMIN_PAGES for endpoint, _path in pages):  # the clinic's pages, as its admin
        from hep.models import User
        from hep.people.accounts import create_or_update_therapist

        with app.app_context():
            clinic = User.by_email(email).clinic.name
            create_or_update_therapist("admin@demo.hep.invalid", ADMIN_PASSWORD, "Ada Admin", clinic, admin=True)
        admin_context, admin_page = signed_in(browser, live_server, "admin@demo.hep.invalid", ADMIN_PASSWORD, 1280,
                                              landing="Clinic")
    anonymous = browser.new_context(base_url=live_server.url, locale="en-US")
    axe, found = Axe(), {}
    for endpoint, path in pages:
        tab = anonymous.new_page() if endpoint in signed_out else admin_page if endpoint in ADMIN_PAGES else page
        response = tab.goto(path)
        assert response.status < 400 or endpoint == "therapist.reset_password", (path, response.status)
        found[path] = serious(axe, tab)
        if endpoint == "therapist.patient":  # the dashboard in dark mode too (the charts' colours)
            tab.emulate_media(color_scheme="dark")
            found[path + " (dark)"] = serious(axe, tab)
            tab.emulate_media(color_scheme="light")
    print(f"\naxe: {len(found)} pages: {sorted(found)}")
    assert not {k: v for k, v in found.items() if v}, found
    anonymous.close()
    context.close()
    if admin_context is not None:
        admin_context.close()
