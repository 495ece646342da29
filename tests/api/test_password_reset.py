"""Password reset by e-mail, through a real local SMTP server: the link from the received
mail, the page it opens (which uses nothing), the form it posts, and what the database keeps."""
from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from hep import migrations
from hep.db import db
from hep.models import AuditEvent, PasswordReset, User
from tests.support.pages import csrf_from, text_of

from conftest import PASSWORD, ApiClient

BASE = "https://hep.example"
LINK = re.compile(re.escape(BASE) + r"/t/reset/([A-Za-z0-9_-]{40,})")
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def app_config(smtp):
    return {"SMTP_URL": smtp.url, "BASE_URL": BASE, "PASSWORD_RESET_RATE_LIMIT": "1000 per minute"}


def _ask(client, email):
    response = client.post("/api/v1/auth/password-reset", {"email": email})
    assert response.status_code == 202 and response.headers["Content-Type"] == "application/json"
    return response.get_json()


def _token(message) -> str:
    return LINK.search(message.body).group(1)


def _login(client, email, password):
    return client.post("/api/v1/auth/login", {"email": email, "password": password})


def test_reset_through_the_mailed_link(app, api, smtp, therapist):
    before = [api(), api()]
    for client in before:
        assert _login(client, therapist["email"], PASSWORD).status_code == 200
    answer = _ask(api(), "PT@Clinic.test")
    assert answer == {"detail": "If that address belongs to an account, an e-mail with a link to set a new "
                                "password is on its way."}
    [mail] = smtp.messages
    assert mail.rcpt_tos == ("pt@clinic.test",) and mail["Subject"] == "Set a new hep password"
    token = _token(mail)
    assert "within an hour" in mail.body and "ignore this e-mail" in mail.body
    with app.app_context():
        row = PasswordReset.get()
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and row.used_at is None
        assert row.expires_at - row.created_at == timedelta(hours=1)

    # Opening the link (as a mail scanner would) uses nothing.
    browser = app.test_client()
    page = browser.get(f"/t/reset/{token}")
    assert page.status_code == 200 and "Set a new password" in text_of(page)
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    with app.app_context():
        assert PasswordReset.get().used_at is None
    form = {"csrf_token": csrf_from(browser, f"/t/reset/{token}"), "password": NEW_PASSWORD}
    mismatch = browser.post(f"/t/reset/{token}", data={**form, "password_again": NEW_PASSWORD + "!"})
    assert mismatch.status_code == 422 and "The two passwords are not the same." in text_of(mismatch)
    short = browser.post(f"/t/reset/{token}", data={**form, "password": "short", "password_again": "short"})
    assert short.status_code == 422 and "Use at least 10 characters." in text_of(short)
    done = browser.post(f"/t/reset/{token}", data={**form, "password_again": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith("/t/login")
    assert "Your password is set. Sign in with it." in text_of(browser.get("/t/login"))

    for client in before:  # every earlier session ended
        assert client.get("/api/v1/patients").status_code == 401
    assert _login(api(), therapist["email"], PASSWORD).status_code == 401
    assert _login(api(), therapist["email"], NEW_PASSWORD).get_json()["user"]["id"] == therapist["id"]
    reused = browser.post(f"/t/reset/{token}", data={**form, "password_again": NEW_PASSWORD})
    assert reused.status_code == 410 and "expired or was already used" in text_of(reused)
    api_reuse = api().post("/api/v1/auth/password-reset/confirm", {"token": token, "password": "yet another password"})
    assert api_reuse.status_code == 410 and api_reuse.headers["Content-Type"] == "application/problem+json"
    with app.app_context():
        assert PasswordReset.get().used_at is not None
        actions = [(e.action, e.detail) for e in AuditEvent.select().order_by(AuditEvent.id)]
        assert token not in str(list(PasswordReset.select().dicts()))
    assert ("password_reset.request", {"user": therapist["id"]}) in actions
    assert ("password_reset.complete", {"user": therapist["id"]}) in actions


def test_reset_through_the_api_and_earlier_links_are_revoked(app, api, smtp, therapist):
    client = api()
    _ask(client, therapist["email"])
    _ask(client, therapist["email"])
    first, second = (_token(m) for m in smtp.messages)
    assert first != second
    url = "/api/v1/auth/password-reset/confirm"
    assert client.post(url, {"token": first, "password": NEW_PASSWORD}).status_code == 410
    weak = client.post(url, {"token": second, "password": " padded password "})
    assert weak.status_code == 422 and weak.get_json()["errors"] == {"password": ["Do not start or end with spaces."]}
    done = client.post(url, {"token": second, "password": NEW_PASSWORD})  # the refusal did not use it
    assert done.status_code == 204 and done.get_data() == b""
    assert _login(api(), therapist["email"], NEW_PASSWORD).status_code == 200


def test_an_expired_link_is_refused(app, api, smtp, therapist):
    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=UTC), tick=True) as clock:
        _ask(api(), therapist["email"])
        token = _token(smtp.messages[0])
        clock.shift(timedelta(hours=1, seconds=1))
        page = app.test_client().get(f"/t/reset/{token}")
        assert page.status_code == 410 and "Ask for a new link" in text_of(page)
        refused = api().post("/api/v1/auth/password-reset/confirm", {"token": token, "password": NEW_PASSWORD})
        assert refused.status_code == 410
    assert _login(api(), therapist["email"], PASSWORD).status_code == 200


