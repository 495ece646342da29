"""Remote-monitoring records: the therapist's time log of management minutes per patient."""
from __future__ import annotations

import peewee as pw

from hep.db import BaseModel
from hep.models.people import Patient, User, _now


class TimeLogEntry(BaseModel):
    """Minutes a therapist spent managing a patient's remote monitoring on one local day.

    ``interactive_contact``: the time included a real-time (audio or video) contact, which the
    monthly management codes need. ``therapist`` is kept as NULL when that account is gone, so
    the month's minutes stay counted."""

    patient = pw.ForeignKeyField(Patient, backref="time_log", on_delete="CASCADE")
    therapist = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    worked_on = pw.DateField()
    minutes = pw.SmallIntegerField()
    note = pw.TextField(default="")
    interactive_contact = pw.BooleanField(default=False)
    created_at = pw.DateTimeField(default=_now)

    class Meta:
        table_name = "time_log_entry"
        indexes = ((("patient", "worked_on"), False),)
