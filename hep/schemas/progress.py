"""The patient's progress page: adherence calendar, streak, questionnaires due, education."""
from __future__ import annotations

from marshmallow import Schema, fields

from hep.schemas.library import EducationCardOut


class DayOut(Schema):
    date = fields.Date()
    sessions_done = fields.Integer()
    sessions_target = fields.Integer()
    pain_during_avg = fields.Float(allow_none=True)
    morning_pain = fields.Integer(allow_none=True)


class QuestionnaireDueOut(Schema):
    code = fields.String()
    name = fields.String()


class ProgressOut(Schema):
    days = fields.List(fields.Nested(DayOut))
    streak = fields.Integer()
    adherence_percent = fields.Float(allow_none=True)
    questionnaires_due = fields.List(fields.Nested(QuestionnaireDueOut))
    education = fields.List(fields.Nested(EducationCardOut))
