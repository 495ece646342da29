"""The exercise library as the API shows it."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from hep.library.catalog import DIRECTIONS, ENTRY_CRITERIA, EQUIPMENT, IRRITABILITY, PHASES, REGIONS


class ExerciseQuery(Schema):
    phase = fields.String(validate=validate.OneOf(PHASES))
    q = fields.String(validate=validate.Length(max=100))
    family = fields.String(validate=validate.Length(max=120), metadata={"description": "Only this progression ladder."})
    direction = fields.String(validate=validate.OneOf(DIRECTIONS),
                              metadata={"description": "Only exercises suiting this directional preference (tags.direction)."})
    irritability = fields.String(validate=validate.OneOf(IRRITABILITY),
                                 metadata={"description": "Only exercises suiting this irritability (in tags.irritability)."})
    region = fields.String(validate=validate.OneOf(REGIONS), metadata={"description": "Only exercises for this region."})
    equipment = fields.String(validate=validate.OneOf((*EQUIPMENT, "none")),
                              metadata={"description": 'Only exercises using this equipment ("none": needing nothing).'})


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


class EntryCriterionOut(Schema):
    """What the patient must manage before starting impact, plyometric or running work."""

    criterion = fields.String(metadata={"enum": list(ENTRY_CRITERIA)})
    minimum = fields.Integer()


class ExerciseTagsOut(Schema):
    direction = fields.String(metadata={"enum": list(DIRECTIONS)})
    irritability = fields.List(fields.String(metadata={"enum": list(IRRITABILITY)}))
    loaded = fields.Boolean(metadata={"description": "Carries an external load."})
    entry = fields.Nested(EntryCriterionOut, allow_none=True)


class LibraryExerciseOut(ExerciseOut):
    """An exercise in the library, with its place in its progression ladder."""

    family = fields.String(allow_none=True, metadata={"description": "Its progression ladder; null for a clinic's own."})
    easier = fields.Integer(allow_none=True, metadata={"description": "Id of the next easier exercise in the family."})
    harder = fields.Integer(allow_none=True, metadata={"description": "Id of the next harder exercise in the family."})
    tags = fields.Nested(ExerciseTagsOut, metadata={"description": "Empty for a clinic's own exercise."})


class EducationCardOut(Schema):
    slug = fields.String()
    title = fields.String()
    summary = fields.String()
    body = fields.List(fields.String())
    reading_minutes = fields.Integer()
    phase = fields.String()
