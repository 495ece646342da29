"""Helpers shared by the API modules: reading bodies, documenting replays."""
from __future__ import annotations

from flask_smorest import Blueprint
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


def replayed(bp: Blueprint, schema):
    """Document the 200 a replay-safe create answers when the same id comes again with the
    same body (the view returns ``(record, 200)``; the body has the 201's schema)."""
    return bp.alt_response(200, schema=schema, success=True,
                           description="An identical replay of an earlier request (same id, same body): nothing new stored.")
