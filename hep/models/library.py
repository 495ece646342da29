"""The exercise library and pain-education cards (global, or owned by one clinic)."""
from __future__ import annotations

import peewee as pw

from hep.db import BaseModel, JSONField
from hep.models.people import Clinic


class Exercise(BaseModel):
    """One exercise; ``clinic`` is null for the shipped library, set for a clinic's own."""

    clinic = pw.ForeignKeyField(Clinic, null=True, backref="exercises", on_delete="CASCADE")
    slug = pw.CharField(max_length=120)
    name = pw.CharField(max_length=200)
    phase = pw.CharField(max_length=20)
    category = pw.CharField(max_length=40)
    regions = JSONField(default=list)
    equipment = JSONField(default=list)
    summary = pw.TextField(default="")
    steps = JSONField(default=list)
    cues = JSONField(default=list)
    safety = pw.TextField(default="")
    default_dose = JSONField(default=dict)
    media = pw.CharField(max_length=200, null=True)
    translations = JSONField(default=dict)
    is_active = pw.BooleanField(default=True)
    # The progression ladder (hep/library/catalog.py): one family, its next easier and harder rung.
    family = pw.CharField(max_length=120, null=True)
    easier = pw.ForeignKeyField("self", null=True, backref="+", on_delete="SET NULL", column_name="easier_id")
    harder = pw.ForeignKeyField("self", null=True, backref="+", on_delete="SET NULL", column_name="harder_id")
    # direction, irritability, loaded, entry (catalog.TAG_KEYS); {} for a clinic's own exercise.
    tags = JSONField(default=dict)
    # A clinic's own exercise may carry an uploaded picture and a short video (hep/library/media.py):
    # the stored file's name, "<32 hex>.<ext>", under <instance>/media/<clinic id>/. A new upload
    # gets a new name, so a name always means the same bytes (its ETag).
    image = pw.CharField(max_length=64, null=True)
    video = pw.CharField(max_length=64, null=True)

    class Meta:
        indexes = ((("clinic", "slug"), True),)

    @classmethod
    def visible_to(cls, clinic_id: int | None):
        """The shipped library plus the given clinic's own exercises."""
        query = cls.select().where(cls.is_active)
        if clinic_id is None:
            return query.where(cls.clinic.is_null())
        return query.where(cls.clinic.is_null() | (cls.clinic == clinic_id))

    def localised(self, locale: str | None) -> dict:
        """Name, summary, steps, cues and safety in ``locale`` where a translation exists."""
        base = {k: getattr(self, k) for k in ("name", "summary", "steps", "cues", "safety")}
        base.update((self.translations or {}).get(locale or "en", {}))
        return base


class EducationCard(BaseModel):
    slug = pw.CharField(max_length=120, unique=True)
    title = pw.CharField(max_length=200)
    summary = pw.TextField(default="")
    body = JSONField(default=list)
    reading_minutes = pw.IntegerField(default=2)
    phase = pw.CharField(max_length=20, default="any")
    position = pw.IntegerField(default=0)
    translations = JSONField(default=dict)

    def localised(self, locale: str | None) -> dict:
        base = {k: getattr(self, k) for k in ("title", "summary", "body")}
        base.update((self.translations or {}).get(locale or "en", {}))
        return base
