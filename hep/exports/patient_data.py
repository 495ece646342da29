"""Everything stored about one patient, as one JSON document (``GET .../export``).

The tables are not listed by hand: every row that is the patient's by a foreign key chain
(``hep.exports.ownership``) is exported, table by table, with its columns, except the ones
in :data:`NEVER_EXPORTED` (secrets and internals). A model added later with a key to the
patient (messages, devices) is exported without changing this module.
"""
from __future__ import annotations

from typing import Any

import peewee as pw

from hep.exports.ownership import owned_rows
from hep.models import Clinic, Exercise, Patient, User
from hep.people import audit
from hep.timeutil import utcnow

FORMAT = "hep-patient-export"
VERSION = 1

#: Columns never exported, in any table: secrets (password and token hashes, a push
#: subscription's keys and its capability URL) and internals (the session counter, the
#: hash a replayed request is compared with).
NEVER_EXPORTED = frozenset({
    "password_hash", "token_hash", "request_hash", "session_version",
    "endpoint", "p256dh", "auth", "secret", "totp_secret", "recovery_codes",
})
#: Any column named like a secret is left out too, whatever table adds it later.
SECRET_SUFFIXES = ("_hash", "_secret", "_token", "_key")
#: Per-table exclusions: an alert notice's target is a staff member's address or browser.
NEVER_EXPORTED_IN = {"alert_notification": frozenset({"target"})}
#: Rows the export refers to but that are not the patient's: shown by these columns.
REFERENCES = {Exercise: ("slug", "name"), User: ("display_name", "role"), Clinic: ("name",)}


def exported_fields(model: type[pw.Model]) -> list[pw.Field]:
    """The columns of ``model`` that an export contains."""
    table = model._meta.table_name
    hidden = NEVER_EXPORTED | NEVER_EXPORTED_IN.get(table, frozenset())
    return [f for f in model._meta.sorted_fields
            if f.column_name not in hidden and not f.column_name.endswith(SECRET_SUFFIXES)]


def export_patient(patient: Patient) -> dict[str, Any]:
    """The whole record of ``patient``: ``tables`` (table name -> rows, each row by column
    name, oldest key first) and ``references`` (exercises, staff, clinic the rows point at).
    Records a ``patient.export`` audit event first, so the export contains it."""
    audit.record("patient.export", patient=patient)
    tables: dict[str, list[dict]] = {}
    pointed: dict[type[pw.Model], set] = {model: set() for model in REFERENCES}
    for model, keys in owned_rows(patient).items():
        fields = exported_fields(model)
        pk = model._meta.primary_key
        rows = model.select(*fields).where(pk.in_(keys)).order_by(pk).dicts()
        tables[model._meta.table_name] = [{f.column_name: row[f.name] for f in fields} for row in rows]
        for field in fields:
            if isinstance(field, pw.ForeignKeyField) and field.rel_model in pointed:
                pointed[field.rel_model].update(row[field.column_name] for row in tables[model._meta.table_name])
    own_users = {row["id"] for row in tables.get(User._meta.table_name, [])}
    pointed[User] -= own_users
    return {
        "format": FORMAT, "version": VERSION, "exported_at": utcnow(), "patient_id": patient.id,
        "tables": tables, "references": _references(pointed),
    }


def _references(pointed: dict[type[pw.Model], set]) -> dict[str, list[dict]]:
    out = {}
    for model, columns in REFERENCES.items():
        ids = sorted(i for i in pointed[model] if i is not None)
        fields = [model._meta.primary_key, *(model._meta.fields[c] for c in columns)]
        rows = model.select(*fields).where(model._meta.primary_key.in_(ids)).order_by(model._meta.primary_key)
        out[model._meta.table_name] = list(rows.dicts()) if ids else []
    return out
