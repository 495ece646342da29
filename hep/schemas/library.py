"""The exercise library as the API shows it."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from hep.library.catalog import PHASES


class ExerciseQuery(Schema):
    phase = fields.String(validate=validate.OneOf(PHASES))
    q = fields.String(validate=validate.Length(max=100))


class DefaultDoseOut(Schema):
    """The library's suggested dose (``hep.library.catalog.DOSE_KEYS``)."""

    sets = fields.Integer()
    reps = fields.Integer()
    hold_seconds = fields.Integer()
    rest_seconds = fields.Integer()
    side = fields.String()
    frequency_per_day = fields.Integer()
    load = fields.String(allow_none=True)


class ExerciseOut(Schema):
    id = fields.Integer()
    slug = fields.String()
    name = fields.String()
    phase = fields.String()
    category = fields.String()
    regions = fields.List(fields.String())
    equipment = fields.List(fields.String())
    summary = fields.String()
    steps = fields.List(fields.String())
    cues = fields.List(fields.String())
    safety = fields.String()
    default_dose = fields.Nested(DefaultDoseOut)
    media_url = fields.String(allow_none=True)
    clinic_id = fields.Integer(allow_none=True)


class EducationCardOut(Schema):
    slug = fields.String()
    title = fields.String()
    summary = fields.String()
    body = fields.List(fields.String())
    reading_minutes = fields.Integer()
    phase = fields.String()
