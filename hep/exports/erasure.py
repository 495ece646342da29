"""Erasing a patient: every row that is theirs goes, in one transaction; the audit trail
stays, pseudonymised.

What goes is found like the export's rows (``hep.exports.ownership``): the patient, their
account (so every device signed in with it is signed out: its next request is 401), invite
links, programs, logs, check-ins, assessments, questionnaires, hierarchy and exposure
sessions, alerts and their notices, push subscriptions, reminder schedules and deliveries,
and any table added later with a key to them. Rows are deleted referencing tables first,
so no ``ON DELETE RESTRICT`` can refuse and nothing relies on ``CASCADE`` or ``SET NULL``.
Patients have no media files of their own (exercise media belong to the clinic).
"""
from __future__ import annotations

import secrets

from flask_babel import gettext as _

from hep.db import db
from hep.errors import Invalid
from hep.exports.ownership import owned_rows
from hep.models import AuditEvent, Patient
from hep.people import audit


def pseudonym() -> str:
    """A fresh name for an erased patient in the audit trail: random, so it links the
    patient's events to each other and to nothing else."""
    return "erased-" + secrets.token_hex(5)


def erase_patient(patient: Patient, confirm: str) -> str:
    """Erase ``patient`` once ``confirm`` is their display name (``Invalid`` naming
    ``confirm`` otherwise, and nothing changes). Returns the pseudonym now standing for the
    patient in the audit trail, where a ``patient.erase`` event records the erasure."""
    if " ".join(confirm.split()) != " ".join(patient.display_name.split()):
        raise Invalid(errors={"confirm": [_("Type the patient's name exactly as shown to confirm.")]})
    subject = pseudonym()
    with db.atomic():
        rows = owned_rows(patient)
        # Before the deletes: the keys still say which events were about the patient.
        AuditEvent.pseudonymise(patient.id, patient.user_id, subject,
                                scrub=[patient.display_name, patient.email or "", patient.user.display_name])
        removed = {}
        for model, keys in reversed(list(rows.items())):  # referencing tables first
            if model is AuditEvent:
                continue
            pk = model._meta.primary_key
            # Materialised first: a table's own subquery cannot read it while it is deleted from.
            ids = [row[0] for row in keys.tuples()]
            count = 0
            for start in range(0, len(ids), 500):
                count += model.delete().where(pk.in_(ids[start:start + 500])).execute()
            if count:
                removed[model._meta.table_name] = count
        audit.record_erasure(patient.id, subject, removed=removed)
    return subject
