"""Messages between a patient and their therapist: one thread per patient.

A message is written by one side (``sender_role``: the patient, or the patient's therapist)
and read by the other; ``read_at`` is when the other side first opened the thread after it
arrived. The id is a UUID: the patient's phone makes it (so its offline outbox can send the
same message again and have it stored once, under the replay rules of
``hep.logbook.replay``: ``request_hash`` tells an identical replay from another body), the
server makes it for the therapist's. ``notified_at`` is claimed by the one queue consumer that
tells the other side (``hep.push.message_notices``).
"""
from __future__ import annotations

import peewee as pw

from hep.db import BaseModel
from hep.models.people import Patient, User, _now

SENDER_ROLES = ("patient", "therapist")
#: The most characters a message may have (what a phone screen can reasonably show).
MAX_BODY = 2000


class Message(BaseModel):
    id = pw.CharField(max_length=36, primary_key=True)
    patient = pw.ForeignKeyField(Patient, backref="messages", on_delete="CASCADE")
    sender_role = pw.CharField(max_length=10, choices=[(r, r) for r in SENDER_ROLES])
    # Who wrote it (the patient's account or a staff account); kept when the author is gone.
    author = pw.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    body = pw.TextField()
    created_at = pw.DateTimeField(default=_now)
    read_at = pw.DateTimeField(null=True)  # by the other side
    request_hash = pw.CharField(max_length=64)
    notified_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("patient", "created_at"), False),)

    @classmethod
    def unread_by(cls, reader_role: str):
        """Messages of the other side that ``reader_role`` has not read yet."""
        return cls.select().where((cls.sender_role != reader_role) & cls.read_at.is_null())
