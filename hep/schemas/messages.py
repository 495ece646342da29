"""Messages between a patient and their therapist."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from hep.models.messages import MAX_BODY, SENDER_ROLES
from hep.schemas.fields import ClientId, Instant

_BODY = {"description": f"The message, plain text: 1 to {MAX_BODY} characters once leading and trailing "
                        "blanks are removed."}


class MessageIn(Schema):
    """A therapist's message."""

    body = fields.String(required=True, validate=validate.Length(min=1, max=MAX_BODY), metadata=_BODY)


class PatientMessageIn(MessageIn):
    """A patient's message, with the phone's id so the offline outbox can send it again."""

    id = ClientId(required=True, metadata={"description": "Client UUID: 201 new, 200 identical replay, "
                                                          "409 same id with another body."})


class MessageOut(Schema):
    id = fields.String()
    sender_role = fields.String(validate=validate.OneOf(SENDER_ROLES))
    author_name = fields.String(allow_none=True, metadata={"description": "Who wrote it (null: account gone)."})
    body = fields.String()
    created_at = Instant()
    read_at = Instant(allow_none=True, metadata={"description": "When the other side opened the thread after it "
                                                                "arrived; null while unread."})
