"""Accounts, patients and invites."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from hep.care.attention import FLAG_CODES, SORTS
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
    unread_messages = fields.Integer(allow_none=True, metadata={
        "description": "Patients: the therapist's messages not read yet (GET /api/v1/messages reads them); "
                       "null for staff"})


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


class PatientListQuery(Schema):
    """Search, filter and order of the patient list (``hep.care.attention.patient_list``)."""

    q = fields.String(load_default="", validate=validate.Length(max=200),
                      metadata={"description": "Only patients whose name contains this (ignoring case and accents)"})
    flag = fields.String(load_default=None, validate=validate.OneOf(FLAG_CODES),
                         metadata={"description": "Only patients carrying this flag code"})
    sort = fields.String(load_default="urgency", validate=validate.OneOf(SORTS), metadata={
        "description": "urgency: most severe flag first; last_activity: latest first; name"})


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
    last_activity = fields.Date(allow_none=True, metadata={
        "description": "The latest local day with a logged session or a check-in"})
    last_checkin = fields.Date(allow_none=True, metadata={"description": "The latest morning check-in's day"})
    sessions_today = fields.Nested(SessionsTodayOut)
    unread_messages = fields.Integer(metadata={"description": "The patient's messages the therapist has not read"})


class PatientCreatedOut(PatientOut):
    invite_url = fields.String()
    expires_at = Instant()


class InviteIn(Schema):
    send_to = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=320), metadata={
        "description": "E-mail the new link to this address (through HEP_SMTP_URL); 409 when e-mail is "
                       "not configured and 502 when the mail server refuses, with nothing changed"})


class InviteOut(Schema):
    invite_url = fields.String()
    expires_at = Instant()
    sent_to = fields.String(allow_none=True, metadata={"description": "Where the link was e-mailed, if it was"})
