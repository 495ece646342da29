"""Assessments, the fear hierarchy, exposure sessions, questionnaires, per-patient settings."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from hep.schemas.fields import ClientId, Instant

_rating = lambda **kw: fields.Integer(strict=True, validate=validate.Range(0, 100), **kw)  # noqa: E731


class AssessmentIn(Schema):
    kind = fields.String(load_default="initial", validate=validate.OneOf(("initial", "reassessment")))
    assessed_on = fields.Date(required=True)
    # Checked field by field against hep.clinical.ASSESSMENT_FIELDS (errors as data.<field>).
    data = fields.Dict(keys=fields.String(), required=True)


class AssessmentOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    assessed_on = fields.Date()
    data = fields.Dict()
    red_flags = fields.List(fields.String())
    created_at = Instant()


class FieldChangeOut(Schema):
    name = fields.String()
    label = fields.String()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    direction = fields.String()


class ComparisonOut(Schema):
    before = fields.Nested(AssessmentOut)
    after = fields.Nested(AssessmentOut)
    changes = fields.List(fields.Nested(FieldChangeOut))


class CompareQuery(Schema):
    before = fields.Integer()
    after = fields.Integer()


class HierarchyItemIn(Schema):
    activity = fields.String(required=True, validate=validate.Length(min=1, max=200))
    harm_rating = _rating(required=True)


class ExposureSessionIn(Schema):
    id = ClientId(required=True)
    performed_at = Instant(required=True)
    fear_before = _rating(required=True)
    fear_after = _rating(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class ExposureSessionOut(Schema):
    id = fields.String()
    item_id = fields.Integer(attribute="item_id")
    performed_at = Instant()
    fear_before = fields.Integer()
    fear_after = fields.Integer()
    note = fields.String()
    meaningful_change = fields.Boolean()


class HierarchyItemOut(Schema):
    id = fields.Integer()
    activity = fields.String()
    harm_rating = fields.Integer()
    rank = fields.Integer()
    mastered = fields.Boolean()
    mastery_reason = fields.String()
    sessions = fields.List(fields.Nested(ExposureSessionOut))


class QuestionnaireResponseIn(Schema):
    id = ClientId(required=True)
    answers = fields.Dict(keys=fields.String(), values=fields.Integer(strict=True), required=True)
    items = fields.List(fields.String(validate=validate.Length(min=1, max=200)), load_default=None)


class QuestionnaireResponseOut(Schema):
    id = fields.String()
    instrument = fields.String()
    answers = fields.Dict()
    items = fields.List(fields.String(), allow_none=True)
    score = fields.Dict()
    recorded_at = Instant()


class SummaryQuery(Schema):
    days = fields.Integer(load_default=28, validate=validate.Range(1, 366))
