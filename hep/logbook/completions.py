"""Logging exercise sessions (completions) and correcting them; the original is kept."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from hep.errors import Conflict, Invalid, NotFound
from hep.logbook.replay import body_hash, store_once
from hep.models import Completion, Patient, Prescription
from hep.people import audit
from hep.timeutil import from_storage, local_date, to_storage, today_in, utcnow

LOGGED_FIELDS = ("sets_done", "reps_done", "pain_during", "pain_after", "effort", "note")


def record_completion(patient: Patient, body: Mapping[str, Any]) -> tuple[Completion, bool]:
    """Store a completion under the replay rules; (record, created).

    The prescription must belong to this patient's program (any version: a session logged
    offline may arrive after the therapist changed the program). Raises ``Invalid`` for a
    prescription that is not the patient's or a time in the future, ``Conflict`` for an id
    reused with another body.
    """
    prescription = Prescription.get_or_none(Prescription.id == body["prescription_id"])
    if prescription is None or prescription.version.program.patient_id != patient.id:
        raise Invalid(errors={"prescription_id": [_("Not one of your exercises.")]})
    if body["performed_at"] > utcnow() + timedelta(minutes=10):
        raise Invalid(errors={"performed_at": [_("Cannot be in the future.")]})
    digest = body_hash(body)

    def create() -> Completion:
        return Completion.create(
            id=body["id"], patient=patient, prescription=prescription,
            performed_at=to_storage(body["performed_at"]),
            local_date=local_date(body["performed_at"], patient.timezone),
            **{k: body[k] for k in LOGGED_FIELDS},
            request_hash=digest,
        )

    record, created = store_once(Completion, body["id"], digest, lambda c: c.patient_id == patient.id, create)
    if created:
        audit.record("completion.create", patient=patient, completion=record.id)
        refresh_alerts(patient)
    return record, created


def correct_completion(patient: Patient, original_id: str, body: Mapping[str, Any]) -> tuple[Completion, bool]:
    """Replace a completion by a corrected copy; the original stays, marked superseded.

    Raises ``NotFound`` (not this patient's), ``Conflict`` (already corrected, too old, or
    the correction's id reused with another body).
    """
    original = Completion.get_or_none((Completion.id == original_id) & (Completion.patient == patient))
    if original is None:
        raise NotFound(_("No such completion."))
    digest = body_hash({"corrects": original_id, **body})
    replay = Completion.get_or_none(Completion.id == body["id"])
    if replay is None:
        if original.superseded_at is not None:
            raise Conflict(_("This entry was already corrected; correct the newest version."))
        window = timedelta(days=current_app.config["CORRECTION_WINDOW_DAYS"])
        if utcnow() - from_storage(original.performed_at) > window:
            raise Conflict(_("This entry is too old to correct."))

    def create() -> Completion:
        now = to_storage(utcnow())
        updated = (Completion.update(superseded_at=now)
                   .where((Completion.id == original.id) & Completion.superseded_at.is_null())
                   .execute())
        if updated != 1:
            raise Conflict(_("This entry was already corrected; correct the newest version."))
        return Completion.create(
            id=body["id"], patient=patient, prescription=original.prescription_id,
            performed_at=original.performed_at, local_date=original.local_date,
            **{k: body[k] for k in LOGGED_FIELDS},
            request_hash=digest, supersedes=original,
        )

    record, created = store_once(Completion, body["id"], digest, lambda c: c.patient_id == patient.id, create)
    if created:
        audit.record("completion.correct", patient=patient, original=original_id, correction=record.id)
        refresh_alerts(patient)
    return record, created


def refresh_alerts(patient: Patient) -> None:
    """New logs can raise alerts (a bad session, a regress proposal)."""
    from hep.care.summary import refresh_alerts as refresh

    refresh(patient)


def recent_completions(patient: Patient, *, days: int | None = None, limit: int | None = None,
                       exercise_id: int | None = None, since: date | None = None,
                       until: date | None = None) -> list[Completion]:
    """The patient's completions, newest first, originals and corrections alike (with their
    prescription and exercise joined): those of the last ``days`` local days, of the exercise
    ``exercise_id``, and of the local days ``since``..``until`` when given; at most ``limit``."""
    from hep.models import Exercise

    query = (Completion.select(Completion, Prescription, Exercise)
             .join(Prescription).join(Exercise)
             .where(Completion.patient == patient))
    if days is not None:
        query = query.where(Completion.local_date >= today_in(patient.timezone) - timedelta(days=days - 1))
    if exercise_id is not None:
        query = query.where(Prescription.exercise == exercise_id)
    if since is not None:
        query = query.where(Completion.local_date >= since)
    if until is not None:
        query = query.where(Completion.local_date <= until)
    query = query.order_by(Completion.performed_at.desc(), Completion.recorded_at.desc())
    return list(query.limit(limit) if limit else query)


def completion_view(completion: Completion) -> dict:
    return {
        **{k: getattr(completion, k) for k in (
            "id", "performed_at", "local_date", "recorded_at", "superseded_at", *LOGGED_FIELDS)},
        "prescription_id": completion.prescription_id,
        "supersedes_id": completion.supersedes_id,
        "exercise_name": completion.prescription.exercise.name,
    }
