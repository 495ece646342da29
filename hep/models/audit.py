"""An append-only trail of who did what to which patient's record."""
from __future__ import annotations

import peewee as pw

from hep.db import BaseModel, JSONField
from hep.models.people import Patient, User, _now


class AuditEvent(BaseModel):
    at = pw.DateTimeField(default=_now, index=True)
    actor = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    patient = pw.ForeignKeyField(Patient, null=True, on_delete="SET NULL")
    action = pw.CharField(max_length=60)
    detail = JSONField(default=dict)
    ip = pw.CharField(max_length=45, null=True)
