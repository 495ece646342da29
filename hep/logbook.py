"""The patient's day: what is due today, logging completions and check-ins, progress."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any, Mapping

from flask import current_app
from flask_babel import gettext as _

from hep import audit, programs
from hep.errors import Problem
from hep.library_views import exercise_view
from hep.models import CheckIn, Completion, Patient, Prescription
from hep.replay import body_hash, store_once
from hep.timeutil import from_storage, local_date, to_storage, today_in, utcnow


def urgent_message() -> str:
    """What a patient reads after a red-flag answer (never 'wait for your next session')."""
    return _(
        "Seek urgent medical care now: go to an emergency department or call your local "
        "emergency number. Changes in bladder or bowel control or numbness around the saddle "
        "area need to be checked today. Do not wait for your next appointment."
    )


def today_view(patient: Patient, locale: str | None, now: datetime | None = None) -> dict:
    """Today's prescriptions (in the patient's zone) with sessions done and targeted."""
    today = today_in(patient.timezone, now)
    version = programs.current_version(patient)
    items = []
    if version is not None:
        prescriptions = [p for p in version.ordered_prescriptions() if p.is_due_on(today.isoweekday())]
        done = _sessions_by_prescription(patient, today, today)
        for p in prescriptions:
            items.append({
                "prescription_id": p.id,
                "exercise": exercise_view(p.exercise, locale),
                "dose": programs.dose_of(p),
                "done_today": done.get((p.id, today), 0),
                "target_today": p.frequency_per_day,
            })
    yesterday = today - timedelta(days=1)
    worked_yesterday = Completion.current().where(
        (Completion.patient == patient) & (Completion.local_date == yesterday)
    ).exists()
    checked_in = CheckIn.select().where((CheckIn.patient == patient) & (CheckIn.date == today)).exists()
    return {
        "date": today,
        "timezone": patient.timezone,
        "phase": version.phase if version else None,
        "items": items,
        "checkin_due": worked_yesterday and not checked_in,
    }


def _sessions_by_prescription(patient: Patient, start: date, end: date) -> dict[tuple[int, date], int]:
    rows = Completion.current().where(
        (Completion.patient == patient) & (Completion.local_date.between(start, end))
    )
    counts: dict[tuple[int, date], int] = defaultdict(int)
    for row in rows:
        counts[(row.prescription_id, row.local_date)] += 1
    return counts


def record_completion(patient: Patient, body: Mapping[str, Any]) -> tuple[Completion, bool]:
    """Store a completion under the replay rules; (record, created).

    The prescription must belong to this patient's program (any version: a session logged
    offline may arrive after the therapist changed the program).
    """
    prescription = Prescription.get_or_none(Prescription.id == body["prescription_id"])
    if prescription is None or prescription.version.program.patient_id != patient.id:
        raise Problem(422, errors={"prescription_id": [_("Not one of your exercises.")]})
    if body["performed_at"] > utcnow() + timedelta(minutes=10):
        raise Problem(422, errors={"performed_at": [_("Cannot be in the future.")]})
    digest = body_hash(body)

    def create() -> Completion:
        completion = Completion.create(
            id=body["id"], patient=patient, prescription=prescription,
            performed_at=to_storage(body["performed_at"]),
            local_date=local_date(body["performed_at"], patient.timezone),
            **{k: body[k] for k in ("sets_done", "reps_done", "pain_during", "pain_after", "effort", "note")},
            request_hash=digest,
        )
        return completion

    return store_once(Completion, body["id"], digest, lambda c: c.patient_id == patient.id, create)


def correct_completion(patient: Patient, original_id: str, body: Mapping[str, Any]) -> tuple[Completion, bool]:
    """Replace a completion by a corrected copy; the original stays, marked superseded."""
    original = Completion.get_or_none((Completion.id == original_id) & (Completion.patient == patient))
    if original is None:
        raise Problem(404, _("No such completion."))
    digest = body_hash({"corrects": original_id, **body})
    replay = Completion.get_or_none(Completion.id == body["id"])
    if replay is None:
        if original.superseded_at is not None:
            raise Problem(409, _("This entry was already corrected; correct the newest version."))
        window = timedelta(days=current_app.config["CORRECTION_WINDOW_DAYS"])
        if utcnow() - from_storage(original.performed_at) > window:
            raise Problem(409, _("This entry is too old to correct."))

    def create() -> Completion:
        now = to_storage(utcnow())
        updated = (Completion.update(superseded_at=now)
                   .where((Completion.id == original.id) & Completion.superseded_at.is_null())
                   .execute())
        if updated != 1:
            raise Problem(409, _("This entry was already corrected; correct the newest version."))
        return Completion.create(
            id=body["id"], patient=patient, prescription=original.prescription_id,
            performed_at=original.performed_at, local_date=original.local_date,
            **{k: body[k] for k in ("sets_done", "reps_done", "pain_during", "pain_after", "effort", "note")},
            request_hash=digest, supersedes=original,
        )

    record, created = store_once(Completion, body["id"], digest, lambda c: c.patient_id == patient.id, create)
    if created:
        audit.record("completion.correct", patient=patient, original=original_id, correction=record.id)
    return record, created


def completion_view(completion: Completion) -> dict:
    return {
        **{k: getattr(completion, k) for k in (
            "id", "performed_at", "local_date", "sets_done", "reps_done", "pain_during",
            "pain_after", "effort", "note", "recorded_at", "superseded_at")},
        "prescription_id": completion.prescription_id,
        "supersedes_id": completion.supersedes_id,
        "exercise_name": completion.prescription.exercise.name,
    }


def record_checkin(patient: Patient, body: Mapping[str, Any]) -> tuple[CheckIn, bool]:
    """Store a next-morning check-in under the replay rules; (record, created).

    One check-in per patient per day: a second one for the same date is a conflict.
    """
    today = today_in(patient.timezone)
    if body["date"] > today or body["date"] < today - timedelta(days=7):
        raise Problem(422, errors={"date": [_("Use a date within the last week.")]})
    digest = body_hash(body)
    existing_day = CheckIn.get_or_none((CheckIn.patient == patient) & (CheckIn.date == body["date"]))
    if existing_day is not None and existing_day.id != body["id"]:
        raise Problem(409, _("There is already a check-in for that day."), title="Conflict")

    def create() -> CheckIn:
        checkin = CheckIn.create(patient=patient, request_hash=digest, **body)
        if checkin.red_flag_change:
            audit.record("alert.red_flag", patient=patient, checkin=checkin.id)
        return checkin

    return store_once(CheckIn, body["id"], digest, lambda c: c.patient_id == patient.id, create)


def checkin_view(checkin: CheckIn) -> dict:
    urgent = bool(checkin.red_flag_change)
    return {
        **{k: getattr(checkin, k) for k in (
            "id", "date", "morning_pain", "settled", "distal_symptom",
            "new_numbness_or_weakness", "red_flag_change", "recorded_at")},
        "urgent": urgent,
        "message": urgent_message() if urgent else None,
    }
