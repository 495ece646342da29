"""Therapist accounts (created from the command line or the demo)."""
from __future__ import annotations

from hep.auth.passwords import hash_password, password_problems
from hep.db import db
from hep.models import Clinic, User
from hep.models.people import normalise_email


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
