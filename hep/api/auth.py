"""Signing in and out: therapists by password, patients by invite link."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf

from hep import audit
from hep.auth import invites, require_role
from hep.auth.passwords import verify_password
from hep.errors import Problem
from hep.extensions import limiter, login_rate_limit
from hep.models import Patient, User
from hep.schemas.people import JoinIn, LoginIn, MePatchIn, SessionOut
from hep.timeutil import to_storage, utcnow

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
    }


def _session(user: User | None) -> dict:
    return {"user": user_view(user), "csrf_token": generate_csrf()}


@bp.post("/auth/login")
@limiter.limit(login_rate_limit)
@bp.arguments(LoginIn)
@bp.response(200, SessionOut)
def login(body):
    """Sign a therapist or admin in with email and password."""
    user = User.by_email(body["email"])
    if not verify_password(user.password_hash if user else None, body["password"]) or not (
        user and user.is_active and user.role in {"therapist", "admin"}
    ):
        raise Problem(401, _("Wrong email or password."))
    login_user(user)
    User.update(last_login_at=to_storage(utcnow())).where(User.id == user.id).execute()
    audit.record("login")
    return _session(user)


@bp.post("/auth/join")
@limiter.limit(login_rate_limit)
@bp.arguments(JoinIn)
@bp.response(200, SessionOut)
def join(body):
    """Redeem a single-use invite token; the patient stays signed in on this device."""
    try:
        patient = invites.redeem(body["token"])
    except invites.InviteError:
        raise Problem(410, _("This link has expired or was already used. Ask your therapist for a new one."),
                      title="Gone")
    login_user(patient.user, remember=True)
    audit.record("join", patient=patient)
    return _session(patient.user)


@bp.post("/auth/logout")
@bp.response(200, SessionOut)
def logout():
    """End every session of this user (all devices)."""
    if current_user.is_authenticated:
        current_user.end_sessions()
        audit.record("logout")
    logout_user()
    return _session(None)


@bp.get("/me")
@bp.response(200, SessionOut)
def me():
    """Who is signed in, and a CSRF token (anonymous clients get one here)."""
    return _session(current_user)


@bp.patch("/me")
@require_role("patient", "therapist", "admin")
@bp.arguments(MePatchIn)
@bp.response(200, SessionOut)
def update_me(body):
    """Remember the user's language."""
    User.update(locale=body["locale"]).where(User.id == current_user.id).execute()
    current_user.locale = body["locale"]
    return _session(current_user)
