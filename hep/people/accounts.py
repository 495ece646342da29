"""Accounts and sessions: creating therapists, signing in and out, joining by link.

The JSON API and the therapist pages both sign people in and out through these functions,
so each writes the same rows (``last_login_at``, the session version) and audit events.

Sign-in with a second factor is two steps. A right password for an account with TOTP on does
not sign in: it leaves a pending sign-in in the (signed) session for ``PENDING_MINUTES``,
naming the user and their session version, and ``verify_second_factor`` finishes it with a
code. An admin who must turn the second factor on first (``REQUIRE_2FA``) gets a pending
"enrol" step instead, whose only way on is ``confirm_enrolment``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import session
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from hep.db import db
from hep.errors import Forbidden, Gone, Invalid, Unauthorized
from hep.models import Clinic, Patient, User
from hep.models.people import normalise_email
from hep.people import audit, invites, two_factor
from hep.people.passwords import hash_password, password_problems, verify_password
from hep.timeutil import to_storage, utcnow

PENDING_KEY = "hep_pending_sign_in"
PENDING_MINUTES = 5
STAFF_ROLES = frozenset({"therapist", "admin"})


class AccountError(ValueError):
    """The account cannot be created as asked (the message says why)."""


def create_or_update_therapist(email: str, password: str, name: str | None = None,
                               clinic_name: str = "My clinic", admin: bool = False) -> tuple[User, bool]:
    """Create a therapist (an admin with ``admin``), or set a new password for an existing
    one (ending their sessions; ``admin`` also makes them an admin); (user, created)."""
    email = normalise_email(email)
    if "@" not in email:
        raise AccountError("that does not look like an email address")
    problems = password_problems(password)
    if problems:
        raise AccountError("password: " + " ".join(problems))
    role = "admin" if admin else "therapist"
    with db.atomic():
        user = User.get_or_none(User.email == email)
        if user is not None:
            if user.role not in STAFF_ROLES:
                raise AccountError("that email belongs to another kind of account")
            user.password_hash = hash_password(password)
            user.role = role if admin else user.role
            user.save()
            user.end_sessions()
            return user, False
        clinic = Clinic.get_or_none(Clinic.name == clinic_name) or Clinic.create(name=clinic_name)
        user = User.create(
            clinic=clinic, role=role, email=email, password_hash=hash_password(password),
            display_name=name or email.split("@")[0].replace(".", " ").title(),
        )
    return user, True


@dataclass(frozen=True)
class SignIn:
    """The outcome of a right password: signed in (``user``), or a second step to take
    (``next_step`` "verify" or "enrol") before ``expires_at``."""

    user: User | None = None
    next_step: str | None = None
    expires_at: datetime | None = None


def sign_in(email: str, password: str) -> SignIn:
    """Check a therapist's or admin's password; sign them in unless a second step is due.
    Raises ``Unauthorized`` (one message for an unknown email, a wrong password or a
    disabled account)."""
    user = User.by_email(email)
    if not verify_password(user.password_hash if user else None, password) or not (
        user and user.is_active and user.role in STAFF_ROLES
    ):
        raise Unauthorized(_("Wrong email or password."))
    if two_factor.is_enabled(user):
        return _pend(user, "verify")
    if two_factor.required(user):
        return _pend(user, "enrol")
    return SignIn(user=_complete(user))


def _pend(user: User, step: str) -> SignIn:
    logout_user()  # a second sign-in in this browser must not keep the first one going
    until = utcnow() + timedelta(minutes=PENDING_MINUTES)
    session[PENDING_KEY] = {"user": user.id, "version": user.session_version, "step": step,
                            "until": until.timestamp()}
    return SignIn(next_step=step, expires_at=until)


def _complete(user: User, **detail) -> User:
    session.pop(PENDING_KEY, None)
    login_user(user)
    User.update(last_login_at=to_storage(utcnow())).where(User.id == user.id).execute()
    audit.record("login", **detail)
    return user


def pending_sign_in() -> SignIn | None:
    """The second step this session is in the middle of, or None."""
    pending = session.get(PENDING_KEY)
    if not pending or _pending_user(pending) is None:
        return None
    return SignIn(next_step=pending["step"], expires_at=datetime.fromtimestamp(pending["until"], UTC))


def _pending_user(pending: dict) -> User | None:
    if utcnow().timestamp() > pending.get("until", 0):
        return None
    user = User.get_or_none(User.id == pending.get("user"))
    if user is None or not user.is_active or user.session_version != pending.get("version"):
        return None
    return user


def pending_user(step: str) -> User:
    """The user half-way through sign-in at ``step``; raises ``Unauthorized`` when there is
    none (never started, expired, or the account changed meanwhile)."""
    pending = session.get(PENDING_KEY)
    user = _pending_user(pending) if pending else None
    if user is None:
        session.pop(PENDING_KEY, None)
        raise Unauthorized(_("Your sign-in has expired. Enter your email and password again."))
    if pending.get("step") != step:  # the other step is due; it stays so
        raise Unauthorized(_("Sign in first."))
    return user


def verify_second_factor(code: str) -> User:
    """Finish a pending sign-in with a TOTP code or a recovery code; raises ``Unauthorized``
    without a pending sign-in and ``Invalid`` naming ``code`` for a wrong or reused code."""
    user = pending_user("verify")
    used = two_factor.check_code(user, code)
    if used is None:
        raise Invalid(errors={"code": [_("That code is not right, or was already used.")]})
    return _complete(user, second_factor=used)


def enrolling_user() -> User:
    """Who the enrolment steps are for: the signed-in therapist or admin, or an admin in the
    pending "enrol" step; raises ``Forbidden`` for a patient, ``Unauthorized`` otherwise."""
    if current_user.is_authenticated:
        if current_user.role not in STAFF_ROLES:
            raise Forbidden(_("This account cannot do that."))
        return current_user._get_current_object()
    return pending_user("enrol")


def confirm_enrolment(code: str) -> tuple[User, list[str]]:
    """Switch the second factor on (``two_factor.confirm_enrolment``); an admin in the pending
    "enrol" step is then signed in. Returns (user, recovery codes)."""
    user = enrolling_user()
    codes = two_factor.confirm_enrolment(user, code)
    if not current_user.is_authenticated:
        _complete(user, second_factor="enrolled")
    return user, codes


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


def reopen_join(token: str) -> bool:
    """A join link opened again on a device already signed in as its patient: True (and
    audited as ``join.reopen``), so the page sends the patient into the app; the link itself
    is left as it is. False for anyone else, who gets the join page as usual."""
    if not current_user.is_authenticated or current_user.role != "patient":
        return False
    patient = invites.patient_of(token)
    if patient is None or patient.user_id != current_user.id:
        return False
    audit.record("join.reopen", patient=patient)
    return True


def sign_out() -> None:
    """End every session of the signed-in user (all devices) and sign this one out."""
    session.pop(PENDING_KEY, None)
    if current_user.is_authenticated:
        current_user.end_sessions()
        audit.record("logout")
    logout_user()


def set_locale(user: User, locale: str) -> None:
    """Remember the language ``user`` chose."""
    User.update(locale=locale).where(User.id == user.id).execute()
    user.locale = locale
