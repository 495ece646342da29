"""Creating patients and their join links."""
from __future__ import annotations

from flask import current_app, request, url_for

from hep.db import db
from hep.models import Invite, Patient, User
from hep.people import audit, invites


def create_patient(therapist: User, display_name: str, timezone: str, email: str | None) -> Patient:
    """A patient of ``therapist`` with a sign-in account of their own (no password)."""
    with db.atomic():
        user = User.create(clinic=therapist.clinic_id, role="patient", display_name=display_name)
        patient = Patient.create(
            clinic=therapist.clinic_id,
            therapist=therapist,
            user=user,
            display_name=display_name,
            email=email,
            timezone=timezone,
        )
        audit.record("patient.create", patient=patient)
    return patient


def invite_url(token: str) -> str:
    """The public join URL for ``token`` (``BASE_URL`` if set, else the request's host)."""
    base = current_app.config.get("BASE_URL")
    path = url_for("patient.join", token=token)
    if base:
        return base.rstrip("/") + path
    return request.host_url.rstrip("/") + path


def issue_invite(patient: Patient, created_by: User | None, token: str | None = None,
                 **detail) -> tuple[str, object]:
    """A new join link for ``patient`` (earlier open links are revoked): (url, invite).

    Audited as ``invite.issue`` with ``detail`` (e.g. ``sent_to``, ``purpose``); ``token`` as
    in :func:`hep.people.invites.issue`."""
    token, invite = invites.issue(patient, created_by, current_app.config["INVITE_TTL_DAYS"], token)
    audit.record("invite.issue", patient=patient, **detail)
    return invite_url(token), invite


def has_joined(patient: Patient) -> bool:
    """True once one of the patient's join links has been used."""
    return Invite.select().where((Invite.patient == patient) & Invite.used_at.is_null(False)).exists()
