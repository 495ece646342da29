"""The devices a patient is signed in on."""
from __future__ import annotations

from marshmallow import Schema, fields

from hep.schemas.fields import Instant


class DeviceOut(Schema):
    id = fields.String(metadata={"description": "Random and unguessable; used to sign the device out"})
    label = fields.String(metadata={"description": 'Read from the browser, e.g. "Chrome on Android"'})
    browser = fields.String(allow_none=True)
    system = fields.String(allow_none=True)
    created_at = Instant(metadata={"description": "When the device signed in (joined)"})
    last_seen_at = Instant(metadata={"description": "Its last request, to within five minutes"})
    current = fields.Boolean(metadata={"description": "The device making this request"})
    notifications = fields.Boolean(metadata={"description": "It registered for push reminders"})
