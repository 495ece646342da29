"""The patient's progress page: adherence calendar, streak, questionnaires due, education."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from hep.schemas.library import EducationCardOut


class DayOut(Schema):
    date = fields.Date()
    sessions_done = fields.Integer()
    sessions_target = fields.Integer()
    pain_during_avg = fields.Float(allow_none=True)
    morning_pain = fields.Integer(allow_none=True)


class QuestionnaireDueOut(Schema):
    """One scheduled questionnaire (``hep.care.schedule``): due now when ``due``, else on
    ``due_on`` (the patient's local day)."""

    code = fields.String()
    name = fields.String()
    every_days = fields.Integer()
    last_answered_on = fields.Date(allow_none=True)
    due_on = fields.Date()
    due = fields.Boolean()


class ScheduleItemIn(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    every_days = fields.Integer(required=True, strict=True, validate=validate.Range(1, 365))


class ScheduleIn(Schema):
    """Which questionnaires the patient is asked, every how many days (replaces the schedule;
    an empty list asks nothing)."""

    items = fields.List(fields.Nested(ScheduleItemIn), required=True, validate=validate.Length(max=20))


class ProgressOut(Schema):
    days = fields.List(fields.Nested(DayOut))
    streak = fields.Integer()
    adherence_percent = fields.Float(allow_none=True)
    questionnaires_due = fields.List(fields.Nested(QuestionnaireDueOut))
    questionnaires_schedule = fields.List(fields.Nested(QuestionnaireDueOut), metadata={
        "description": "Every scheduled questionnaire with its next due day, soonest first."})
    education = fields.List(fields.Nested(EducationCardOut))
