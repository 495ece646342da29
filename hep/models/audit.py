"""An append-only trail of who read or changed which patient's record.

Rows are only ever inserted: saving an existing event, updating or deleting events raises
:class:`AppendOnly`. The one exception is :meth:`AuditEvent.pseudonymise`, used when a
patient is erased: their events stay, with the patient (and the patient's own account as
actor) replaced by a pseudonym in ``subject`` / ``actor_subject``.
"""
from __future__ import annotations

import peewee as pw

from hep.db import BaseModel, JSONField
from hep.models.people import Patient, User, _now


class AppendOnly(RuntimeError):
    """Audit events are never changed or removed (erasure pseudonymises through one function)."""


class AuditEvent(BaseModel):
    at = pw.DateTimeField(default=_now, index=True)
    actor = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    patient = pw.ForeignKeyField(Patient, null=True, on_delete="SET NULL")
    action = pw.CharField(max_length=60)
    detail = JSONField(default=dict)
    ip = pw.CharField(max_length=45, null=True)
    # Set when the patient (or the patient's account, as actor) was erased: a pseudonym
    # such as "erased-3f9c1a2b", the same for every event of that patient.
    subject = pw.CharField(max_length=40, null=True)
    actor_subject = pw.CharField(max_length=40, null=True)

    class Meta:
        indexes = ((("patient", "id"), False),)

    @classmethod
    def update(cls, *args, **kwargs):
        raise AppendOnly("audit events are append-only")

    @classmethod
    def delete(cls):
        raise AppendOnly("audit events are append-only")

    @classmethod
    def replace(cls, *args, **kwargs):
        raise AppendOnly("audit events are append-only")

    @classmethod
    def replace_many(cls, *args, **kwargs):
        raise AppendOnly("audit events are append-only")

    @classmethod
    def of_patient(cls, patient_id: int, before: int | None = None):
        """The patient's events, newest first (those older than event ``before``, if given)."""
        query = cls.select().where(cls.patient == patient_id)
        if before is not None:
            query = query.where(cls.id < before)
        return query.order_by(cls.id.desc())

    @classmethod
    def pseudonymise(cls, patient_id: int, user_id: int | None, subject: str, scrub: list[str]) -> int:
        """Replace patient ``patient_id`` (and their account ``user_id`` as actor) by
        ``subject`` in every event, removing the texts in ``scrub`` (their name, e-mail) from
        the details. The only change ever made to stored events; returns the events touched."""
        rows = cls.select(cls.id, cls.detail).where((cls.patient == patient_id) | (cls.actor == user_id))
        for row in rows:
            cleaned = _scrubbed(row.detail, [s for s in scrub if s])
            if cleaned != row.detail:
                super().update(detail=cleaned).where(cls.id == row.id).execute()
        touched = super().update(patient=None, subject=subject).where(cls.patient == patient_id).execute()
        if user_id is not None:
            touched += super().update(actor=None, actor_subject=subject).where(cls.actor == user_id).execute()
        return touched


def _scrubbed(value, texts: list[str]):
    """``value`` (decoded JSON) with every occurrence of ``texts`` blanked out of its strings."""
    if isinstance(value, str):
        for text in texts:
            lowered = value.lower()
            start = lowered.find(text.lower())
            while start != -1:
                value = value[:start] + "[erased]" + value[start + len(text):]
                lowered = value.lower()
                start = lowered.find(text.lower(), start + len("[erased]"))
        return value
    if isinstance(value, list):
        return [_scrubbed(v, texts) for v in value]
    if isinstance(value, dict):
        return {_scrubbed(k, texts): _scrubbed(v, texts) for k, v in value.items()}
    return value
