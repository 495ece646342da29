"""The optional TOTP second factor of therapists and admins: enrolment, checking a code,
recovery codes, turning it off.

Enrolment is two steps: ``start_enrolment`` stores a new secret (not yet in force) and hands
out its ``otpauth://`` URI and QR code; ``confirm_enrolment`` with a valid code switches it on
and returns ten recovery codes, shown once (only their hashes are kept). A TOTP code is
accepted one step (30 s) either side of now, and never twice: each accepted code moves
``SecondFactor.last_step`` forward with a conditional UPDATE, so two requests racing with the
same code cannot both pass. A recovery code is used up the same way.
"""
from __future__ import annotations

import logging

from flask import current_app
from flask_babel import gettext as _

from hep.db import db
from hep.errors import Conflict, Invalid
from hep.models import RecoveryCode, SecondFactor, User
from hep.people import audit, totp
from hep.people.passwords import verify_password
from hep.timeutil import from_storage, to_storage, utcnow

log = logging.getLogger(__name__)
RECOVERY_CODE_COUNT = 10


def _confirmed(user: User) -> SecondFactor | None:
    return SecondFactor.get_or_none((SecondFactor.user == user.id) & SecondFactor.confirmed_at.is_null(False))


def is_enabled(user: User) -> bool:
    return _confirmed(user) is not None


def required(user: User) -> bool:
    """True for an admin who must turn the second factor on first (``REQUIRE_2FA``)."""
    return _required_for(user) and not is_enabled(user)


def _required_for(user: User) -> bool:
    """``REQUIRE_2FA`` applies to this account (admins), whether or not it is on already."""
    return user.role == "admin" and bool(current_app.config.get("REQUIRE_2FA"))


def status(user: User) -> dict:
    """``{enabled, enabled_at, recovery_codes_left, required}`` for the account page and API."""
    factor = _confirmed(user)
    left = (RecoveryCode.select().where((RecoveryCode.user == user.id) & RecoveryCode.used_at.is_null()).count()
            if factor else 0)
    return {"enabled": factor is not None, "enabled_at": from_storage(factor.confirmed_at) if factor else None,
            "recovery_codes_left": left,
            "required": _required_for(user)}


def start_enrolment(user: User) -> dict:
    """Store a new secret (replacing an unconfirmed one); ``{secret, otpauth_uri, qr_svg}``.
    Raises ``Conflict`` when the second factor is already on."""
    if is_enabled(user):
        raise Conflict(_("Two-factor sign-in is already on."))
    secret = totp.new_secret()
    with db.atomic():
        SecondFactor.delete().where(SecondFactor.user == user.id).execute()
        SecondFactor.create(user=user.id, secret=totp.seal(secret, _app_secret()))
    return enrolment_view(user, secret)


def pending_enrolment(user: User) -> dict | None:
    """The enrolment started and not yet confirmed (to show its QR code again), or None."""
    factor = SecondFactor.get_or_none((SecondFactor.user == user.id) & SecondFactor.confirmed_at.is_null())
    if factor is None:
        return None
    try:
        return enrolment_view(user, totp.unseal(factor.secret, _app_secret()))
    except totp.SecretUnreadable:
        return None


def enrolment_view(user: User, secret: str) -> dict:
    uri = totp.provisioning_uri(secret, user.email or user.display_name)
    return {"secret": secret, "otpauth_uri": uri, "qr_svg": totp.qr_svg(uri, _("QR code for your authenticator app"))}


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Switch the second factor on with a first valid code; returns the recovery codes (the
    only time they are readable). Raises ``Conflict`` (nothing started, or already on) or
    ``Invalid`` naming ``code``."""
    factor = SecondFactor.get_or_none(SecondFactor.user == user.id)
    if factor is None or factor.confirmed_at is not None:
        raise Conflict(_("Two-factor sign-in is already on.") if factor else _("Start the set-up first."))
    step = _step_for(factor, code)
    if step is None:
        raise Invalid(errors={"code": [_("That code is not right. Check the time on your phone and try the newest code.")]})
    codes = [totp.new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    with db.atomic():
        SecondFactor.update(confirmed_at=to_storage(utcnow()), last_step=step).where(SecondFactor.id == factor.id).execute()
        _replace_recovery_codes(user, codes)
        audit.record("2fa.enable", user=user.id)
    return codes


def disable(user: User, code: str = "", password: str = "") -> None:
    """Turn the second factor off, proven by a current code (or recovery code) or the password.
    Raises ``Conflict`` when it is off or required for this account, ``Invalid`` otherwise."""
    if not is_enabled(user):
        raise Conflict(_("Two-factor sign-in is not on."))
    if _required_for(user):
        raise Conflict(_("Administrators must keep two-factor sign-in on for this server."))
    proven = bool(password) and verify_password(user.password_hash, password)
    if not proven and code:
        proven = check_code(user, code) is not None
    if not proven:
        field = "code" if code or not password else "password"
        raise Invalid(errors={field: [_("Enter a current code from your app, or your password.")]})
    with db.atomic():
        SecondFactor.delete().where(SecondFactor.user == user.id).execute()
        RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
        audit.record("2fa.disable", user=user.id)


def check_code(user: User, code: str) -> str | None:
    """Use a TOTP code or a recovery code of ``user``; ``"totp"`` or ``"recovery"`` when it
    was accepted (and is now used up), None otherwise."""
    factor = _confirmed(user)
    if factor is None or not code:
        return None
    if totp.looks_like_totp(code):
        step = _step_for(factor, code)
        claimed = step is not None and SecondFactor.update(last_step=step).where(
            (SecondFactor.id == factor.id) & (SecondFactor.last_step.is_null() | (SecondFactor.last_step < step))
        ).execute() == 1
        return "totp" if claimed else None
    used = RecoveryCode.update(used_at=to_storage(utcnow())).where(
        (RecoveryCode.user == user.id) & (RecoveryCode.code_hash == totp.recovery_hash(code))
        & RecoveryCode.used_at.is_null()
    ).execute()
    if used != 1:
        return None
    audit.record("2fa.recovery_code_used", user=user.id)
    return "recovery"


def _step_for(factor: SecondFactor, code: str) -> int | None:
    try:
        secret = totp.unseal(factor.secret, _app_secret())
    except totp.SecretUnreadable:
        log.warning("user %s: the TOTP secret was sealed under another SECRET_KEY; codes cannot be checked",
                    factor.user_id)
        return None
    return totp.matching_step(secret, code, utcnow())


def _replace_recovery_codes(user: User, codes: list[str]) -> None:
    RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
    now = to_storage(utcnow())
    RecoveryCode.insert_many([{"user": user.id, "code_hash": totp.recovery_hash(c), "created_at": now}
                              for c in codes]).execute()


def reset(user: User) -> bool:
    """Operator's way back in (``hep reset-2fa``): remove the second factor; True if there was one."""
    with db.atomic():
        removed = SecondFactor.delete().where(SecondFactor.user == user.id).execute()
        RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
        if removed:
            audit.record("2fa.reset", user=user.id)
    return bool(removed)


def _app_secret() -> str:
    return str(current_app.config["SECRET_KEY"])
