"""Password reset by e-mail for therapists and admins.

``request_reset`` answers the same whatever the address (no account enumeration): for an
active staff account it queues ``hep.worker.send_password_reset``, which issues the token and
mails the link, so the token only ever exists in the e-mail (never in the queue) and the
request does not wait for the mail server. A token is random (256 bits), single-use, expires
after ``TOKEN_TTL``, and a new one revokes the earlier ones; only its SHA-256 is stored.
``confirm_reset`` sets the new password and ends every session of the account. Opening the
link (``/t/reset/<token>``) does not use the token: the page's form posts it.

The link's origin is ``BASE_URL``, never the request's Host header (which a stranger could
set to point the e-mail at their own site); without ``BASE_URL`` or ``SMTP_URL`` no e-mail
is sent and a warning is logged.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from hep.db import db
from hep.errors import Gone, Invalid
from hep.i18n import DEFAULT_LOCALE, normalize_locale
from hep.models import PasswordReset, User
from hep.people import audit
from hep.people.passwords import hash_password, password_problems
from hep.push.mail import MailError, send_mail, settings_from
from hep.timeutil import to_storage, utcnow

log = logging.getLogger(__name__)
TOKEN_TTL = timedelta(hours=1)
STAFF_ROLES = ("therapist", "admin")
RESET_PATH = "/t/reset/"


def _digest(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def _eligible(user: User | None) -> bool:
    return user is not None and user.is_active and user.role in STAFF_ROLES and bool(user.email)


def request_reset(email: str) -> None:
    """Queue a reset e-mail when ``email`` is an active therapist's or admin's; nothing
    otherwise. Returns nothing either way, so callers cannot tell the two apart."""
    user = User.by_email(email)
    if not _eligible(user):
        return
    audit.record("password_reset.request", user=user.id)
    from hep.worker import send_password_reset

    send_password_reset(user.id)


def accepted_message() -> str:
    return _("If that address belongs to an account, an e-mail with a link to set a new password is on its way.")


def send_link(user_id: int) -> str:
    """Issue a token for the user and e-mail its link (run by the queue); what happened."""
    user = User.get_or_none(User.id == user_id)
    if not _eligible(user):
        return "account no longer eligible"
    settings, base = settings_from(current_app.config), (current_app.config.get("BASE_URL") or "").rstrip("/")
    if settings is None or not base:
        log.warning("password reset for user %s not sent: HEP_SMTP_URL and HEP_BASE_URL must both be set", user_id)
        return "e-mail not configured"
    token = issue(user)
    subject, body = reset_email(base + RESET_PATH + token, user.locale)
    try:
        send_mail(settings, current_app.config.get("MAIL_FROM") or "hep@localhost", user.email, subject, body)
    except MailError as exc:  # the person can ask again; the token is useless without the mail
        log.warning("password reset for user %s not sent: %s", user_id, exc.detail)
        return f"failed: {exc.detail}"
    return "sent"


def issue(user: User, ttl: timedelta = TOKEN_TTL) -> str:
    """A new reset token for ``user`` (earlier unused ones revoked), usable for ``ttl`` (a
    new account's set-password link lives longer: ``hep.people.clinic``); only its hash is stored."""
    now = to_storage(utcnow())
    token = secrets.token_urlsafe(32)
    with db.atomic():
        PasswordReset.update(revoked_at=now).where(
            (PasswordReset.user == user.id) & PasswordReset.used_at.is_null() & PasswordReset.revoked_at.is_null()
        ).execute()
        PasswordReset.create(user=user.id, token_hash=_digest(token), created_at=now, expires_at=now + ttl)
    return token


def reset_email(link: str, locale: str | None) -> tuple[str, str]:
    """(subject, body) of the reset e-mail, in the account's language."""
    with force_locale(normalize_locale(locale) or DEFAULT_LOCALE):
        subject = _("Set a new hep password")
        body = "\n\n".join([
            _("Someone asked to set a new password for your hep account. If it was you, open this link "
              "within an hour and choose a new password:"),
            link,
            _("If it was not you, ignore this e-mail: your password stays as it is."),
        ])
    return subject, body + "\n"


def usable(token: str) -> PasswordReset:
    """The reset ``token`` names, if it can still be used (it is not used up by this);
    raises ``Gone`` otherwise."""
    reset = PasswordReset.get_or_none(PasswordReset.token_hash == _digest(token))
    if (reset is None or reset.used_at or reset.revoked_at or reset.expires_at <= to_storage(utcnow())
            or not _eligible(reset.user)):
        raise Gone(_("This link has expired or was already used. Ask for a new one."), title="Gone")
    return reset


def confirm_reset(token: str, password: str) -> User:
    """Set a new password with a reset token: the token is used up, every session of the
    account ends. Raises ``Gone`` for an unusable token, ``Invalid`` naming ``password`` for
    a password that breaks the rules (the token stays usable then)."""
    reset = usable(token)
    problems = password_problems(password)
    if problems:
        raise Invalid(errors={"password": problems})
    with db.atomic():
        claimed = PasswordReset.update(used_at=to_storage(utcnow())).where(
            (PasswordReset.id == reset.id) & PasswordReset.used_at.is_null() & PasswordReset.revoked_at.is_null()
        ).execute()
        if claimed != 1:  # a second tab or a replay got there first
            raise Gone(_("This link has expired or was already used. Ask for a new one."), title="Gone")
        user = User.get_by_id(reset.user_id)
        User.update(password_hash=hash_password(password)).where(User.id == user.id).execute()
        user.end_sessions()
        audit.record("password_reset.complete", user=user.id)
    return user
