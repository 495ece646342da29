"""Running a clinic: its admins invite, disable and re-enable therapists and reassign
patients between them. The JSON API (``hep/api/clinic.py``) and the admin page
(``hep/therapist/admin_views.py``) call these functions and nothing else.

Every function takes the acting admin and reaches only that admin's clinic: a therapist or
patient of another clinic is ``NotFound``, so ids leak nothing. Each change is audited.

What an admin sees: the clinic's staff, and its patients' names with their therapist, only
so as to reassign them. An admin is not a therapist: they have no patients of their own and
open no patient's record (the clinical routes answer 403); a person who both treats and
manages has two accounts.

An invited therapist gets an account with no password and a one-time link to set one: the
token of :mod:`hep.people.password_reset` (hash stored, single use, a new one revokes the
earlier ones) with a longer life, :data:`INVITE_TTL`. With ``HEP_SMTP_URL`` set the link is
e-mailed (:mod:`hep.push.mail`) and never shown; otherwise, or when the mail server refuses,
it is handed back once for the admin to pass on.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import peewee as pw
from flask import current_app, request
from flask_babel import force_locale
from flask_babel import gettext as _

from hep.db import db
from hep.errors import Conflict, Invalid, NotFound
from hep.i18n import DEFAULT_LOCALE, normalize_locale
from hep.models import Patient, User
from hep.models.people import normalise_email
from hep.people import audit, password_reset
from hep.push.mail import MailError, send_mail, settings_from
from hep.timeutil import utcnow

log = logging.getLogger(__name__)
#: How long a therapist's set-password link works (a reset link: an hour).
INVITE_TTL = timedelta(days=7)
STAFF_ROLES = ("therapist", "admin")


@dataclass(frozen=True)
class Invitation:
    """An invited therapist; ``link`` is the set-password link to show once, None when it
    was e-mailed (``emailed``)."""

    user: User
    link: str | None
    emailed: bool
    expires_at: datetime


def staff_of(admin: User) -> list[dict]:
    """The clinic's therapists and admins, by name: :func:`staff_view` of each, with the
    number of patients assigned to them (two statements)."""
    staff = list(User.select().where((User.clinic == admin.clinic_id) & User.role.in_(STAFF_ROLES))
                 .order_by(pw.fn.LOWER(User.display_name), User.id))
    counts = dict(Patient.select(Patient.therapist, pw.fn.COUNT(Patient.id))
                  .where((Patient.clinic == admin.clinic_id) & Patient.archived_at.is_null())
                  .group_by(Patient.therapist).tuples())
    return [staff_view(user, counts.get(user.id, 0)) for user in staff]


def staff_view(user: User, patients: int | None = None) -> dict:
    """One staff account as the admin sees it. ``invited``: no password set yet."""
    if patients is None:
        patients = Patient.select().where((Patient.therapist == user.id) & Patient.archived_at.is_null()).count()
    return {"id": user.id, "email": user.email, "display_name": user.display_name, "role": user.role,
            "active": user.is_active, "invited": user.password_hash is None, "patients": patients,
            "last_login_at": user.last_login_at, "created_at": user.created_at}


def clinic_staff(admin: User, user_id: int) -> User:
    """Therapist or admin ``user_id`` of the admin's clinic; raises ``NotFound`` otherwise."""
    user = User.get_or_none((User.id == user_id) & (User.clinic == admin.clinic_id) & User.role.in_(STAFF_ROLES))
    if user is None:
        raise NotFound(_("No such therapist."))
    return user


def invite_therapist(admin: User, email: str, display_name: str) -> Invitation:
    """Create a therapist of the admin's clinic with no password, and a set-password link
    (e-mailed when e-mail is set up, else handed back once). Raises ``Invalid`` naming
    ``email`` when the address already has an account, ``display_name`` when it is blank."""
    email, display_name = normalise_email(email), display_name.strip()
    if not display_name:
        raise Invalid(errors={"display_name": [_("Enter the therapist's name.")]})
    taken = Invalid(errors={"email": [_("This address already has an account.")]})
    with db.atomic():
        if User.by_email(email) is not None:
            raise taken
        try:
            with db.atomic():  # a savepoint: the same address invited twice at once
                user = User.create(clinic=admin.clinic_id, role="therapist", email=email, password_hash=None,
                                   display_name=display_name, locale=admin.locale)
        except pw.IntegrityError:
            raise taken from None
        token = password_reset.issue(user, ttl=INVITE_TTL)
        expires = utcnow() + INVITE_TTL
        audit.record("clinic.therapist_invite", therapist_id=user.id, email=email)
    link = set_password_url(token)
    emailed = _mail_invitation(user, admin, link)
    return Invitation(user, None if emailed else link, emailed, expires)


