"""Every guessable action is rate limited: past the limit the answer is 429 problem+json with
a ``Retry-After`` in seconds, and the limit is read from the configuration."""
from __future__ import annotations

import pyotp
import pytest

from hep import migrations
from hep.db import db
from hep.models import User
from hep.people import two_factor
from hep.people.accounts import create_or_update_therapist

from conftest import PASSWORD, ApiClient

TWO = "2 per minute"
LOOSE = "1000 per minute"


@pytest.fixture
def limited(make_app):
    """An app whose limits are loose except ``which`` (2 per minute); closes its database."""
    built = []

    def build(which: str):
        config = {"LOGIN_RATE_LIMIT": LOOSE, "PASSWORD_RESET_RATE_LIMIT": LOOSE, "SECOND_FACTOR_RATE_LIMIT": LOOSE}
        app = make_app(**{**config, which: TWO})
        with app.app_context():
            migrations.upgrade(db.obj)
            create_or_update_therapist("pt@clinic.test", PASSWORD)
        built.append(app)
        return app

    yield build
    if built and not db.is_closed():
        db.close()


def assert_too_many(response):
    assert response.status_code == 429
    seconds = response.headers["Retry-After"]
    assert seconds.isdigit() and 1 <= int(seconds) <= 60
    return int(seconds)


@pytest.mark.parametrize(("setting", "path", "body", "status"), [
    ("LOGIN_RATE_LIMIT", "/api/v1/auth/login", {"email": "pt@clinic.test", "password": "wrong password"}, 401),
    ("LOGIN_RATE_LIMIT", "/api/v1/auth/join", {"token": "x" * 20}, 410),
    ("PASSWORD_RESET_RATE_LIMIT", "/api/v1/auth/password-reset", {"email": "pt@clinic.test"}, 202),
    ("PASSWORD_RESET_RATE_LIMIT", "/api/v1/auth/password-reset/confirm", {"token": "x" * 20, "password": "long enough pw"}, 410),
    ("SECOND_FACTOR_RATE_LIMIT", "/api/v1/auth/2fa/verify", {"code": "123456"}, 401),
    ("SECOND_FACTOR_RATE_LIMIT", "/api/v1/auth/2fa/confirm", {"code": "123456"}, 401),
])
def test_each_limited_action_answers_429_with_retry_after(limited, setting, path, body, status):
    client = ApiClient(limited(setting).test_client())
    assert [client.post(path, body).status_code for _ in range(2)] == [status, status]
    refused = client.post(path, body)
    seconds = assert_too_many(refused)
    assert refused.headers["Content-Type"] == "application/problem+json"
    problem = refused.get_json()
    assert problem["status"] == 429 and problem["detail"] == f"Too many attempts. Try again in {seconds} seconds."
    assert client.post(path, {}).status_code == 429  # a bad body counts too: nothing gets parsed past the limit


def test_turning_two_factor_off_is_limited(limited):
    client = ApiClient(limited("SECOND_FACTOR_RATE_LIMIT").test_client())
    assert client.post("/api/v1/auth/login", {"email": "pt@clinic.test", "password": PASSWORD}).status_code == 200
    statuses = [client.post("/api/v1/auth/2fa/disable", {"password": "wrong password"}).status_code for _ in range(3)]
    assert statuses[:2] == [409, 409]  # not on: refused, but counted
    assert statuses[2] == 429


def _with_second_factor(app, email):
    with app.test_request_context():
        create_or_update_therapist(email, PASSWORD)
        user = User.by_email(email)
        secret = two_factor.start_enrolment(user)["secret"]
        two_factor.confirm_enrolment(user, pyotp.TOTP(secret).now())


def _pending_from(app, address, email):
    http = app.test_client()
    http.environ_base["REMOTE_ADDR"] = address
    client = ApiClient(http)
    pending = client.post("/api/v1/auth/login", {"email": email, "password": PASSWORD}).get_json()
    assert pending["second_factor"]["step"] == "verify"
    return client


def test_second_factor_codes_are_limited_per_account_across_addresses(limited):
    app = limited("SECOND_FACTOR_RATE_LIMIT")
    _with_second_factor(app, "pt@clinic.test")
    _with_second_factor(app, "other@clinic.test")
    statuses = [_pending_from(app, f"10.0.0.{n}", "pt@clinic.test").post("/api/v1/auth/2fa/verify", {"code": "000000"})
                for n in (1, 2, 3)]
    assert [r.status_code for r in statuses] == [422, 422, 429]
    assert_too_many(statuses[2])
    # Another account, from an address of its own, is not held back.
    other = _pending_from(app, "10.0.0.9", "other@clinic.test")
    assert other.post("/api/v1/auth/2fa/verify", {"code": "000000"}).status_code == 422
