"""The one thread of a patient: post a message, read the thread, mark it read, count unread.

Each side is named by its role: ``"patient"`` (the patient's own account, from the app) or
``"therapist"`` (the patient's therapist, from the page or the API). Access is checked by the
caller through ``hep.people.access``; these functions trust the patient they are given.
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence

import peewee as pw
from flask_babel import gettext as _

from hep.errors import Invalid
from hep.logbook.replay import body_hash, store_once
from hep.models import Message, Patient, User
from hep.models.messages import MAX_BODY, SENDER_ROLES
from hep.people import audit
from hep.timeutil import to_storage, utcnow


def post_message(patient: Patient, author: User, role: str, body: str,
                 client_id: str | None = None) -> tuple[Message, bool]:
    """Store a message from ``role``'s side of ``patient``'s thread; (message, created).

    ``client_id`` (the phone's UUID) makes the post replay-safe (``hep.logbook.replay``): an
    identical replay returns the stored message, the same id with another body or from another
    patient raises ``Conflict``. Without it the server picks the id. Raises ``Invalid`` for an
    empty or too long body, or one the database cannot store (see ``_storable``). A new message notifies the other side (through the queue).
    """
    if role not in SENDER_ROLES:
        raise ValueError(f"unknown sender role {role!r}")
    text = body.strip()
    if not text:
        raise Invalid(errors={"body": [_("Write a message first.")]})
    if len(text) > MAX_BODY:
        raise Invalid(errors={"body": [_("At most {n} characters.").format(n=MAX_BODY)]})
    if not _storable(text):
        raise Invalid(errors={"body": [_("This text holds characters that cannot be stored.")]})
    record_id = client_id or str(uuid.uuid4())
    digest = body_hash({"id": record_id, "body": text})

    def create() -> Message:
        return Message.create(id=record_id, patient=patient, sender_role=role, author=author.id, body=text,
                              request_hash=digest)

    message, created = store_once(Message, record_id, digest,
                                  lambda m: m.patient_id == patient.id and m.sender_role == role, create)
    if created:
        audit.record("message.create", patient=patient, message=message.id)
        from hep.push.message_notices import message_posted

        message_posted(message)
    return message, created


def _storable(text: str) -> bool:
    """False for a NUL (PostgreSQL's text cannot hold it) or a lone surrogate (JSON's ``\\ud800``
    is no UTF-8): the database would fail on them, which is a 500, not a 422."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def thread(patient: Patient, reader_role: str) -> list[Message]:
    """The whole thread, oldest first, after marking the other side's messages read by
    ``reader_role`` (opening the thread is reading it)."""
    mark_read(patient, reader_role)
    return list(Message.select(Message, User).join(User, pw.JOIN.LEFT_OUTER, on=(Message.author == User.id))
                .where(Message.patient == patient.id)
                .order_by(Message.created_at, Message.id))


def mark_read(patient: Patient, reader_role: str) -> int:
    """Mark every message of the other side in ``patient``'s thread read now; how many were
    unread."""
    if reader_role not in SENDER_ROLES:
        raise ValueError(f"unknown reader role {reader_role!r}")
    return (Message.update(read_at=to_storage(utcnow()))
            .where((Message.patient == patient.id) & (Message.sender_role != reader_role)
                   & Message.read_at.is_null())
            .execute())


def unread_counts(patients: Sequence[Patient], reader_role: str) -> dict[int, int]:
    """How many messages of the other side each patient's thread holds that ``reader_role``
    has not read: one grouped statement for any number of patients (0 for none unread)."""
    counts = {p.id: 0 for p in patients}
    if not counts:
        return counts
    rows = (Message.unread_by(reader_role)
            .select(Message.patient, pw.fn.COUNT(Message.id))
            .where(Message.patient.in_(sorted(counts)))
            .group_by(Message.patient).tuples())
    for patient_id, count in rows:
        counts[patient_id] = count
    return counts


def message_view(message: Message) -> dict:
    """A message as the API and the pages show it."""
    author = message.author if message.author_id is not None else None
    return {
        "id": message.id,
        "sender_role": message.sender_role,
        "author_name": author.display_name if author is not None else None,
        "body": message.body,
        "created_at": message.created_at,
        "read_at": message.read_at,
    }
