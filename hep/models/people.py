"""Clinics, user accounts, patients and their invite links."""
from __future__ import annotations

import peewee as pw

from hep.db import BaseModel, JSONField
from hep.timeutil import to_storage, utcnow

ROLES = ("therapist", "patient", "admin")


def _now():
    return to_storage(utcnow())


class Clinic(BaseModel):
    name = pw.CharField(max_length=200)
    created_at = pw.DateTimeField(default=_now)


class User(BaseModel):
    """Anyone who signs in. Patients have no email or password: they join by invite link.

    ``session_version`` is part of the login id: bumping it ends every session and
    remember-me cookie of this user (logout, password change, disable).
    """

    clinic = pw.ForeignKeyField(Clinic, backref="users", on_delete="CASCADE")
    role = pw.CharField(max_length=20, choices=[(r, r) for r in ROLES])
    email = pw.CharField(max_length=320, unique=True, null=True)
    password_hash = pw.CharField(max_length=300, null=True)
    display_name = pw.CharField(max_length=200)
    locale = pw.CharField(max_length=10, null=True)
    session_version = pw.IntegerField(default=1)
    is_active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=_now)
    last_login_at = pw.DateTimeField(null=True)

    # flask-login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """The login id: ``"<id>:<session version>:<device id>"`` once signed in on a device
        (``hep.people.devices``), ``"<id>:<session version>"`` before."""
        device_id = getattr(self, "device_id", None)
        return f"{self.id}:{self.session_version}" + (f":{device_id}" if device_id else "")

    def end_sessions(self) -> None:
        """Invalidate every session and remember cookie of this user."""
        User.update(session_version=User.session_version + 1).where(User.id == self.id).execute()
        self.session_version += 1

    @classmethod
    def by_email(cls, email: str) -> User | None:
        return cls.get_or_none(cls.email == normalise_email(email))


def normalise_email(email: str) -> str:
    return email.strip().lower()


class Patient(BaseModel):
    """A person under a therapist's care; ``user`` is the account used on their devices."""

    clinic = pw.ForeignKeyField(Clinic, backref="patients", on_delete="CASCADE")
    therapist = pw.ForeignKeyField(User, backref="patients", on_delete="RESTRICT")
    user = pw.ForeignKeyField(User, unique=True, backref="patient_profile", on_delete="CASCADE")
    display_name = pw.CharField(max_length=200)
    email = pw.CharField(max_length=320, null=True)
    timezone = pw.CharField(max_length=64)
    # Per-patient overrides of the clinical thresholds (hep.clinical.ClinicalSettings).
    clinical_settings = JSONField(default=dict)
    created_at = pw.DateTimeField(default=_now)
    archived_at = pw.DateTimeField(null=True)
    # Which outcome measures the patient is asked, every how many days ({code: days});
    # None: the defaults of hep.care.outcomes.REPEAT_DAYS.
    questionnaire_schedule = JSONField(null=True)

    @classmethod
    def of_therapist(cls, therapist: User):
        return cls.select().where((cls.therapist == therapist) & cls.archived_at.is_null())


class Invite(BaseModel):
    """A single-use, expiring join link. Only the token's SHA-256 is stored."""

    patient = pw.ForeignKeyField(Patient, backref="invites", on_delete="CASCADE")
    token_hash = pw.CharField(max_length=64, unique=True)
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=_now)
    expires_at = pw.DateTimeField()
    used_at = pw.DateTimeField(null=True)
    revoked_at = pw.DateTimeField(null=True)
