"""Field types shared by the schemas."""
from __future__ import annotations

import datetime as dt
import re

from marshmallow import ValidationError, fields

from hep.timeutil import from_storage, is_valid_zone

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class Instant(fields.AwareDateTime):
    """An instant: input needs a UTC offset; stored naive-UTC values are output with +00:00."""

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, dt.datetime):
            value = from_storage(value)
        return super()._serialize(value, attr, obj, **kwargs)


class TimeZoneName(fields.String):
    """An IANA time zone name such as ``Europe/Madrid``."""

    def _deserialize(self, value, attr, data, **kwargs):
        name = super()._deserialize(value, attr, data, **kwargs)
        if not is_valid_zone(name):
            raise ValidationError("Unknown time zone; use an IANA name such as Europe/Madrid.")
        return name


class LocalTime(fields.String):
    """A local wall-clock time ``HH:MM`` (24 h)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not _HHMM.match(text):
            raise ValidationError("Use a 24-hour time such as 08:00.")
        return text


class ClientId(fields.UUID):
    """A client-generated UUID, kept as its canonical lower-case string."""

    def _deserialize(self, value, attr, data, **kwargs):
        return str(super()._deserialize(value, attr, data, **kwargs))


def Score(**kwargs) -> fields.Integer:
    """A 0-10 rating (NPRS, RPE)."""
    from marshmallow import validate

    return fields.Integer(strict=True, validate=validate.Range(0, 10), **kwargs)
