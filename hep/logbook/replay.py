"""The replay rules for records created with a client-generated id.

An offline outbox may send the same record several times. The first request creates it
(201); a later request with the same id and the same body gets the stored record (200);
the same id with a different body, or from another patient, is refused (409). A hash of
the validated body is stored with each record to tell the cases apart.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import peewee as pw
from flask_babel import gettext as _

from hep.db import db
from hep.errors import Conflict

M = TypeVar("M", bound=pw.Model)


def body_hash(body: Mapping[str, Any]) -> str:
    """A stable digest of a validated request body (dates and UUIDs as ISO text)."""
    canonical = json.dumps(body, sort_keys=True, default=_iso, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _iso(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def store_once(
    model: type[M],
    record_id: str,
    digest: str,
    owner_matches: Callable[[M], bool],
    create: Callable[[], M],
) -> tuple[M, bool]:
    """Create the record with ``create()`` unless ``record_id`` exists; returns (record, created).

    Raises ``Conflict`` when the id exists with another body or another owner.
    """
    existing = model.get_or_none(model._meta.primary_key == record_id)
    if existing is None:
        try:
            with db.atomic():
                return create(), True
        except pw.IntegrityError:
            # A concurrent replay of the same id won the race, or another unique key
            # clashed; decide on what is stored now.
            existing = model.get_or_none(model._meta.primary_key == record_id)
            if existing is None:
                raise
    if owner_matches(existing) and existing.request_hash == digest:
        return existing, False
    raise Conflict(_("This id was already used for a different record."), title="Conflict")
