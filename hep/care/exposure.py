"""Graded exposure: the patient's fear hierarchy and exposure sessions, with mastery."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from hep.care.thresholds import settings_for
from hep.clinical import ClinicalSettings, mastery, meaningful_change, rank_hierarchy
from hep.clinical import ExposureSession as SessionRecord
from hep.clinical import HierarchyItem as ItemRecord
from hep.errors import NotFound
from hep.logbook.replay import body_hash, store_once
from hep.models import ExposureSession, HierarchyItem, Patient
from hep.people import audit
from hep.timeutil import from_storage, to_storage


def _session_view(row: ExposureSession, settings: ClinicalSettings) -> dict:
    return {"id": row.id, "item_id": row.item_id, "performed_at": row.performed_at,
            "fear_before": row.fear_before, "fear_after": row.fear_after, "note": row.note,
            "meaningful_change": meaningful_change(row.fear_before, row.fear_after, settings)}


def hierarchy_view(patient: Patient, settings: ClinicalSettings) -> list[dict]:
    """Items ranked from lowest perceived harm, each with its sessions and mastery."""
    items = list(HierarchyItem.select().where(
        (HierarchyItem.patient == patient) & HierarchyItem.archived_at.is_null()))
    sessions: dict[int, list[ExposureSession]] = {i.id: [] for i in items}
    for row in ExposureSession.select().where(ExposureSession.item.in_([i.id for i in items])):
        sessions[row.item_id].append(row)
    ranked = rank_hierarchy(ItemRecord(str(i.id), i.activity, i.harm_rating) for i in items)
    by_id = {i.id: i for i in items}
    views = []
    for rank, record in enumerate(ranked, 1):
        item = by_id[int(record.id)]
        rows = sorted(sessions[item.id], key=lambda r: (r.performed_at, r.id))
        state = mastery([SessionRecord(r.id, str(item.id), from_storage(r.performed_at), r.fear_before,
                                       r.fear_after) for r in rows], settings)
        views.append({
            "id": item.id, "activity": item.activity, "harm_rating": item.harm_rating, "rank": rank,
            "mastered": state.mastered,
            "mastery_reason": "; ".join(c.detail for c in state.conditions),
            "sessions": [_session_view(r, settings) for r in rows],
        })
    return views


def add_item(patient: Patient, activity: str, harm_rating: int) -> dict:
    """Add an activity to the patient's hierarchy; returns its view (rank included)."""
    item = HierarchyItem.create(patient=patient, activity=activity, harm_rating=harm_rating)
    audit.record("hierarchy.add", patient=patient, item=item.id)
    return next(i for i in hierarchy_view(patient, settings_for(patient)) if i["id"] == item.id)


def add_session(patient: Patient, item_id: int, body: Mapping[str, Any]) -> tuple[dict, bool]:
    """Store an exposure session for one of ``patient``'s items under the replay rules.

    Raises ``NotFound`` for an item that is not the patient's, ``Conflict`` for an id reused
    with another body.
    """
    item = HierarchyItem.get_or_none((HierarchyItem.id == item_id) & (HierarchyItem.patient == patient))
    if item is None:
        raise NotFound(_("No such hierarchy item."))
    digest = body_hash({"item": item_id, **body})

    def create() -> ExposureSession:
        row = ExposureSession.create(id=body["id"], item=item, performed_at=to_storage(body["performed_at"]),
                                     fear_before=body["fear_before"], fear_after=body["fear_after"],
                                     note=body["note"], request_hash=digest)
        audit.record("exposure.session", patient=patient, item=item_id)
        return row

    row, created = store_once(ExposureSession, body["id"], digest,
                              lambda r: r.item.patient_id == patient.id, create)
    return _session_view(row, settings_for(patient)), created
