"""axe-core over the therapist's account pages that the every-page test cannot reach by URL
alone (tests/browser/test_dashboard.py): the two-factor set-up, the recovery codes shown once,
the sign-in code step, and the password reset form opened from its e-mailed link. Each page is
reached the way a therapist reaches it, and each step checks what the database holds."""
from __future__ import annotations

import re

import pyotp
import pytest

from .staff import sign_in
from .test_dashboard import expect, serious

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a brand new long password"


@pytest.fixture
def app_config(smtp):
    return {"SMTP_URL": smtp.url, "BASE_URL": "http://hep.test"}  # the mailed link names the site; the test opens its path


def desk(browser, live_server):
    """A new desktop browser context (nobody signed in) and a page in it."""
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    return context, context.new_page()


def test_two_factor_and_reset_pages_are_accessible(app, browser, live_server, therapist, smtp):
    from axe_playwright_python.sync_playwright import Axe

    from hep.models import SecondFactor

    axe, found = Axe(), {}
    context, page = desk(browser, live_server)
    sign_in(page, therapist["email"], therapist["password"])

    # Two-factor set-up, then the recovery codes (shown once).
    page.goto("/t/account")
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    page.get_by_role("button", name="Start").click()
    secret = page.locator("#totp-secret").inner_text()
    found["two-factor set-up"] = serious(axe, page)
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    expect()(page.get_by_role("heading", name="Two-factor sign-in is on", level=1)).to_be_visible()
    codes = page.get_by_role("list", name="Recovery codes").locator("code").all_inner_texts()
    assert len(codes) >= 8
    found["recovery codes"] = serious(axe, page)
    with app.app_context():
        assert SecondFactor.select().where(SecondFactor.user == therapist["id"]).count() == 1
    context.close()

    # The second sign-in step, finished with a recovery code.
    context, page = desk(browser, live_server)
    page.goto("/t/login")
    page.get_by_label("Email").fill(therapist["email"])
    page.get_by_label("Password").fill(therapist["password"])
    page.get_by_role("button", name="Sign in").click()
    expect()(page.get_by_role("heading", name="Sign-in code", level=1)).to_be_visible()
    found["sign-in code"] = serious(axe, page)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect()(page.get_by_role("heading", name="Patients", level=1)).to_be_visible()
    context.close()

    # The reset form, opened from the e-mailed link.
    context, page = desk(browser, live_server)
    page.goto("/t/forgot")
    page.get_by_label("Email").fill(therapist["email"])
    page.get_by_role("button", name="Send the link").click()
    expect()(page.get_by_text("an e-mail with a link to set a new password is on its way")).to_be_visible()
    [mail] = smtp.messages
    [path] = re.findall(r"/t/reset/[A-Za-z0-9_-]{40,}", mail.message.get_body(preferencelist=("plain",)).get_content())
    page.goto(path)
    expect()(page.get_by_label("New password", exact=True)).to_be_visible()
    found["reset form"] = serious(axe, page)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the password").click()
    expect()(page.get_by_text("Your password is set. Sign in with it.")).to_be_visible()
    context.close()
    with app.app_context():
        from hep.models import User
        from hep.people.passwords import verify_password

        assert verify_password(User.get_by_id(therapist["id"]).password_hash, NEW_PASSWORD)

    assert not {name: found_there for name, found_there in found.items() if found_there}, found
