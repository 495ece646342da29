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


class SessionOut(Schema):
    user = fields.Nested(UserOut, allow_none=True)
    csrf_token = fields.String()


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
    alert_id = fields.Integer(metadata={"description": "The stored alert behind the flag"})


class PatientOut(Schema):
    id = fields.Integer()
    display_name = fields.String()
    timezone = fields.String()
    email = fields.String(allow_none=True)
    created_at = Instant()
    joined = fields.Boolean()
    phase = fields.String(allow_none=True)
    flags = fields.List(fields.Nested(FlagOut))
    last_activity = fields.Date(allow_none=True)
    sessions_today = fields.Nested(SessionsTodayOut)


class PatientCreatedOut(PatientOut):
    invite_url = fields.String()
    expires_at = Instant()


class InviteOut(Schema):
    invite_url = fields.String()
    expires_at = Instant()
