"""What patients log: exercise completions and next-morning check-ins.

Both are keyed by a client-generated UUID so an offline outbox can replay them: the stored
``request_hash`` tells an identical replay (answered with the stored record) from a
different body under the same id (refused).
"""
from __future__ import annotations

import peewee as pw

from hep.clinical.records import DISTAL_ORDER, SETTLED_CHOICES
from hep.db import BaseModel
from hep.models.people import Patient, _now
from hep.models.programs import Prescription

# The clinical engine owns these vocabularies; the columns store its values.
SETTLED = SETTLED_CHOICES
DISTAL_SYMPTOMS = DISTAL_ORDER


class Completion(BaseModel):
    id = pw.CharField(max_length=36, primary_key=True)
    patient = pw.ForeignKeyField(Patient, backref="completions", on_delete="CASCADE")
    prescription = pw.ForeignKeyField(Prescription, backref="completions", on_delete="CASCADE")
    performed_at = pw.DateTimeField()
    local_date = pw.DateField()  # the patient's day, fixed when logged
    sets_done = pw.IntegerField()
    reps_done = pw.IntegerField()
    pain_during = pw.SmallIntegerField()
    pain_after = pw.SmallIntegerField()
    effort = pw.SmallIntegerField()
    note = pw.TextField(default="")
    recorded_at = pw.DateTimeField(default=_now)
    request_hash = pw.CharField(max_length=64)
    # A correction is a new row pointing at the one it replaces; the original stays.
    supersedes = pw.ForeignKeyField("self", null=True, backref="corrections", on_delete="SET NULL")
    superseded_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("patient", "local_date"), False),)

    @classmethod
    def current(cls):
        """Completions that have not been replaced by a correction."""
        return cls.select().where(cls.superseded_at.is_null())


class CheckIn(BaseModel):
    id = pw.CharField(max_length=36, primary_key=True)
    patient = pw.ForeignKeyField(Patient, backref="checkins", on_delete="CASCADE")
    date = pw.DateField()
    morning_pain = pw.SmallIntegerField()
    settled = pw.CharField(max_length=10)
    distal_symptom = pw.CharField(max_length=20)
    new_numbness_or_weakness = pw.BooleanField()
    red_flag_change = pw.BooleanField()
    back_pain = pw.SmallIntegerField(null=True)
    leg_pain = pw.SmallIntegerField(null=True)
    weakness_worse = pw.BooleanField(default=False)  # new trouble lifting the foot, heel/toe walking, tripping
    recorded_at = pw.DateTimeField(default=_now)
    request_hash = pw.CharField(max_length=64)
    # A correction is a new row pointing at the one it replaces; the original stays. One
    # current (not superseded) check-in per patient and day: a partial unique index (0004).
    supersedes = pw.ForeignKeyField("self", null=True, backref="corrections", on_delete="SET NULL")
    superseded_at = pw.DateTimeField(null=True)

    @classmethod
    def current(cls):
        """Check-ins that have not been replaced by a correction."""
        return cls.select().where(cls.superseded_at.is_null())
