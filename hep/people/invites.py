"""Single-use, expiring join links for patients. Only a hash of each token is stored."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from hep.db import db
from hep.models import Invite, Patient, User
from hep.timeutil import from_storage, to_storage, utcnow


class InviteError(Exception):
    """The token is unknown, used, revoked or expired (deliberately not said which)."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh join token (256 bits); nothing is stored until :func:`issue` is given it."""
    return secrets.token_urlsafe(32)


def issue(patient: Patient, created_by: User | None, ttl_days: int, token: str | None = None) -> tuple[str, Invite]:
    """Revoke the patient's open invites and create a new one; returns (token, invite).

    ``token`` (from :func:`new_token`) lets a caller use the link before it is stored, e.g.
    e-mail it first so that a failed sending leaves the earlier links working."""
    now = to_storage(utcnow())
    token = token or new_token()
    with db.atomic():
        Invite.update(revoked_at=now).where(
            (Invite.patient == patient) & Invite.used_at.is_null() & Invite.revoked_at.is_null()
        ).execute()
        invite = Invite.create(
            patient=patient,
            token_hash=_digest(token),
            created_by=created_by,
            created_at=now,
            expires_at=now + timedelta(days=ttl_days),
        )
    return token, invite


def redeem(token: str) -> Patient:
    """Use the invite up and return its patient; raises ``InviteError``.

    The conditional UPDATE makes redemption single-use even when two devices race.
    """
    now = to_storage(utcnow())
    invite = Invite.get_or_none(Invite.token_hash == _digest(token or ""))
    if invite is None or invite.revoked_at or invite.used_at or invite.expires_at <= now:
        raise InviteError()
    claimed = (
        Invite.update(used_at=now)
        .where((Invite.id == invite.id) & Invite.used_at.is_null() & Invite.revoked_at.is_null())
        .execute()
    )
    if claimed != 1:
        raise InviteError()
    return invite.patient


def patient_of(token: str) -> Patient | None:
    """The patient a join link was issued to, whatever its state (used, revoked, expired)."""
    invite = Invite.get_or_none(Invite.token_hash == _digest(token or ""))
    return invite.patient if invite is not None else None


def expires_at(invite: Invite):
    return from_storage(invite.expires_at)
