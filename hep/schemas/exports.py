"""A patient's JSON export, erasure and audit trail.

The export's row schemas are generated from the models the export walks (one per table,
one field per exported column), so the OpenAPI document describes every table, including
tables added later.
"""
from __future__ import annotations

import peewee as pw
from marshmallow import Schema, fields, validate

from hep.db import JSONField
from hep.exports.ownership import owned_models
from hep.exports.patient_data import FORMAT, REFERENCES, exported_fields
from hep.schemas.fields import Instant


def _field(field: pw.Field) -> fields.Field:
    """The marshmallow field that writes a peewee column's Python value as JSON."""
    if isinstance(field, pw.ForeignKeyField):
        made = _field(field.rel_field)
    elif isinstance(field, JSONField):
        made = fields.Raw()
    elif isinstance(field, pw.DateTimeField):
        made = Instant()
    elif isinstance(field, pw.DateField):
        made = fields.Date()
    elif isinstance(field, pw.BooleanField):
        made = fields.Boolean()
    elif isinstance(field, pw.FloatField):
        made = fields.Float()
    elif isinstance(field, pw.IntegerField | pw.AutoField):
        made = fields.Integer()
    else:
        made = fields.String()
    made.allow_none = field.null
    return made


def _row_schema(model: type[pw.Model], columns=None) -> type[Schema]:
    chosen = exported_fields(model) if columns is None else [model._meta.fields[c] for c in columns]
    name = "".join(part.title() for part in model._meta.table_name.split("_"))
    prefix = "ExportRow" if columns is None else "ExportReference"
    return Schema.from_dict({f.column_name: _field(f) for f in chosen}, name=f"{prefix}{name}")


def _tables_schema() -> type[Schema]:
    return Schema.from_dict(
        {m._meta.table_name: fields.List(fields.Nested(_row_schema(m))) for m in owned_models()},
        name="ExportTables")


def _references_schema() -> type[Schema]:
    return Schema.from_dict(
        {m._meta.table_name: fields.List(fields.Nested(_row_schema(m, ("id", *columns))))
         for m, columns in REFERENCES.items()},
        name="ExportReferences")


class ExportOut(Schema):
    """Everything stored about one patient: each table's rows that are the patient's (by a
    chain of foreign keys), by column name; secrets (password and token hashes, push keys)
    are never included. ``references`` names the exercises, staff and clinic the rows
    point at."""

    format = fields.String(validate=validate.Equal(FORMAT))
    version = fields.Integer()
    exported_at = Instant()
    patient_id = fields.Integer()
    tables = fields.Nested(_tables_schema())
    references = fields.Nested(_references_schema())


class ErasureIn(Schema):
    confirm = fields.String(required=True, validate=validate.Length(max=200),
                            metadata={"description": "The patient's display name, typed to confirm"})


class AuditQuery(Schema):
    before = fields.Integer(load_default=None, validate=validate.Range(min=1),
                            metadata={"description": "Only events older than this event id (the previous page's next_before)"})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class AuditEventOut(Schema):
    id = fields.Integer()
    at = Instant()
    action = fields.String(metadata={"description": "read, write, or what was done (program.assign, patient.export, ...)"})
    actor_id = fields.Integer(allow_none=True)
    actor_name = fields.String(allow_none=True)
    actor_role = fields.String(allow_none=True)
    ip = fields.String(allow_none=True, metadata={"description": "The client address of the request"})
    detail = fields.Dict()


class AuditPageOut(Schema):
    events = fields.List(fields.Nested(AuditEventOut))
    next_before = fields.Integer(allow_none=True, metadata={"description": "Pass as ?before= for older events; null at the end"})
