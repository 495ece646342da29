"""The clinic's admin: its staff, inviting and disabling therapists, reassigning patients."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from hep.schemas.fields import Instant, RecordId


class StaffOut(Schema):
    """A therapist or admin of the clinic."""

    id = fields.Integer()
    email = fields.String(allow_none=True)
    display_name = fields.String()
    role = fields.String(validate=validate.OneOf(("therapist", "admin")))
    active = fields.Boolean(metadata={"description": "False once disabled: cannot sign in"})
    invited = fields.Boolean(metadata={"description": "Invited and no password set yet"})
    patients = fields.Integer(metadata={"description": "Patients assigned to them"})
    last_login_at = Instant(allow_none=True)
    created_at = Instant()


class TherapistInviteIn(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=320))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TherapistInvitedOut(StaffOut):
    set_password_url = fields.String(allow_none=True, metadata={
        "description": "The one-time link to choose a password, shown this once; null when it was e-mailed"})
    emailed = fields.Boolean(metadata={"description": "The link went to the therapist by e-mail (HEP_SMTP_URL)"})
    expires_at = Instant()


class ClinicPatientOut(Schema):
    """A patient of the clinic as an admin sees it: the name and the therapist, nothing clinical."""

    id = fields.Integer()
    display_name = fields.String()
    therapist_id = fields.Integer()
    therapist_name = fields.String()


class ReassignIn(Schema):
    therapist_id = RecordId(required=True, metadata={"description": "An active therapist of the same clinic"})
