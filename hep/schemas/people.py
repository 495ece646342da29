"""Accounts, patients and invites."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from hep.models.alerts import LEVELS
from hep.schemas.fields import Instant, TimeZoneName

LOCALES = ("en", "es")


class LoginIn(Schema):
    email = fields.Email(required=True)
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class JoinIn(Schema):
    token = fields.String(required=True, validate=validate.Length(min=10, max=200))


class UserOut(Schema):
    id = fields.Integer()
    role = fields.String()
    display_name = fields.String()
    email = fields.String(allow_none=True)
    locale = fields.String(allow_none=True)
    patient_id = fields.Integer(allow_none=True)
    timezone = fields.String(allow_none=True)
    two_factor = fields.Boolean(metadata={"description": "Two-factor sign-in is on (staff)"})


class PendingSignInOut(Schema):
    step = fields.String(validate=validate.OneOf(("verify", "enrol")), metadata={
        "description": "verify: send a code to /auth/2fa/verify; enrol: set two-factor sign-in up "
                       "(/auth/2fa/setup, then /auth/2fa/confirm) before anything else"})
    expires_at = Instant()


class SessionOut(Schema):
    user = fields.Nested(UserOut, allow_none=True)
    csrf_token = fields.String()
    second_factor = fields.Nested(PendingSignInOut, allow_none=True, metadata={
        "description": "Set when the password was right and a second step is due (user is null until then)"})


class MePatchIn(Schema):
    locale = fields.String(required=True, validate=validate.OneOf(LOCALES))


class PatientIn(Schema):
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    timezone = TimeZoneName(required=True)
    email = fields.Email(load_default=None, allow_none=True)


class SessionsTodayOut(Schema):
    done = fields.Integer()
    target = fields.Integer()


class FlagOut(Schema):
    """Why a patient needs attention (one per alert code, most severe first)."""

    code = fields.String()
    level = fields.String(validate=validate.OneOf(LEVELS))
    label = fields.String()
    detail = fields.String()
    alert_id = fields.Integer(allow_none=True, metadata={
        "description": "The stored alert behind the flag; null for not_joined (the patient has not joined yet) "
                       "and self_progressed (the patient changed the program)"})


class PatientOut(Schema):
    id = fields.Integer()
    display_name = fields.String()
    timezone = fields.String()
    email = fields.String(allow_none=True)
    created_at = Instant()
    joined = fields.Boolean()
    phase = fields.String(allow_none=True)
    self_progressed = fields.Boolean(metadata={"description": "The current program version was made by the patient."})
    flags = fields.List(fields.Nested(FlagOut))
    last_activity = fields.Date(allow_none=True)
    sessions_today = fields.Nested(SessionsTodayOut)


class PatientCreatedOut(PatientOut):
    invite_url = fields.String()
    expires_at = Instant()


class InviteOut(Schema):
    invite_url = fields.String()
    expires_at = Instant()
