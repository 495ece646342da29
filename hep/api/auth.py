"""Signing in and out: therapists by password, patients by invite link."""
from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf

from hep.extensions import limiter, login_rate_limit
from hep.messages import threads
from hep.models import Patient, User
from hep.people import accounts, two_factor
from hep.people.auth import require_role
from hep.schemas.people import JoinIn, LoginIn, MePatchIn, SessionOut

bp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Sessions")


def user_view(user: User | None) -> dict | None:
    """The ``user`` object of the session responses."""
    if user is None or not user.is_authenticated:
        return None
    patient = Patient.get_or_none(Patient.user == user.id) if user.role == "patient" else None
    return {
        "id": user.id,
        "role": user.role,
        "display_name": user.display_name,
        "email": user.email,
        "locale": user.locale,
        "patient_id": patient.id if patient else None,
        "timezone": patient.timezone if patient else None,
        "two_factor": user.role != "patient" and two_factor.is_enabled(user),
        "unread_messages": threads.unread_counts([patient], "patient")[patient.id] if patient else None,
    }


def session_view(user: User | None, pending: accounts.SignIn | None = None) -> dict:
    """The body of the session responses; ``second_factor`` while a second step is due."""
    signed_in = user is not None and user.is_authenticated
    pending = None if signed_in else pending or accounts.pending_sign_in()
    second = {"step": pending.next_step, "expires_at": pending.expires_at} if pending else None
    return {"user": user_view(user), "csrf_token": generate_csrf(), "second_factor": second}


@bp.post("/auth/login")
@limiter.limit(login_rate_limit)
@bp.arguments(LoginIn)
@bp.response(200, SessionOut)
def login(body):
    """Sign a therapist or admin in with email and password. With two-factor sign-in on, the
    answer has ``user: null`` and ``second_factor.step`` "verify" (send a code to
    ``/auth/2fa/verify`` within 5 minutes) or "enrol" (an admin who must set it up first)."""
    result = accounts.sign_in(body["email"], body["password"])
    return session_view(result.user, result)


@bp.post("/auth/join")
@limiter.limit(login_rate_limit)
@bp.arguments(JoinIn)
@bp.response(200, SessionOut)
def join(body):
    """Redeem a single-use invite token; the patient stays signed in on this device."""
    return session_view(accounts.join(body["token"]).user)


@bp.post("/auth/logout")
@bp.response(200, SessionOut)
def logout():
    """End every session of this user (all devices)."""
    accounts.sign_out()
    return session_view(None)


@bp.get("/me")
@bp.response(200, SessionOut)
def me():
    """Who is signed in, and a CSRF token (anonymous clients get one here)."""
    return session_view(current_user)


@bp.patch("/me")
@require_role("patient", "therapist", "admin")
@bp.arguments(MePatchIn)
@bp.response(200, SessionOut)
def update_me(body):
    """Remember the user's language."""
    accounts.set_locale(current_user, body["locale"])
    return session_view(current_user)
