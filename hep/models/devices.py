"""The browsers and phones a user is signed in on, one row per sign-in."""
from __future__ import annotations

import peewee as pw

from hep.db import BaseModel
from hep.models.people import User, _now


class DeviceSession(BaseModel):
    """One sign-in on one browser or phone (a patient's join, a therapist's password sign-in).

    ``id`` is random and unguessable; it is the third part of the login id
    ``"<user id>:<session version>:<device id>"`` that the session and remember-me cookies
    carry. The row belongs to the user's ``session_version`` at sign-in, so bumping the
    version ends it with every other session. ``browser`` and ``system`` are short names read
    from the User-Agent ("Chrome", "Android"); the User-Agent itself is not kept.
    """

    id = pw.CharField(max_length=43, primary_key=True)
    user = pw.ForeignKeyField(User, backref="devices", on_delete="CASCADE")
    session_version = pw.IntegerField()
    browser = pw.CharField(max_length=40, null=True)
    system = pw.CharField(max_length=40, null=True)
    created_at = pw.DateTimeField(default=_now)
    last_seen_at = pw.DateTimeField(default=_now)
    revoked_at = pw.DateTimeField(null=True)

    @classmethod
    def active_of(cls, user: User):
        """The user's devices still signed in, most recently used first."""
        return (cls.select()
                .where((cls.user == user) & cls.revoked_at.is_null()
                       & (cls.session_version == user.session_version))
                .order_by(cls.last_seen_at.desc(), cls.created_at.desc()))
