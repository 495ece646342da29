"""The account pages as a browser uses them: two-factor set-up and the sign-in code step,
an admin held at the set-up step by HEP_REQUIRE_2FA, "Forgot password?", and 429 pages
with Retry-After."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pyotp
import pytest
import time_machine

from hep import migrations
from hep.db import db
from hep.models import SecondFactor
from hep.people.accounts import create_or_update_therapist
from tests.support.pages import csrf_from, post_form, sign_in, text_of

from conftest import PASSWORD

START = datetime(2026, 11, 20, 9, 0, 5, tzinfo=UTC)
SECRET = re.compile(r'id="totp-secret">([A-Z2-7]+)<')
CODES = re.compile(r"<li><code>([a-z2-9-]+)</code></li>")


@pytest.fixture
def app_config(smtp):
    return {"SECOND_FACTOR_RATE_LIMIT": "1000 per minute", "SMTP_URL": smtp.url, "BASE_URL": "https://hep.example"}


def _password_step(app, email, password=PASSWORD, next_url=""):
    client = app.test_client()
    token = csrf_from(client, "/t/login")
    response = client.post("/t/login" + next_url, data={"csrf_token": token, "email": email, "password": password})
    return client, response


def _set_up(client):
    """Through the set-up pages: (totp, recovery codes)."""
    start = post_form(client, "/t/account/2fa/setup", {})
    assert start.status_code == 200 and start.headers["Cache-Control"] == "no-store"
    assert "<svg" in start.get_data(as_text=True)
    totp = pyotp.TOTP(SECRET.search(start.get_data(as_text=True)).group(1))
    done = post_form(client, "/t/account/2fa/confirm", {"code": totp.now()}, form_page="/t/account/2fa/setup")
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    return totp, CODES.findall(done.get_data(as_text=True))


def test_two_factor_through_the_pages(app, therapist):
    with time_machine.travel(START, tick=False) as clock:
        client = sign_in(app, therapist["email"])
        account = client.get("/t/account")
        assert account.status_code == 200 and "Off. Add a code" in text_of(account)
        assert "Start" in text_of(client.get("/t/account/2fa/setup"))
        with app.app_context():
            assert SecondFactor.select().count() == 0  # opening the page started nothing

        start = post_form(client, "/t/account/2fa/setup", {})
        totp = pyotp.TOTP(SECRET.search(start.get_data(as_text=True)).group(1))
        wrong = post_form(client, "/t/account/2fa/confirm", {"code": f"{(int(totp.now()) + 1) % 10**6:06d}"},
                          form_page="/t/account/2fa/setup")
        assert wrong.status_code == 422 and "That code is not right." in text_of(wrong)
        assert SECRET.search(wrong.get_data(as_text=True)).group(1) == totp.secret  # the same QR code again
        done = post_form(client, "/t/account/2fa/confirm", {"code": totp.now()}, form_page="/t/account/2fa/setup")
        codes = CODES.findall(done.get_data(as_text=True))
        assert len(set(codes)) == 10 and "They are shown only now." in text_of(done)
        assert "Recovery codes left: 10" in text_of(client.get("/t/account"))
        post_form(client, "/t/logout", {}, form_page="/t/patients")

        browser, password_ok = _password_step(app, therapist["email"], next_url="?next=/t/account")
        assert password_ok.status_code == 302 and "/t/login/code" in password_ok.headers["Location"]
        assert browser.get("/t/patients").status_code == 302  # not signed in yet
        code_page = browser.get(password_ok.headers["Location"])
        assert code_page.status_code == 200 and "Enter the 6-digit code" in text_of(code_page)
        refused = post_form(browser, password_ok.headers["Location"], {"code": totp.now()})  # used for the set-up
        assert refused.status_code == 422 and "That code is not right, or was already used." in text_of(refused)
        clock.shift(30)
        signed_in = post_form(browser, password_ok.headers["Location"], {"code": totp.now()})
        assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/t/account"
        assert browser.get("/t/patients").status_code == 200

        other, _step = _password_step(app, therapist["email"])
        by_recovery = post_form(other, "/t/login/code", {"code": codes[3]})
        assert by_recovery.status_code == 302 and by_recovery.headers["Location"].endswith("/t/patients")
        assert "Recovery codes left: 9" in text_of(other.get("/t/account"))

        off = post_form(other, "/t/account/2fa/disable", {"password": "wrong password"}, form_page="/t/account")
        assert off.status_code == 422 and "Enter a current code from your app, or your password." in text_of(off)
        off = post_form(other, "/t/account/2fa/disable", {"password": PASSWORD}, form_page="/t/account")
        assert off.status_code == 302 and "Two-factor sign-in is off." in text_of(other.get("/t/account"))
        sign_in(app, therapist["email"])  # the password alone again


def test_the_code_page_sends_back_to_sign_in_without_a_password_step(app):
    client = app.test_client()
    response = client.get("/t/login/code")
    assert response.status_code == 302 and response.headers["Location"].endswith("/t/login")
    assert "Your sign-in has expired" in text_of(client.get("/t/login"))


def test_an_admin_must_set_up_two_factor_first(make_app, smtp):
    app = make_app(REQUIRE_2FA=True, SECOND_FACTOR_RATE_LIMIT="1000 per minute")
    with app.app_context():
        migrations.upgrade(db.obj)
        create_or_update_therapist("boss@clinic.test", PASSWORD, "Boss", "Clinic A", admin=True)
    with time_machine.travel(START, tick=False):
        client, response = _password_step(app, "boss@clinic.test")
        assert response.status_code == 302 and response.headers["Location"].endswith("/t/account/2fa/setup")
        assert client.get("/t/account").status_code == 302  # nothing else yet
        page = client.get("/t/account/2fa/setup")
        assert "Administrators must turn on two-factor sign-in before they can continue." in text_of(page)
        _totp, codes = _set_up(client)
        assert len(codes) == 10
        account = client.get("/t/account")
        assert account.status_code == 200 and "Administrators must keep two-factor sign-in on" in text_of(account)
    if not db.is_closed():
        db.close()


def test_forgot_password_page(app, smtp, therapist):
    login = text_of(app.test_client().get("/t/login"))
    assert 'href="/t/forgot"' in login and "Forgot password?" in login
    client = app.test_client()
    bad = post_form(client, "/t/forgot", {"email": "not an address"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.get_data(as_text=True)
    pages = [text_of(post_form(app.test_client(), "/t/forgot", {"email": email}))
             for email in (therapist["email"], "nobody@clinic.test")]
    assert pages[0] == pages[1] and "an e-mail with a link to set a new password is on its way" in pages[0]
    [mail] = smtp.messages
    assert "https://hep.example/t/reset/" in mail.body


def test_pages_in_spanish(app, therapist):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    assert "¿Has olvidado la contraseña?" in text_of(client.get("/t/login"))
    assert "Contraseña olvidada" in text_of(client.get("/t/forgot"))


@pytest.mark.parametrize(("setting", "path", "data"), [
    ("LOGIN_RATE_LIMIT", "/t/login", {"email": "pt@clinic.test", "password": "wrong password"}),
    ("SECOND_FACTOR_RATE_LIMIT", "/t/login/code", {"code": "123456"}),
    ("SECOND_FACTOR_RATE_LIMIT", "/t/account/2fa/confirm", {"code": "123456"}),
    ("PASSWORD_RESET_RATE_LIMIT", "/t/forgot", {"email": "pt@clinic.test"}),
    ("PASSWORD_RESET_RATE_LIMIT", "/t/reset/" + "x" * 43, {"password": "long enough pw", "password_again": "long enough pw"}),
])
def test_limited_pages_answer_429_with_retry_after(make_app, setting, path, data):
    app = make_app(**{setting: "2 per minute"})
    with app.app_context():
        migrations.upgrade(db.obj)
    client = app.test_client()
    token = csrf_from(client, "/t/login")
    statuses = [client.post(path, data={"csrf_token": token, **data}).status_code for _ in range(2)]
    assert 429 not in statuses
    refused = client.post(path, data={"csrf_token": token, **data})
    assert refused.status_code == 429 and refused.mimetype == "text/html"
    seconds = refused.headers["Retry-After"]
    assert seconds.isdigit() and 1 <= int(seconds) <= 60
    assert f"Too many attempts. Try again in {seconds} seconds." in text_of(refused)
    assert client.get(path.replace("/login/code", "/login")).status_code != 429  # only posts are limited
    if not db.is_closed():
        db.close()
