"""Account security: a staff user's TOTP second factor, its recovery codes, password resets."""
from __future__ import annotations

import peewee as pw

from hep.db import BaseModel
from hep.models.people import User, _now


class SecondFactor(BaseModel):
    """A user's TOTP authenticator; on only once ``confirmed_at`` is set.

    ``secret`` is the base32 secret encrypted with a key derived from the app's secret key
    (``hep.people.totp``). ``last_step`` is the 30-second step of the last accepted code, so
    the same code (or an older one) cannot be used twice.
    """

    user = pw.ForeignKeyField(User, unique=True, backref="second_factor", on_delete="CASCADE")
    secret = pw.CharField(max_length=300)
    created_at = pw.DateTimeField(default=_now)
    confirmed_at = pw.DateTimeField(null=True)
    last_step = pw.BigIntegerField(null=True)


class RecoveryCode(BaseModel):
    """A single-use code that stands in for a TOTP code; only its SHA-256 is stored."""

    user = pw.ForeignKeyField(User, backref="recovery_codes", on_delete="CASCADE")
    code_hash = pw.CharField(max_length=64)
    created_at = pw.DateTimeField(default=_now)
    used_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("user", "code_hash"), True),)


class PasswordReset(BaseModel):
    """A single-use, expiring password-reset link. Only the token's SHA-256 is stored."""

    user = pw.ForeignKeyField(User, backref="password_resets", on_delete="CASCADE")
    token_hash = pw.CharField(max_length=64, unique=True)
    created_at = pw.DateTimeField(default=_now)
    expires_at = pw.DateTimeField()
    used_at = pw.DateTimeField(null=True)
    revoked_at = pw.DateTimeField(null=True)
