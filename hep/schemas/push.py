"""Push subscriptions as the browser sends them, and the patient's reminder settings."""
from __future__ import annotations

import base64
import binascii

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from hep.schemas.fields import Instant, LocalTime, TimeZoneName

MAX_TIMES = 6


def _b64url(text: str) -> bytes:
    if not isinstance(text, str) or not text or "=" in text.rstrip("=") or any(c in text for c in "+/ \n"):
        raise ValidationError("Not base64url.")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValidationError("Not base64url.") from None


class SubscriptionKeysIn(Schema):
    p256dh = fields.String(required=True)
    auth = fields.String(required=True)

    @validates("p256dh")
    def _p256dh(self, value: str, **_kwargs) -> None:
        raw = _b64url(value)
        if len(raw) != 65 or raw[0] != 0x04:
            raise ValidationError("Must be an uncompressed P-256 public key (65 bytes).")
        from cryptography.hazmat.primitives.asymmetric import ec

        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        except ValueError:
            raise ValidationError("Not a point on the P-256 curve.") from None

    @validates("auth")
    def _auth(self, value: str, **_kwargs) -> None:
        if len(_b64url(value)) != 16:
            raise ValidationError("Must be a 16-byte secret.")


class SubscriptionIn(Schema):
    """``PushSubscription.toJSON()``."""

    endpoint = fields.String(required=True, validate=validate.Length(min=1, max=2048))
    expirationTime = fields.Float(allow_none=True, load_default=None)  # noqa: N815 (browser's name)
    keys = fields.Nested(SubscriptionKeysIn, required=True)


class UnsubscribeIn(Schema):
    endpoint = fields.String(required=True, validate=validate.Length(min=1, max=2048))


class SubscriptionOut(Schema):
    id = fields.Integer()
    endpoint = fields.String()
    created_at = Instant()


class PublicKeyOut(Schema):
    public_key = fields.String()


class RemindersIn(Schema):
    enabled = fields.Boolean(required=True)
    timezone = TimeZoneName(load_default=None)
    times = fields.List(LocalTime(), required=True, validate=validate.Length(max=MAX_TIMES))
    days = fields.List(fields.Integer(strict=True, validate=validate.Range(1, 7)), required=True,
                       validate=validate.Length(min=1, max=7))
    quiet_start = LocalTime(load_default=None, allow_none=True)
    quiet_end = LocalTime(load_default=None, allow_none=True)

    @validates("times")
    def _unique_times(self, value: list, **_kwargs) -> None:
        if len(set(value)) != len(value):
            raise ValidationError("Each time only once.")

    @validates("days")
    def _unique_days(self, value: list, **_kwargs) -> None:
        if len(set(value)) != len(value):
            raise ValidationError("Each day only once.")

    @validates_schema
    def _quiet_pair(self, data: dict, **_kwargs) -> None:
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if (start is None) != (end is None):
            missing = "quiet_end" if end is None else "quiet_start"
            raise ValidationError("Give both quiet_start and quiet_end, or neither.", missing)
        if data.get("enabled") and not data.get("times"):
            raise ValidationError("Pick at least one time to turn reminders on.", "times")


class RemindersOut(Schema):
    enabled = fields.Boolean()
    timezone = fields.String()
    times = fields.List(fields.String())
    days = fields.List(fields.Integer())
    quiet_start = fields.String(allow_none=True)
    quiet_end = fields.String(allow_none=True)
    next_at = Instant(allow_none=True)


class SnoozeIn(Schema):
    minutes = fields.Integer(strict=True, load_default=60, validate=validate.Range(5, 12 * 60))


class SnoozeOut(Schema):
    at = Instant()
    devices = fields.Integer()
