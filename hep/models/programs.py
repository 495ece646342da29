"""Programs: one per patient, versioned. Every adjustment is a new version; history stays."""
from __future__ import annotations

import peewee as pw

from hep.db import BaseModel, JSONField
from hep.library.catalog import PHASES  # one vocabulary for the library and programs
from hep.models.library import Exercise
from hep.models.people import Clinic, Patient, User, _now


class Program(BaseModel):
    patient = pw.ForeignKeyField(Patient, unique=True, backref="programs", on_delete="CASCADE")
    created_at = pw.DateTimeField(default=_now)

    def current_version(self) -> ProgramVersion | None:
        return (
            self.versions.order_by(ProgramVersion.number.desc()).first()
        )


class ProgramVersion(BaseModel):
    program = pw.ForeignKeyField(Program, backref="versions", on_delete="CASCADE")
    number = pw.IntegerField()
    phase = pw.CharField(max_length=20, choices=[(p, p) for p in PHASES])
    notes = pw.TextField(default="")
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=_now)
    # A version the patient made by accepting a self-progression offer carries the client
    # id of that request (replays return it) and a hash of the request body (hep.logbook.replay).
    client_id = pw.CharField(max_length=36, null=True, unique=True)
    request_hash = pw.CharField(max_length=64, null=True)

    class Meta:
        indexes = ((("program", "number"), True),)

    def ordered_prescriptions(self):
        return (
            Prescription.select(Prescription, Exercise)
            .join(Exercise)
            .where(Prescription.version == self)
            .order_by(Prescription.position)
        )


class Prescription(BaseModel):
    """One exercise at a dose inside a program version (the dose fields of CLINICAL.md)."""

    version = pw.ForeignKeyField(ProgramVersion, backref="prescriptions", on_delete="CASCADE")
    exercise = pw.ForeignKeyField(Exercise, on_delete="RESTRICT")
    position = pw.IntegerField(default=0)
    sets = pw.IntegerField()
    reps = pw.IntegerField()
    hold_seconds = pw.IntegerField(default=0)
    rest_seconds = pw.IntegerField(default=30)
    side = pw.CharField(max_length=12, default="both")
    load = pw.CharField(max_length=100, null=True)  # free text: bands, body weight
    load_value = pw.FloatField(null=True)  # a weight, counted in the weekly volume
    load_unit = pw.CharField(max_length=2, null=True)  # kg | lb
    frequency_per_day = pw.IntegerField(default=1)
    days_of_week = JSONField(default=lambda: [1, 2, 3, 4, 5, 6, 7])
    pain_ceiling = pw.IntegerField(default=5)
    notes = pw.TextField(default="")
    # How far the patient may progress this prescription on their own (hep.programs.self_progress):
    # {"reps_max", "reps_step"} and/or {"to_harder": true}; None = not allowed.
    self_progression = JSONField(null=True)

    def is_due_on(self, weekday: int) -> bool:
        """True when the prescription has sessions on ISO weekday ``weekday`` (1 = Monday)."""
        return weekday in (self.days_of_week or [])


class ProgramTemplate(BaseModel):
    """A reusable program (phase, notes, items) shared by the therapists of one clinic.

    Holds no patient data: items are exercise ids and doses, in ``ProgramIn``'s item shape
    (validated by ``PrescriptionIn`` when saved), so it stays out of patient exports."""

    clinic = pw.ForeignKeyField(Clinic, backref="program_templates", on_delete="CASCADE")
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    name = pw.CharField(max_length=200)
    phase = pw.CharField(max_length=20, choices=[(p, p) for p in PHASES])
    notes = pw.TextField(default="")
    items = JSONField(default=list)
    created_at = pw.DateTimeField(default=_now)

    @classmethod
    def of_clinic(cls, clinic_id: int):
        """The clinic's templates, by name, each with its author (one statement)."""
        return (cls.select(cls, User).join(User, pw.JOIN.LEFT_OUTER, on=(cls.created_by == User.id))
                .where(cls.clinic == clinic_id).order_by(cls.name, cls.id))
