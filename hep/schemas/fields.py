"""Field types shared by the schemas."""
from __future__ import annotations

import datetime as dt
import re
from typing import ClassVar

from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.routing import IntegerConverter

from hep.timeutil import from_storage, is_valid_zone

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# The largest id a primary key holds (PostgreSQL's SERIAL is 32-bit): a larger number names no
# record, and sent to the database it would overflow its integer (an error, not a "not found").
MAX_ID = 2**31 - 1
# Instants a client may send: any later moment of the years 1900 to 2999 in UTC. Outside, the
# services' arithmetic (to UTC, to the patient's day) would leave datetime's range (years 1-9999).
INSTANT_YEARS = (1900, 2999)


class Instant(fields.AwareDateTime):
    """An instant: input needs a UTC offset and a year in :data:`INSTANT_YEARS`; stored
    naive-UTC values are output with +00:00 (a service may hand over ISO text already; it is
    read back and written out the same)."""

    def _deserialize(self, value, attr, data, **kwargs):
        instant = super()._deserialize(value, attr, data, **kwargs)
        try:
            year = instant.astimezone(dt.UTC).year
        except OverflowError:
            year = None
        if year is None or not INSTANT_YEARS[0] <= year <= INSTANT_YEARS[1]:
            raise ValidationError("Use a date and time between the years {} and {}.".format(*INSTANT_YEARS))
        return instant

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if isinstance(value, dt.datetime):
            value = from_storage(value)
        return super()._serialize(value, attr, obj, **kwargs)


class IsoDate(fields.Date):
    """A calendar date (the engine's ``to_dict`` hands over ISO text: read back, written the same)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, str):
            value = dt.date.fromisoformat(value)
        return super()._serialize(value, attr, obj, **kwargs)


class Real(fields.Float):
    """A JSON number (whole or not) read as a float; text such as ``"1.5"`` is refused."""

    def _validated(self, value):
        if isinstance(value, str):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class MappingOut(Schema):
    """A response that is one JSON object from arbitrary string keys to values of one shape,
    ``mapping_of`` (e.g. instrument code -> history). Documented in the OpenAPI document as
    ``additionalProperties`` by :class:`hep.schemas.docs.SchemaPlugin`."""

    mapping_of: ClassVar[type[Schema]]

    @classmethod
    def as_field(cls) -> fields.Dict:
        return fields.Dict(keys=fields.String(), values=fields.Nested(cls.mapping_of))

    def dump(self, obj, *, many=None):
        if many if many is not None else self.many:
            return [self.dump(item, many=False) for item in obj]
        return self.as_field().serialize("value", {"value": obj})


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


def RecordId(**kwargs) -> fields.Integer:
    """A reference to a stored record by id (1 to :data:`MAX_ID`)."""
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


class RecordIdConverter(IntegerConverter):
    """The URL converter for ``<int:...>`` (every one names a record): 1 to :data:`MAX_ID`, so a
    larger number is a 404 like any unknown id; documented as the path parameter's bounds."""

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def Score(**kwargs) -> fields.Integer:
    """A 0-10 rating (NPRS, RPE)."""
    return fields.Integer(strict=True, validate=validate.Range(0, 10), **kwargs)
