"""Accounts and sessions: creating therapists, signing in and out, joining by link.

The JSON API and the therapist pages both sign people in and out through these functions,
so each writes the same rows (``last_login_at``, the session version) and audit events.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from hep.db import db
from hep.errors import Gone, Unauthorized
from hep.models import Clinic, Patient, User
from hep.models.people import normalise_email
from hep.people import audit, invites
from hep.people.passwords import hash_password, password_problems, verify_password
from hep.timeutil import to_storage, utcnow

STAFF_ROLES = frozenset({"therapist", "admin"})


class AccountError(ValueError):
    """The account cannot be created as asked (the message says why)."""


def create_or_update_therapist(email: str, password: str, name: str | None = None,
                               clinic_name: str = "My clinic") -> tuple[User, bool]:
    """Create a therapist, or set a new password (ending their sessions); (user, created)."""
    email = normalise_email(email)
    if "@" not in email:
        raise AccountError("that does not look like an email address")
    problems = password_problems(password)
    if problems:
        raise AccountError("password: " + " ".join(problems))
    with db.atomic():
        user = User.get_or_none(User.email == email)
        if user is not None:
            if user.role not in {"therapist", "admin"}:
                raise AccountError("that email belongs to another kind of account")
            user.password_hash = hash_password(password)
            user.save()
            user.end_sessions()
            return user, False
        clinic = Clinic.get_or_none(Clinic.name == clinic_name) or Clinic.create(name=clinic_name)
        user = User.create(
            clinic=clinic, role="therapist", email=email, password_hash=hash_password(password),
            display_name=name or email.split("@")[0].replace(".", " ").title(),
        )
    return user, True


def sign_in(email: str, password: str) -> User:
    """Sign a therapist or admin in by password; raises ``Unauthorized`` (one message for
    an unknown email, a wrong password or a disabled account)."""
    user = User.by_email(email)
    if not verify_password(user.password_hash if user else None, password) or not (
        user and user.is_active and user.role in STAFF_ROLES
    ):
        raise Unauthorized(_("Wrong email or password."))
    login_user(user)
    User.update(last_login_at=to_storage(utcnow())).where(User.id == user.id).execute()
    audit.record("login")
    return user


def join(token: str) -> Patient:
    """Redeem a single-use join link and sign its patient in on this device (remembered);
    raises ``Gone`` for a link that is unknown, used, revoked or expired."""
    try:
        patient = invites.redeem(token)
    except invites.InviteError:
        raise Gone(_("This link has expired or was already used. Ask your therapist for a new one."),
                   title="Gone") from None
    login_user(patient.user, remember=True)
    User.update(last_login_at=to_storage(utcnow())).where(User.id == patient.user_id).execute()
    audit.record("join", patient=patient)
    return patient


def sign_out() -> None:
    """End every session of the signed-in user (all devices) and sign this one out."""
    if current_user.is_authenticated:
        current_user.end_sessions()
        audit.record("logout")
    logout_user()


def set_locale(user: User, locale: str) -> None:
    """Remember the language ``user`` chose."""
    User.update(locale=locale).where(User.id == user.id).execute()
    user.locale = locale
