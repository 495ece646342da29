"""Graded exposure: the patient's fear hierarchy and exposure sessions, with mastery by
prediction (hep.clinical.exposure), in the viewer's language."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from hep.care.thresholds import settings_for
from hep.clinical import ClinicalSettings, Condition, mastery, meaningful_change, rank_hierarchy
from hep.clinical import ExposureSession as SessionRecord
from hep.clinical import HierarchyItem as ItemRecord
from hep.errors import NotFound
from hep.logbook.replay import body_hash, store_once
from hep.models import ExposureSession, HierarchyItem, Patient
from hep.people import audit
from hep.timeutil import from_storage, to_storage

#: Sessions listed under ``recent`` on each item, newest first.
RECENT_SESSIONS = 5


def _record(row: ExposureSession) -> SessionRecord:
    return SessionRecord(row.id, str(row.item_id), from_storage(row.performed_at), row.fear_before,
                         row.fear_after, prediction=row.prediction, outcome_happened=row.outcome_happened,
                         safety_behaviour=row.safety_behaviour, feared_outcome=row.feared_outcome)


def expected_versus_actual(row: ExposureSession) -> str:
    """The translated line "expected 70 % likely; it did not happen" (the engine's
    ``expected_versus_actual`` in the viewer's language)."""
    if row.prediction is None:
        return _("no prediction recorded")
    if row.outcome_happened is None:
        return _("expected %(n)s %% likely; outcome not recorded", n=row.prediction)
    if row.outcome_happened:
        return _("expected %(n)s %% likely; it happened", n=row.prediction)
    return _("expected %(n)s %% likely; it did not happen", n=row.prediction)


def _condition_text(c: Condition) -> str:
    """One mastery condition in the viewer's language (the engine's detail is English)."""
    v = c.values
    if c.code == "sessions":
        return _("%(n)s session(s) with a prediction; %(needed)s needed", n=v["sessions"], needed=v["needed"])
    if c.code == "prediction_low":
        return _("latest prediction %(n)s %%; at most %(limit)s %% needed", n=v["prediction"], limit=v["limit"])
    if c.code == "prediction_fell":
        if v["fell"] is None:
            return _("one prediction so far; a fall of %(needed)s points is needed", needed=v["needed"])
        return _("prediction fell by %(n)s points; %(needed)s needed", n=v["fell"], needed=v["needed"])
    if c.code == "outcome_absent":
        return _("the feared outcome did not happen") if c.met else _("the feared outcome happened")
    if c.code == "no_safety_behaviour":
        if c.met:
            return _("no safety behaviour used")
        return _("a safety behaviour was used") if v["safety_behaviour"] else _("safety behaviour not recorded")
    return _("fear before %(n)s; at most %(limit)s needed", n=v["fear_before"], limit=v["limit"])


def _session_view(row: ExposureSession, settings: ClinicalSettings) -> dict:
    return {"id": row.id, "item_id": row.item_id, "performed_at": row.performed_at,
            "feared_outcome": row.feared_outcome, "prediction": row.prediction,
            "fear_before": row.fear_before, "outcome_happened": row.outcome_happened,
            "fear_after": row.fear_after, "safety_behaviour": row.safety_behaviour, "note": row.note,
            "meaningful_change": meaningful_change(row.fear_before, row.fear_after, settings),
            "expected_versus_actual": expected_versus_actual(row)}


def hierarchy_view(patient: Patient, settings: ClinicalSettings) -> list[dict]:
    """Items ranked from lowest perceived harm, each with its ``status`` (not_started /
    in_progress / mastered), the ``reasons`` (every mastery condition, met or not), its
    ``recent`` sessions (newest first) and all its ``sessions`` (oldest first)."""
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
        rows = sorted(sessions[item.id], key=lambda r: (r.performed_at, r.recorded_at, r.id))  # ties: as stored
        state = mastery([_record(r) for r in rows], settings)
        shown = [_session_view(r, settings) for r in rows]
        views.append({
            "id": item.id, "activity": item.activity, "harm_rating": item.harm_rating, "rank": rank,
            "status": state.status, "mastered": state.mastered,
            "reasons": [{"code": c.code, "met": c.met, "detail": _condition_text(c), "values": dict(c.values)}
                        for c in state.conditions],
            "recent": shown[::-1][:RECENT_SESSIONS], "sessions": shown,
        })
    return views


def exposure_summary(patient: Patient, settings: ClinicalSettings) -> dict:
    """The summary's ``exposure`` block: items per status, the next item to work on (the
    lowest-ranked not mastered) and when the latest session was (ISO 8601 text, as the rest of
    the summary hands over its dates)."""
    views = hierarchy_view(patient, settings)
    counts = {status: sum(1 for v in views if v["status"] == status)
              for status in ("not_started", "in_progress", "mastered")}
    upcoming = next((v for v in views if v["status"] != "mastered"), None)
    latest = max((s["performed_at"] for v in views for s in v["sessions"]), default=None)
    return {"items": len(views), **counts,
            "next_item": None if upcoming is None else {
                "id": upcoming["id"], "activity": upcoming["activity"], "status": upcoming["status"],
                "reasons": [r for r in upcoming["reasons"] if not r["met"]]},
            "last_session_at": None if latest is None else from_storage(latest).isoformat()}


def add_item(patient: Patient, activity: str, harm_rating: int) -> dict:
    """Add an activity to the patient's hierarchy; returns its view (rank included)."""
    item = HierarchyItem.create(patient=patient, activity=activity, harm_rating=harm_rating)
    audit.record("hierarchy.add", patient=patient, item=item.id)
    return next(i for i in hierarchy_view(patient, settings_for(patient)) if i["id"] == item.id)


def add_session(patient: Patient, item_id: int, body: Mapping[str, Any]) -> tuple[dict, bool]:
    """Store an exposure session (``ExposureSessionIn``) for one of ``patient``'s items under
    the replay rules.

    Raises ``NotFound`` for an item that is not the patient's, ``Conflict`` for an id reused
    with another body.
    """
    item = HierarchyItem.get_or_none((HierarchyItem.id == item_id) & (HierarchyItem.patient == patient))
    if item is None:
        raise NotFound(_("No such hierarchy item."))
    digest = body_hash({"item": item_id, **body})

    def create() -> ExposureSession:
        row = ExposureSession.create(
            id=body["id"], item=item, performed_at=to_storage(body["performed_at"]),
            feared_outcome=body["feared_outcome"], prediction=body["prediction"],
            fear_before=body["fear_before"], outcome_happened=body["outcome_happened"],
            fear_after=body["fear_after"], safety_behaviour=body["safety_behaviour"],
            note=body["note"], request_hash=digest)
        audit.record("exposure.session", patient=patient, item=item_id)
        return row

    row, created = store_once(ExposureSession, body["id"], digest,
                              lambda r: r.item.patient_id == patient.id, create)
    return _session_view(row, settings_for(patient)), created
