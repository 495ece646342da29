"""Two-factor sign-in through the API, with pyotp computing the codes an authenticator app
would show: enrol, confirm, sign in with password then code, refusals, recovery codes,
turning it off, and HEP_REQUIRE_2FA for admins."""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import time_machine

from hep import migrations
from hep.db import db
from hep.library.seed import seed_library
from hep.models import ALL_MODELS, AuditEvent, RecoveryCode, SecondFactor
from hep.people.accounts import create_or_update_therapist

from conftest import PASSWORD, ApiClient

START = datetime(2026, 11, 20, 9, 0, 5, tzinfo=UTC)  # 5 s into a 30 s step


@pytest.fixture
def app_config():
    return {"SECOND_FACTOR_RATE_LIMIT": "1000 per minute"}


def _login(client, email, password=PASSWORD):
    response = client.post("/api/v1/auth/login", {"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _enrol(client):
    """Start and confirm enrolment on a signed-in client: (totp, recovery codes)."""
    setup = client.post("/api/v1/auth/2fa/setup")
    assert setup.status_code == 200, setup.get_json()
    totp = pyotp.TOTP(setup.get_json()["secret"])
    confirmed = client.post("/api/v1/auth/2fa/confirm", {"code": totp.now()})
    assert confirmed.status_code == 200, confirmed.get_json()
    return totp, confirmed.get_json()["recovery_codes"]


def _other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _everything_stored(app) -> str:
    """Every row of every table as text, to look for what must not be stored in the clear."""
    with app.app_context():
        return "\n".join(str(row) for model in ALL_MODELS for row in model.select().dicts())


def _actions(app) -> list[tuple[str, dict]]:
    with app.app_context():
        return [(e.action, e.detail) for e in AuditEvent.select().order_by(AuditEvent.id)]


def test_the_whole_totp_flow(app, api, therapist):
    with time_machine.travel(START, tick=False) as clock:
        client = api()
        signed_in = _login(client, therapist["email"])
        assert signed_in["user"]["two_factor"] is False and signed_in["second_factor"] is None
        assert client.get("/api/v1/auth/2fa").get_json() == {"enabled": False, "enabled_at": None,
                                                            "recovery_codes_left": 0, "required": False}

        setup = client.post("/api/v1/auth/2fa/setup").get_json()
        secret = setup["secret"]
        uri = urlsplit(setup["otpauth_uri"])
        assert (uri.scheme, uri.netloc, uri.path) == ("otpauth", "totp", "/hep:pt%40clinic.test")
        assert parse_qs(uri.query)["secret"] == [secret] and parse_qs(uri.query)["issuer"] == ["hep"]
        assert setup["qr_svg"].startswith("<svg") and "</svg>" in setup["qr_svg"]
        totp = pyotp.TOTP(secret)

        # Not in force before it is confirmed: the password alone still signs in.
        assert _login(api(), therapist["email"])["user"]["id"] == therapist["id"]
        wrong = client.post("/api/v1/auth/2fa/confirm", {"code": _other_code(totp.now())})
        assert wrong.status_code == 422 and list(wrong.get_json()["errors"]) == ["code"]
        assert client.get("/api/v1/auth/2fa").get_json()["enabled"] is False

        enrol_code = totp.now()
        confirmed = client.post("/api/v1/auth/2fa/confirm", {"code": enrol_code}).get_json()
        codes = confirmed["recovery_codes"]
        assert len(codes) == len(set(codes)) == 10 and confirmed["user"]["two_factor"] is True
        assert client.get("/api/v1/auth/2fa").get_json() == {
            "enabled": True, "enabled_at": START.isoformat(), "recovery_codes_left": 10, "required": False}

        # The database holds the secret sealed and the recovery codes hashed, never as shown.
        stored = _everything_stored(app)
        assert secret not in stored and all(code not in stored for code in codes)
        with app.app_context():
            assert SecondFactor.get().secret.startswith("gAAAAA")  # a Fernet token
            hashes = {r.code_hash for r in RecoveryCode.select()}
        assert hashes == {hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in codes}

        client.post("/api/v1/auth/logout")
        fresh = api()
        pending = _login(fresh, therapist["email"])
        assert pending["user"] is None
        assert pending["second_factor"] == {"step": "verify", "expires_at": (START + timedelta(minutes=5)).isoformat()}
        assert fresh.get("/api/v1/patients").status_code == 401
        assert fresh.get("/api/v1/me").get_json()["second_factor"]["step"] == "verify"

        # The code that confirmed the set-up cannot be used again, nor can a wrong one.
        reused = fresh.post("/api/v1/auth/2fa/verify", {"code": enrol_code})
        assert reused.status_code == 422 and reused.get_json()["errors"]["code"] == [
            "That code is not right, or was already used."]
        clock.shift(30)
        assert fresh.post("/api/v1/auth/2fa/verify", {"code": _other_code(totp.now())}).status_code == 422
        code = totp.now()
        verified = fresh.post("/api/v1/auth/2fa/verify", {"code": code})
        assert verified.status_code == 200 and verified.get_json()["user"]["id"] == therapist["id"]
        assert verified.get_json()["second_factor"] is None
        assert fresh.get("/api/v1/patients").status_code == 200

        # The same code, a moment later in another browser: refused.
        again = api()
        _login(again, therapist["email"])
        assert again.post("/api/v1/auth/2fa/verify", {"code": code}).status_code == 422
        # A recovery code works, once, typed in any case and with spaces.
        typed = " " + codes[0].upper().replace("-", " ") + " "
        assert again.post("/api/v1/auth/2fa/verify", {"code": typed}).status_code == 200
        third = api()
        _login(third, therapist["email"])
        assert third.post("/api/v1/auth/2fa/verify", {"code": codes[0]}).status_code == 422
        assert third.get("/api/v1/me").get_json()["user"] is None
        assert again.get("/api/v1/auth/2fa").get_json()["recovery_codes_left"] == 9

    actions = _actions(app)
    assert ("2fa.enable", {"user": therapist["id"]}) in actions
    assert ("2fa.recovery_code_used", {"user": therapist["id"]}) in actions
    assert ("login", {"second_factor": "totp"}) in actions and ("login", {"second_factor": "recovery"}) in actions


def test_a_pending_sign_in_lasts_five_minutes(app, api, therapist):
    with time_machine.travel(START, tick=False) as clock:
        owner = api()
        _login(owner, therapist["email"])
        totp, _codes = _enrol(owner)
        client = api()
        _login(client, therapist["email"])
        clock.shift(5 * 60 + 1)
        late = client.post("/api/v1/auth/2fa/verify", {"code": totp.now()})
        assert late.status_code == 401 and late.headers["Content-Type"] == "application/problem+json"
        assert "expired" in late.get_json()["detail"]
        assert client.get("/api/v1/me").get_json() == {**client.get("/api/v1/me").get_json(),
                                                       "user": None, "second_factor": None}
        # Never signed in with a password: a code alone is refused too.
        assert api().post("/api/v1/auth/2fa/verify", {"code": totp.now()}).status_code == 401


def test_a_password_change_ends_a_pending_sign_in(app, api, therapist):
    with time_machine.travel(START, tick=False) as clock:
        owner = api()
        _login(owner, therapist["email"])
        totp, _codes = _enrol(owner)
        client = api()
        _login(client, therapist["email"])
        with app.app_context():
            create_or_update_therapist(therapist["email"], "another long password")
        clock.shift(30)
        assert client.post("/api/v1/auth/2fa/verify", {"code": totp.now()}).status_code == 401


def test_turning_it_off_needs_a_code_or_the_password(app, api, therapist):
    with time_machine.travel(START, tick=False) as clock:
        client = api()
        _login(client, therapist["email"])
        totp, _codes = _enrol(client)
        refused = client.post("/api/v1/auth/2fa/disable", {"password": "not my password"})
        assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["password"]
        clock.shift(30)
        assert client.post("/api/v1/auth/2fa/disable", {"code": _other_code(totp.now())}).status_code == 422
        off = client.post("/api/v1/auth/2fa/disable", {"code": totp.now()})
        assert off.status_code == 200 and off.get_json()["user"]["two_factor"] is False
        with app.app_context():
            assert SecondFactor.select().count() == 0 and RecoveryCode.select().count() == 0
        assert client.post("/api/v1/auth/2fa/disable", {"password": PASSWORD}).status_code == 409
        assert _login(api(), therapist["email"])["user"] is not None
        # On again, and off with the password this time.
        _enrol(client)
        assert client.post("/api/v1/auth/2fa/setup").status_code == 409
        assert client.post("/api/v1/auth/2fa/disable", {"password": PASSWORD}).status_code == 200
    assert [a for a, _d in _actions(app) if a.startswith("2fa.")] == ["2fa.enable", "2fa.disable", "2fa.enable",
                                                                      "2fa.disable"]


@pytest.mark.parametrize(("path", "body", "fields"), [
    ("/api/v1/auth/2fa/verify", {}, {"code"}),
    ("/api/v1/auth/2fa/verify", {"code": "12"}, {"code"}),
    ("/api/v1/auth/2fa/verify", {"code": "123456", "remember": True}, {"remember"}),
    ("/api/v1/auth/2fa/confirm", {"code": 123456}, {"code"}),
    ("/api/v1/auth/2fa/disable", {}, {"code"}),
    ("/api/v1/auth/2fa/disable", {"password": "x" * 201}, {"password"}),
])
def test_bad_bodies_are_422_naming_the_fields(therapist_api, path, body, fields):
    response = therapist_api.post(path, body)
    assert response.status_code == 422 and response.headers["Content-Type"] == "application/problem+json"
    assert set(response.get_json()["errors"]) == fields


def test_patients_have_no_second_factor(enrolled):
    patient, _patient_id, _ = enrolled
    assert patient.post("/api/v1/auth/2fa/setup").status_code == 403
    assert patient.get("/api/v1/auth/2fa").status_code == 403


def _admin_app(make_app, **config):
    app = make_app(SECOND_FACTOR_RATE_LIMIT="1000 per minute", **config)
    with app.app_context():
        migrations.upgrade(db.obj)
        seed_library()
        create_or_update_therapist("boss@clinic.test", PASSWORD, "Boss", "Clinic A", admin=True)
        create_or_update_therapist("pt@clinic.test", PASSWORD, "Pat", "Clinic A")
    return app


def test_require_2fa_admits_an_admin_only_to_the_enrolment_step(make_app):
    app = _admin_app(make_app, REQUIRE_2FA=True)
    with time_machine.travel(START, tick=False):
        admin = ApiClient(app.test_client())
        pending = _login(admin, "boss@clinic.test")
        assert pending["user"] is None and pending["second_factor"]["step"] == "enrol"
        for path in ("/api/v1/auth/2fa", "/api/v1/exercises"):
            assert admin.get(path).status_code == 401, path
        assert admin.post("/api/v1/auth/2fa/verify", {"code": "123456"}).status_code == 401
        totp, codes = _enrol(admin)
        assert admin.get("/api/v1/me").get_json()["user"]["role"] == "admin"
        assert admin.get("/api/v1/auth/2fa").get_json()["required"] is True
        assert admin.get("/api/v1/exercises").status_code == 200
        refused = admin.post("/api/v1/auth/2fa/disable", {"password": PASSWORD})
        assert refused.status_code == 409
        # A therapist is not concerned.
        assert _login(ApiClient(app.test_client()), "pt@clinic.test")["user"]["role"] == "therapist"
    if db.obj is not None and not db.is_closed():
        db.close()


def test_an_admin_signed_in_before_2fa_was_required_is_stopped(make_app):
    app = _admin_app(make_app)
    admin = ApiClient(app.test_client())
    assert _login(admin, "boss@clinic.test")["user"]["role"] == "admin"
    assert admin.get("/api/v1/exercises").status_code == 200
    app.config["REQUIRE_2FA"] = True
    assert admin.get("/api/v1/exercises").status_code == 401
    assert admin.get("/api/v1/me").get_json()["user"] is None
    if db.obj is not None and not db.is_closed():
        db.close()


def test_create_therapist_admin_flag(app):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["create-therapist", "Head@Clinic.test", "--password", "long enough pw", "--admin"])
    assert made.exit_code == 0 and "created admin head@clinic.test" in made.output
    kept = runner.invoke(args=["create-therapist", "head@clinic.test", "--password", "another long pw"])
    assert kept.exit_code == 0 and "updated admin head@clinic.test" in kept.output
    plain = runner.invoke(args=["create-therapist", "t@clinic.test", "--password", "long enough pw"])
    promoted = runner.invoke(args=["create-therapist", "t@clinic.test", "--password", "long enough pw", "--admin"])
    assert "created therapist" in plain.output and "updated admin t@clinic.test" in promoted.output


def test_reset_2fa_command_lets_a_locked_out_user_in(app, api, therapist):
    client = api()
    _login(client, therapist["email"])
    _enrol(client)
    result = app.test_cli_runner().invoke(args=["reset-2fa", therapist["email"]])
    assert result.exit_code == 0 and "turned off" in result.output
    assert _login(api(), therapist["email"])["user"] is not None
    with app.app_context():
        assert SecondFactor.select().count() == RecoveryCode.select().count() == 0
    assert app.test_cli_runner().invoke(args=["reset-2fa", "nobody@clinic.test"]).exit_code != 0
