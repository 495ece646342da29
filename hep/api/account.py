"""Account security: two-factor sign-in (TOTP with recovery codes) and password reset by e-mail."""
from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf

from hep.api.auth import session_view
from hep.extensions import limiter, password_reset_rate_limit, second_factor_limits
from hep.people import accounts, password_reset, two_factor
from hep.people.auth import require_role
from hep.schemas.accounts import (
    AcceptedOut,
    CodeIn,
    EnrolmentOut,
    RecoveryCodesOut,
    ResetConfirmIn,
    ResetRequestIn,
    TwoFactorDisableIn,
    TwoFactorStatusOut,
)
from hep.schemas.people import SessionOut

bp = Blueprint("account", __name__, url_prefix="/api/v1/auth", description="Two-factor sign-in and password reset")


@bp.post("/2fa/verify")
@second_factor_limits()
@bp.arguments(CodeIn)
@bp.response(200, SessionOut)
def verify(body):
    """Finish a sign-in whose password was right with a code from the authenticator app or a
    recovery code (each recovery code works once); 401 when no sign-in is pending (or it is
    more than 5 minutes old), 422 for a wrong or reused code."""
    return session_view(accounts.verify_second_factor(body["code"]))


@bp.get("/2fa")
@require_role("therapist", "admin")
@bp.response(200, TwoFactorStatusOut)
def status():
    """Whether two-factor sign-in is on, and how many recovery codes are left."""
    return two_factor.status(current_user)


@bp.post("/2fa/setup")
@bp.response(200, EnrolmentOut)
def setup():
    """Start setting two-factor sign-in up: a new secret, its ``otpauth://`` URI and a QR code
    (not in force until confirmed). For a signed-in therapist or admin, or an admin whose
    sign-in waits for it (``REQUIRE_2FA``); 409 when it is already on."""
    return {**two_factor.start_enrolment(accounts.enrolling_user()), "csrf_token": generate_csrf()}


@bp.post("/2fa/confirm")
@second_factor_limits()
@bp.arguments(CodeIn)
@bp.response(200, RecoveryCodesOut)
def confirm(body):
    """Switch two-factor sign-in on with a first code; answers ten recovery codes, shown only
    this once. An admin whose sign-in waited for it is signed in."""
    user, codes = accounts.confirm_enrolment(body["code"])
    return {**session_view(user), "recovery_codes": codes}


@bp.post("/2fa/disable")
@require_role("therapist", "admin")
@second_factor_limits()
@bp.arguments(TwoFactorDisableIn)
@bp.response(200, SessionOut)
def disable(body):
    """Turn two-factor sign-in off, with a current code (or recovery code) or the password."""
    two_factor.disable(current_user, code=body["code"], password=body["password"])
    return session_view(current_user)


@bp.post("/password-reset")
@limiter.limit(password_reset_rate_limit)
@bp.arguments(ResetRequestIn)
@bp.response(202, AcceptedOut)
def request_reset(body):
    """E-mail a link to set a new password (valid for an hour, once). The answer is the same
    whether or not the address belongs to an account."""
    password_reset.request_reset(body["email"])
    return {"detail": password_reset.accepted_message()}


@bp.post("/password-reset/confirm")
@limiter.limit(password_reset_rate_limit)
@bp.arguments(ResetConfirmIn)
@bp.response(204)
def confirm_reset(body):
    """Set a new password with the token from the e-mail; every session of the account ends.
    410 for a token that is unknown, used, replaced or expired; 422 naming ``password``."""
    password_reset.confirm_reset(body["token"], body["password"])
