"""Helpers shared by the API modules."""
from __future__ import annotations

from marshmallow.utils import missing
from webargs.flaskparser import FlaskParser


class Parser(FlaskParser):
    """webargs' Flask parser, except that a schema with ``body_required = True`` is given
    ``None`` when there is no JSON body (none sent, or not ``application/json``), so it answers
    its own 422 instead of loading ``{}`` (for a PUT of all-optional fields, ``{}`` means
    "reset everything")."""

    def load_json(self, req, schema):
        data = super().load_json(req, schema)
        if data is missing and getattr(schema, "body_required", False):
            return None
        return data

