"""Stored alerts and their lifecycle."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from hep.models.alerts import LEVELS, OUTCOMES, STATUSES
from hep.schemas.fields import Instant


class AlertOut(Schema):
    id = fields.Integer()
    code = fields.String()
    level = fields.String(metadata={"enum": list(LEVELS)})
    status = fields.String(metadata={"enum": list(STATUSES)})
    detail = fields.String()
    evidence = fields.List(fields.String())
    prescription_id = fields.Integer(allow_none=True)
    exercise_name = fields.String(allow_none=True)
    created_at = Instant()
    acknowledged_by = fields.String(allow_none=True)
    acknowledged_at = Instant(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    resolved_at = Instant(allow_none=True)
    outcome = fields.String(allow_none=True)
    note = fields.String()
    stops = fields.Boolean(metadata={"description": "True while it stops every prescription"})


class AcknowledgeIn(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class ResolveIn(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
