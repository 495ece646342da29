"""Clinical records: assessments, the graded-exposure hierarchy, questionnaire responses."""
from __future__ import annotations

import peewee as pw

from hep.db import BaseModel, JSONField
from hep.models.people import Patient, User, _now


class Assessment(BaseModel):
    """An assessment or reassessment; ``data`` holds the fields of hep.clinical.assessment."""

    patient = pw.ForeignKeyField(Patient, backref="assessments", on_delete="CASCADE")
    kind = pw.CharField(max_length=20, default="initial")  # initial | reassessment
    assessed_on = pw.DateField()
    data = JSONField(default=dict)
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=_now)


class HierarchyItem(BaseModel):
    """An activity in the patient's fear hierarchy, rated 0-100 for perceived harm."""

    patient = pw.ForeignKeyField(Patient, backref="hierarchy_items", on_delete="CASCADE")
    activity = pw.CharField(max_length=200)
    harm_rating = pw.SmallIntegerField()
    created_at = pw.DateTimeField(default=_now)
    archived_at = pw.DateTimeField(null=True)


class ExposureSession(BaseModel):
    """One exposure to an item: the prediction before (feared outcome, likelihood 0-100, fear)
    and the result after (outcome happened, fear, safety behaviour). Sessions stored before
    predictions were asked have NULL ``prediction``, ``outcome_happened``, ``safety_behaviour``."""

    id = pw.CharField(max_length=36, primary_key=True)
    item = pw.ForeignKeyField(HierarchyItem, backref="sessions", on_delete="CASCADE")
    performed_at = pw.DateTimeField()
    fear_before = pw.SmallIntegerField()
    fear_after = pw.SmallIntegerField()
    feared_outcome = pw.TextField(default="")
    prediction = pw.SmallIntegerField(null=True)
    outcome_happened = pw.BooleanField(null=True)
    safety_behaviour = pw.BooleanField(null=True)
    note = pw.TextField(default="")
    request_hash = pw.CharField(max_length=64)
    recorded_at = pw.DateTimeField(default=_now)


class QuestionnaireResponse(BaseModel):
    id = pw.CharField(max_length=36, primary_key=True)
    patient = pw.ForeignKeyField(Patient, backref="questionnaire_responses", on_delete="CASCADE")
    instrument = pw.CharField(max_length=40)
    answers = JSONField(default=dict)
    items = JSONField(null=True)  # patient-named items (PSFS activities)
    score = JSONField(default=dict)
    request_hash = pw.CharField(max_length=64)
    recorded_at = pw.DateTimeField(default=_now)
