"""Account security: the second factor and password reset."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from hep.schemas.fields import Instant
from hep.schemas.people import SessionOut

CODE = validate.Length(min=6, max=40)


class CodeIn(Schema):
    code = fields.String(required=True, validate=CODE, metadata={
        "description": "The 6-digit code of the authenticator app, or a recovery code"})


class TwoFactorDisableIn(Schema):
    """A current code or the password proves it is the account's owner."""

    code = fields.String(load_default="", validate=validate.Length(max=40))
    password = fields.String(load_default="", validate=validate.Length(max=200))

    @validates_schema
    def one_of_them(self, data, **_kwargs):
        if not data.get("code") and not data.get("password"):
            raise ValidationError("Missing data for required field.", "code")


class TwoFactorStatusOut(Schema):
    enabled = fields.Boolean()
    enabled_at = Instant(allow_none=True)
    recovery_codes_left = fields.Integer()
    required = fields.Boolean(metadata={"description": "HEP_REQUIRE_2FA applies to this account (admins)"})


class EnrolmentOut(Schema):
    secret = fields.String(metadata={"description": "Base32 secret, to type in by hand"})
    otpauth_uri = fields.String()
    qr_svg = fields.String(metadata={"description": "An SVG QR code of otpauth_uri"})
    csrf_token = fields.String()


class RecoveryCodesOut(SessionOut):
    recovery_codes = fields.List(fields.String(), metadata={
        "description": "Ten single-use codes, shown this once (only their hashes are kept)"})


class ResetRequestIn(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=320))


class AcceptedOut(Schema):
    detail = fields.String()


class ResetConfirmIn(Schema):
    token = fields.String(required=True, validate=validate.Length(min=10, max=200))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))