def set_password_url(token: str) -> str:
    """The set-password page for ``token``, on ``BASE_URL`` if set, else on the host the
    admin is using (the link goes to someone the admin names, never to a stranger's input)."""
    base = (current_app.config.get("BASE_URL") or request.host_url).rstrip("/")
    return base + password_reset.RESET_PATH + token


def _mail_invitation(user: User, admin: User, link: str) -> bool:
    """E-mail the invitation when e-mail is set up; whether it was accepted."""
    settings = settings_from(current_app.config)
    if settings is None:
        return False
    subject, body = invitation_email(link, admin.display_name, user.locale)
    try:
        send_mail(settings, current_app.config.get("MAIL_FROM") or "hep@localhost", user.email, subject, body)
    except MailError as exc:  # the admin is shown the link instead
        log.warning("invitation for user %s not sent: %s", user.id, exc.detail)
        return False
    return True


def invitation_email(link: str, inviter: str, locale: str | None) -> tuple[str, str]:
    """(subject, body) of the invitation e-mail, in the account's language."""
    with force_locale(normalize_locale(locale) or DEFAULT_LOCALE):
        subject = _("You are invited to hep")
        body = "\n\n".join([
            _("%(name)s invited you to your clinic's home exercise programs on hep. Open this link within "
              "seven days and choose a password:", name=inviter),
            link,
            _("Then sign in with this e-mail address and that password."),
        ])
    return subject, body + "\n"


def disable_therapist(admin: User, user_id: int) -> User:
    """Disable a therapist or admin of the clinic: they cannot sign in and every session of
    theirs ends at once; their patients stay assigned to them until reassigned. Raises
    ``Conflict`` for the clinic's last active admin."""
    with db.atomic():
        user = clinic_staff(admin, user_id)
        if user.is_active and user.role == "admin" and _active_admins(admin.clinic_id, user.id) == 0:
            raise Conflict(_("This is the clinic's last active admin. Make another admin first."))
        if user.is_active:
            User.update(is_active=False).where(User.id == user.id).execute()
            user.is_active = False
            user.end_sessions()
            audit.record("clinic.therapist_disable", therapist_id=user.id)
    return user


def enable_therapist(admin: User, user_id: int) -> User:
    """Let a disabled therapist or admin of the clinic sign in again."""
    with db.atomic():
        user = clinic_staff(admin, user_id)
        if not user.is_active:
            User.update(is_active=True).where(User.id == user.id).execute()
            user.is_active = True
            audit.record("clinic.therapist_enable", therapist_id=user.id)
    return user


def _active_admins(clinic_id: int, besides: int) -> int:
    return (User.select().where((User.clinic == clinic_id) & (User.role == "admin") & User.is_active
                                & (User.id != besides)).count())


def patients_of(admin: User) -> list[dict]:
    """The clinic's patients, by name, with their therapist: names only (what reassigning
    needs), two statements."""
    patients = list(Patient.select(Patient.id, Patient.display_name, Patient.therapist)
                    .where((Patient.clinic == admin.clinic_id) & Patient.archived_at.is_null())
                    .order_by(pw.fn.LOWER(Patient.display_name), Patient.id))
    names = dict(User.select(User.id, User.display_name).where(User.clinic == admin.clinic_id).tuples())
    return [clinic_patient_view(p, names.get(p.therapist_id)) for p in patients]


def clinic_patient_view(patient: Patient, therapist_name: str | None = None) -> dict:
    if therapist_name is None:
        therapist_name = User.get_by_id(patient.therapist_id).display_name
    return {"id": patient.id, "display_name": patient.display_name, "therapist_id": patient.therapist_id,
            "therapist_name": therapist_name}


def reassign_patient(admin: User, patient_id: int, therapist_id: int) -> Patient:
    """Move a patient of the clinic to another active therapist of the same clinic: from now
    on only that therapist sees them. Audited on the patient (``patient.reassign``, from and
    to). Raises ``NotFound`` for a patient outside the clinic, ``Invalid`` naming
    ``therapist_id`` for anyone but an active therapist of the clinic."""
    with db.atomic():
        patient = Patient.get_or_none((Patient.id == patient_id) & (Patient.clinic == admin.clinic_id)
                                      & Patient.archived_at.is_null())
        if patient is None:
            raise NotFound(_("No such patient."))
        target = User.get_or_none((User.id == therapist_id) & (User.clinic == admin.clinic_id)
                                  & (User.role == "therapist") & User.is_active)
        if target is None:
            raise Invalid(errors={"therapist_id": [_("Choose an active therapist of this clinic.")]})
        previous = patient.therapist_id
        if previous != target.id:
            Patient.update(therapist=target.id).where(Patient.id == patient.id).execute()
            patient.therapist = target
            audit.record("patient.reassign", patient, from_therapist_id=previous, to_therapist_id=target.id)
    return patient
