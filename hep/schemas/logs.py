"""Completions and check-ins as patients send them (with client UUIDs) and as we answer."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from hep.models.logs import DISTAL_SYMPTOMS, SETTLED
from hep.schemas.fields import ClientId, Instant, RecordId, Score


class CorrectionIn(Schema):
    id = ClientId(required=True)
    sets_done = fields.Integer(strict=True, required=True, validate=validate.Range(0, 50))
    reps_done = fields.Integer(strict=True, required=True, validate=validate.Range(0, 1000))
    pain_during = Score(required=True)
    pain_after = Score(required=True)
    effort = Score(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class CompletionIn(CorrectionIn):
    prescription_id = RecordId(required=True)
    performed_at = Instant(required=True)


class CompletionOut(Schema):
    id = fields.String()
    prescription_id = fields.Integer(attribute="prescription_id")
    exercise_name = fields.String()
    performed_at = Instant()
    local_date = fields.Date()
    sets_done = fields.Integer()
    reps_done = fields.Integer()
    pain_during = fields.Integer()
    pain_after = fields.Integer()
    effort = fields.Integer()
    note = fields.String()
    recorded_at = Instant()
    supersedes = fields.String(attribute="supersedes_id", allow_none=True)
    superseded_at = Instant(allow_none=True)


class CheckInIn(Schema):
    id = ClientId(required=True)
    date = fields.Date(required=True)
    morning_pain = Score(required=True)
    settled = fields.String(required=True, validate=validate.OneOf(SETTLED))
    distal_symptom = fields.String(required=True, validate=validate.OneOf(DISTAL_SYMPTOMS))
    new_numbness_or_weakness = fields.Boolean(required=True)
    red_flag_change = fields.Boolean(required=True)
    # Optional, without defaults: a body an older client sends hashes as it did before, so
    # its offline replays still match (see hep.logbook.replay).
    back_pain = Score(allow_none=True)
    leg_pain = Score(allow_none=True)
    weakness_worse = fields.Boolean(metadata={"description": "New trouble lifting the foot, walking on "
                                                             "heels or toes, or tripping"})


class CheckInCorrectionIn(CheckInIn):
    """The answers that replace a check-in; its day stays the original's."""

    class Meta:
        exclude = ("date",)


class CheckInOut(Schema):
    id = fields.String()
    date = fields.Date()
    morning_pain = fields.Integer()
    settled = fields.String()
    distal_symptom = fields.String()
    new_numbness_or_weakness = fields.Boolean()
    red_flag_change = fields.Boolean()
    back_pain = fields.Integer(allow_none=True)
    leg_pain = fields.Integer(allow_none=True)
    weakness_worse = fields.Boolean()
    recorded_at = Instant()
    superseded_at = Instant(allow_none=True)
    supersedes = fields.String(attribute="supersedes_id", allow_none=True)
    urgent = fields.Boolean()
    message = fields.String(allow_none=True)


class DaysQuery(Schema):
    days = fields.Integer(load_default=28, validate=validate.Range(1, 366))


class LogFilterQuery(Schema):
    """The patient page's log filter (a GET form): an exercise, and local days from..to.
    Empty fields mean no filter; unknown query parameters are left to the page."""

    class Meta:
        unknown = EXCLUDE

    exercise = fields.Integer(load_default=None, allow_none=True)
    since = fields.Date(data_key="from", load_default=None, allow_none=True)
    until = fields.Date(data_key="to", load_default=None, allow_none=True)

    @validates_schema
    def _ordered(self, data: dict, **_kwargs) -> None:
        if data["since"] and data["until"] and data["since"] > data["until"]:
            raise ValidationError("The first day must not be after the last.", "to")
