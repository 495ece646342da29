"""The staff idle timeout (HEP_THERAPIST_IDLE_MINUTES): a therapist's session ends after that
many minutes without a request; the API says so in a 401, the pages on the sign-in page.
Patients are never timed out. Staff get no remember-me cookie that would outlive it."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask_login.utils import encode_cookie

from hep.config import DEFAULTS, from_environment
from hep.models import AuditEvent, DeviceSession, User
from tests.support.pages import sign_in, text_of

IDLE = "You were signed out after 30 minutes without activity. Sign in again."


@pytest.fixture
def app_config():
    """The default limit (the test suite turns the timeout off elsewhere)."""
    return {"THERAPIST_IDLE_MINUTES": DEFAULTS["THERAPIST_IDLE_MINUTES"]}


@pytest.fixture
def clock():
    """Time stands still until shifted (starting now: signed cookies from the future fail)."""
    with time_machine.travel(datetime.now(UTC).replace(microsecond=0), tick=False) as traveller:
        yield traveller


def login(api, therapist):
    client = api()
    response = client.post("/api/v1/auth/login", {"email": therapist["email"], "password": therapist["password"]})
    assert response.status_code == 200
    return client, response


def test_29_minutes_idle_is_still_signed_in_31_is_not(app, api, therapist, clock):
    client, _ = login(api, therapist)
    for _ in range(3):  # each request starts the 30 minutes again
        clock.shift(timedelta(minutes=29))
        assert client.get("/api/v1/patients").status_code == 200
    clock.shift(timedelta(minutes=31))
    refused = client.get("/api/v1/patients")
    assert refused.status_code == 401 and refused.headers["Content-Type"] == "application/problem+json"
    assert refused.get_json()["detail"] == IDLE
    assert client.get("/api/v1/me").get_json()["user"] is None
    assert client.get("/api/v1/patients").get_json()["detail"] == IDLE  # said until the next sign-in
    with app.app_context():
        event = AuditEvent.get(AuditEvent.action == "session.idle_timeout")
        assert event.actor_id == therapist["id"] and event.detail == {"minutes": 30}
        # The sign-in's device ended with it; an old copy of the cookie is no use.
        assert DeviceSession.get(DeviceSession.user == therapist["id"]).revoked_at is not None
    assert client.post("/api/v1/auth/login", {"email": therapist["email"],
                                              "password": therapist["password"]}).status_code == 200
    assert client.get("/api/v1/patients").status_code == 200


def test_the_page_sends_a_timed_out_therapist_to_sign_in_with_the_reason(app, therapist, clock):
    browser = sign_in(app, therapist["email"])
    clock.shift(timedelta(minutes=29))
    assert browser.get("/t/patients").status_code == 200
    clock.shift(timedelta(minutes=31))
    page = browser.get("/t/patients")
    assert page.status_code == 302 and page.headers["Location"] == "/t/login?next=/t/patients"
    login_page = text_of(browser.get(page.headers["Location"]))
    assert IDLE in login_page and 'name="password"' in login_page
    assert IDLE not in text_of(browser.get("/t/login"))  # said once


def test_the_message_is_translated(app, api, therapist, clock):
    client, _ = login(api, therapist)
    assert client.patch("/api/v1/me", {"locale": "es"}).status_code == 200
    clock.shift(timedelta(minutes=31))
    client.http.set_cookie("hep_locale", "es")
    detail = client.get("/api/v1/patients").get_json()["detail"]
    assert detail == "Se cerró tu sesión tras 30 minutos sin actividad. Vuelve a iniciar sesión."


def test_background_requests_do_not_keep_the_session_alive(app, api, therapist, clock):
    client, _ = login(api, therapist)
    clock.shift(timedelta(minutes=20))
    # The staff worker's update check and its own requests are not the therapist at work.
    assert client.get("/t/sw.js", headers={"Service-Worker": "script"}).status_code == 200
    assert client.get("/api/v1/me", headers={"X-HEP-Background": "1"}).get_json()["user"]["role"] == "therapist"
    clock.shift(timedelta(minutes=11))
    assert client.get("/api/v1/patients").status_code == 401


def test_the_limit_is_configurable(tmp_path, monkeypatch):
    from hep.config import load

    assert DEFAULTS["THERAPIST_IDLE_MINUTES"] == 30
    monkeypatch.setenv("HEP_THERAPIST_IDLE_MINUTES", "45")
    assert from_environment()["THERAPIST_IDLE_MINUTES"] == 45
    assert load(None, tmp_path)["THERAPIST_IDLE_MINUTES"] == 45


@pytest.mark.parametrize("app_config", [{"THERAPIST_IDLE_MINUTES": 0}])
def test_zero_turns_it_off(app, api, therapist, clock, app_config):
    client, _ = login(api, therapist)
    clock.shift(timedelta(days=2))
    assert client.get("/api/v1/patients").status_code == 200


@pytest.mark.parametrize("app_config", [{"THERAPIST_IDLE_MINUTES": 5}])
def test_a_shorter_limit(app, api, therapist, clock, app_config):
    client, _ = login(api, therapist)
    clock.shift(timedelta(minutes=4))
    assert client.get("/api/v1/patients").status_code == 200
    clock.shift(timedelta(minutes=6))
    response = client.get("/api/v1/patients")
    assert response.status_code == 401 and "5 minutes" in response.get_json()["detail"]


def test_patients_are_never_timed_out(enrolled, clock):
    patient, _patient_id, _program = enrolled
    for gap in (timedelta(minutes=31), timedelta(days=3), timedelta(days=40)):
        clock.shift(gap)
        assert patient.get("/api/v1/today").status_code == 200


def test_staff_get_no_remember_me_cookie(app, api, therapist, clock):
    _client, response = login(api, therapist)
    cookies = response.headers.getlist("Set-Cookie")
    assert not [c for c in cookies if c.startswith("remember_token=")]
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "Expires" not in session_cookie and "Max-Age" not in session_cookie  # ends with the browser
    page = app.test_client()
    token = page.get("/t/login").get_data(as_text=True).split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    signed_in = page.post("/t/login", data={"csrf_token": token, "email": therapist["email"],
                                            "password": therapist["password"]})
    assert signed_in.status_code == 302
    assert not [c for c in signed_in.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]


def test_a_staff_remember_me_cookie_does_not_outlive_the_limit(app, api, therapist, clock):
    """Should a therapist ever hold one, a session restored from it has no clock: signed out."""
    client = api()
    with app.app_context():
        user = User.get_by_id(therapist["id"])
    with app.test_request_context():
        client.http.set_cookie("remember_token", encode_cookie(f"{user.id}:{user.session_version}"))
    response = client.get("/api/v1/patients")
    assert response.status_code == 401 and response.get_json()["detail"] == IDLE
