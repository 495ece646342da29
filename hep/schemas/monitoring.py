"""Remote monitoring: the time log, a patient's periods and month, the monthly CSV."""
from __future__ import annotations

from datetime import date

from marshmallow import Schema, ValidationError, fields, post_load, validate

from hep.schemas.clinical import MonitoringDaysOut
from hep.schemas.fields import Instant, IsoDate


class MonthField(fields.String):
    """A calendar month as ``YYYY-MM``, loaded as the first day of that month."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            year, month = text.split("-")
            if len(year) != 4 or len(month) != 2:
                raise ValueError(text)
            return date(int(year), int(month), 1)
        except ValueError as exc:
            raise ValidationError("Must be a month as YYYY-MM, e.g. 2026-03.") from exc


class MonthQuery(Schema):
    month = MonthField(metadata={"description": "YYYY-MM; default: the current month.",
                                 "pattern": r"^\d{4}-\d{2}$"})


class RequiredMonthQuery(Schema):
    month = MonthField(required=True, metadata={"description": "YYYY-MM.", "pattern": r"^\d{4}-\d{2}$"})


class TimeLogQuery(Schema):
    month = MonthField(metadata={"description": "YYYY-MM: only that month's entries.",
                                 "pattern": r"^\d{4}-\d{2}$"})


class TimeLogEntryIn(Schema):
    worked_on = fields.Date(required=True, metadata={"description": "The day the time was spent."})
    minutes = fields.Integer(strict=True, required=True, validate=validate.Range(1, 240))
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    interactive_contact = fields.Boolean(load_default=False, metadata={
        "description": "The time included a real-time (audio or video) contact with the patient."})

    @post_load
    def _strip(self, data, **kwargs):
        data["note"] = data["note"].strip()
        return data


class TimeLogEntryOut(Schema):
    id = fields.Integer()
    worked_on = IsoDate()
    minutes = fields.Integer()
    note = fields.String()
    interactive_contact = fields.Boolean()
    therapist_id = fields.Integer(allow_none=True)
    created_at = Instant()
    own = fields.Boolean(metadata={"description": "The signed-in therapist logged it (and may delete it)."})


class PeriodOut(Schema):
    number = fields.Integer()
    start = IsoDate()
    end = IsoDate()
    count = fields.Integer(metadata={"description": "Days of data in the period."})
    code = fields.String(allow_none=True, metadata={"description": "The one day code that applies."})
    band = fields.String(allow_none=True)
    reason = fields.String()
    dates = fields.List(IsoDate())


class ManagementOut(Schema):
    month = fields.String(metadata={"description": "YYYY-MM."})
    minutes = fields.Integer()
    interactive_contact = fields.Boolean()
    codes = fields.List(fields.String(), metadata={
        "description": "The management codes that apply (98981 once per further 20 minutes)."})
    reasons = fields.List(fields.String())


class MonitoringOut(Schema):
    today = IsoDate()
    period_start = fields.String(metadata={"description": "first_data_day or program_start."})
    code_table = fields.String(metadata={"description": "The code table's version."})
    period_days = fields.Integer(metadata={"description": "Days in a device-supply period (30)."})
    current = fields.Nested(MonitoringDaysOut)
    periods = fields.List(fields.Nested(PeriodOut))
    management = fields.Nested(ManagementOut)
