"""The exercise library as the API shows it."""
from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from hep.clinical.limits import DOSE_LIMITS
from hep.library.catalog import (
    CATEGORIES,
    DIRECTIONS,
    ENTRY_CRITERIA,
    EQUIPMENT,
    IRRITABILITY,
    PHASES,
    REGIONS,
    SIDES,
)
from hep.schemas.fields import RecordId


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
    media_url = fields.String(allow_none=True, metadata={"description": "The shipped illustration (static)."})
    image_url = fields.String(allow_none=True, metadata={"description": "The clinic's uploaded picture, if any."})
    video_url = fields.String(allow_none=True, metadata={"description": "The clinic's uploaded video, if any."})
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


def _dose_count(name: str) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(*DOSE_LIMITS[name]))


class DefaultDoseIn(Schema):
    """A clinic's own exercise's suggested dose; fields left out take the values below."""

    sets = _dose_count("sets")
    reps = _dose_count("reps")
    hold_seconds = _dose_count("hold_seconds")
    rest_seconds = _dose_count("rest_seconds")
    side = fields.String(validate=validate.OneOf(SIDES))
    frequency_per_day = _dose_count("frequency_per_day")
    load = fields.String(allow_none=True, validate=validate.Length(max=100))


def _texts(low: int, high: int, **kwargs) -> fields.List:
    return fields.List(fields.String(validate=validate.Length(min=1, max=500)),
                       validate=validate.Length(min=low, max=high), **kwargs)


class OwnExerciseIn(Schema):
    """A clinic's own exercise, in the shipped library's fields (English or any language the
    clinic writes in; no translations). ``easier``/``harder`` name exercises the clinic sees."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    phase = fields.String(required=True, validate=validate.OneOf(PHASES))
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    regions = fields.List(fields.String(validate=validate.OneOf(REGIONS)), required=True,
                          validate=validate.Length(min=1, max=len(REGIONS)))
    equipment = fields.List(fields.String(validate=validate.OneOf(EQUIPMENT)), load_default=list,
                            validate=validate.Length(max=len(EQUIPMENT)))
    summary = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    steps = _texts(1, 10, required=True)
    cues = _texts(0, 6, load_default=list)
    safety = fields.String(load_default="", validate=validate.Length(max=2000))
    default_dose = fields.Nested(DefaultDoseIn, load_default=dict)
    easier = RecordId(allow_none=True, metadata={"description": "Id of an easier exercise the clinic sees."})
    harder = RecordId(allow_none=True, metadata={"description": "Id of a harder exercise the clinic sees."})


class OwnExerciseChangeIn(OwnExerciseIn):
    """A change to the clinic's own exercise: only the fields given change (the slug stays)."""

    name = fields.String(validate=validate.Length(min=1, max=200))
    phase = fields.String(validate=validate.OneOf(PHASES))
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    regions = fields.List(fields.String(validate=validate.OneOf(REGIONS)), validate=validate.Length(min=1, max=len(REGIONS)))
    equipment = fields.List(fields.String(validate=validate.OneOf(EQUIPMENT)), validate=validate.Length(max=len(EQUIPMENT)))
    summary = fields.String(validate=validate.Length(min=1, max=2000))
    steps = _texts(1, 10)
    cues = _texts(0, 6)
    safety = fields.String(validate=validate.Length(max=2000))
    default_dose = fields.Nested(DefaultDoseIn, metadata={"description": "Fields given replace those stored."})


class MediaUploadIn(Schema):
    """``multipart/form-data`` with one ``file``: a PNG, JPEG, WebP or GIF picture, or an MP4
    or WebM video, recognised by its content; at most ``HEP_MEDIA_MAX_MB`` megabytes."""

    file = Upload(required=True)