def test_unknown_and_disabled_accounts_get_the_same_answer_and_no_mail(app, api, smtp, therapist, enrolled):
    known = _ask(api(), therapist["email"])
    assert len(smtp.messages) == 1
    with app.app_context():
        User.update(is_active=False).where(User.id == therapist["id"]).execute()
    for email in ("nobody@clinic.test", therapist["email"]):
        assert _ask(api(), email) == known
    assert len(smtp.messages) == 1
    with app.app_context():
        assert PasswordReset.select().count() == 1
        assert not AuditEvent.select().where(AuditEvent.detail.contains("nobody")).exists()


def test_a_patients_join_link_is_not_a_reset_token(app, api, smtp, enrolled, therapist_api):
    created = therapist_api.post("/api/v1/patients", {"display_name": "Al", "timezone": "UTC"}).get_json()
    token = created["invite_url"].rsplit("/", 1)[-1]
    assert api().post("/api/v1/auth/password-reset/confirm", {"token": token, "password": NEW_PASSWORD}).status_code == 410


def test_the_mail_is_in_the_accounts_language(app, api, smtp, therapist):
    with app.app_context():
        User.update(locale="es").where(User.id == therapist["id"]).execute()
    _ask(api(), therapist["email"])
    mail = smtp.messages[0]
    assert mail["Subject"] == "Establece una contraseña nueva de hep" and LINK.search(mail.body)


def test_without_a_base_url_no_link_is_mailed(make_app, smtp):
    app = make_app(SMTP_URL=smtp.url)
    with app.app_context():
        migrations.upgrade(db.obj)
        from hep.people.accounts import create_or_update_therapist

        create_or_update_therapist("pt@clinic.test", PASSWORD)
    client = ApiClient(app.test_client())
    assert client.post("/api/v1/auth/password-reset", {"email": "pt@clinic.test"}).status_code == 202
    assert smtp.messages == []
    with app.app_context():
        assert PasswordReset.select().count() == 0
    if not db.is_closed():
        db.close()


@pytest.mark.parametrize(("path", "body", "fields"), [
    ("/api/v1/auth/password-reset", {}, {"email"}),
    ("/api/v1/auth/password-reset", {"email": "not an address"}, {"email"}),
    ("/api/v1/auth/password-reset", {"email": "a@b.test", "name": "x"}, {"name"}),
    ("/api/v1/auth/password-reset/confirm", {}, {"token", "password"}),
    ("/api/v1/auth/password-reset/confirm", {"token": "short", "password": ""}, {"token", "password"}),
])
def test_bad_bodies_are_422_naming_the_fields(api, smtp, path, body, fields):
    response = api().post(path, body)
    assert response.status_code == 422 and response.headers["Content-Type"] == "application/problem+json"
    assert set(response.get_json()["errors"]) == fields
    assert smtp.messages == []
