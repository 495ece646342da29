"""Next-morning check-ins, and what the patient is told after a red-flag answer."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _

from hep.errors import Conflict, Invalid, NotFound
from hep.logbook.replay import body_hash, store_once
from hep.models import CheckIn, Patient
from hep.people import audit
from hep.timeutil import to_storage, today_in, utcnow


def urgent_message() -> str:
    """What a patient reads after a red-flag answer or weakness getting worse: an emergency
    department or the local emergency number, never 'wait for your next session'."""
    return _(
        "Go to an emergency department now, or call your local emergency number. Changes in "
        "bladder or bowel control, numbness around the saddle area or weakness getting worse "
        "need to be checked today. Do not wait for your next appointment."
    )


def record_checkin(patient: Patient, body: Mapping[str, Any]) -> tuple[CheckIn, bool]:
    """Store a next-morning check-in under the replay rules; (record, created).

    One check-in per patient per day: a second one for the same date is a ``Conflict``; a
    date outside the last week is ``Invalid``.
    """
    today = today_in(patient.timezone)
    if body["date"] > today or body["date"] < today - timedelta(days=7):
        raise Invalid(errors={"date": [_("Use a date within the last week.")]})
    digest = body_hash(body)
    existing_day = CheckIn.current().where((CheckIn.patient == patient) & (CheckIn.date == body["date"])).first()
    if existing_day is not None and existing_day.id != body["id"] and CheckIn.get_or_none(CheckIn.id == body["id"]) is None:
        raise Conflict(_("There is already a check-in for that day: change its answers instead."), title="Conflict")

    def create() -> CheckIn:
        checkin = CheckIn.create(patient=patient, request_hash=digest, **body)
        if is_emergency(checkin):
            audit.record("alert.red_flag", patient=patient, checkin=checkin.id)
        return checkin

    record, created = store_once(CheckIn, body["id"], digest, lambda c: c.patient_id == patient.id, create)
    if created:
        audit.record("checkin.create", patient=patient, checkin=record.id)
        _refresh_alerts(patient)
    return record, created


def correct_checkin(patient: Patient, original_id: str, body: Mapping[str, Any]) -> tuple[CheckIn, bool]:
    """Replace a check-in by a corrected copy for the same day; the original stays, marked
    superseded (replay rules as for completions: 201, 200 on an identical replay, 409).

    Raises ``NotFound`` (not this patient's), ``Conflict`` (already corrected, or the id
    reused with another body). A red flag in the correction raises its alert.
    """
    original = CheckIn.get_or_none((CheckIn.id == original_id) & (CheckIn.patient == patient))
    if original is None:
        raise NotFound(_("No such check-in."))
    digest = body_hash({"corrects": original_id, **body})
    if CheckIn.get_or_none(CheckIn.id == body["id"]) is None and original.superseded_at is not None:
        raise Conflict(_("This check-in was already changed; change the newest answers."))

    def create() -> CheckIn:
        updated = (CheckIn.update(superseded_at=to_storage(utcnow()))
                   .where((CheckIn.id == original.id) & CheckIn.superseded_at.is_null()).execute())
        if updated != 1:
            raise Conflict(_("This check-in was already changed; change the newest answers."))
        checkin = CheckIn.create(patient=patient, date=original.date, request_hash=digest, supersedes=original,
                                 **body)
        if is_emergency(checkin):
            audit.record("alert.red_flag", patient=patient, checkin=checkin.id)
        return checkin

    record, created = store_once(CheckIn, body["id"], digest, lambda c: c.patient_id == patient.id, create)
    if created:
        audit.record("checkin.correct", patient=patient, original=original_id, correction=record.id)
        _refresh_alerts(patient)
    return record, created


def todays_checkin(patient: Patient, day) -> CheckIn | None:
    """The patient's current check-in for the local day ``day``, if any."""
    return CheckIn.current().where((CheckIn.patient == patient) & (CheckIn.date == day)).first()


def _refresh_alerts(patient: Patient) -> None:
    # A red flag raises its alert (and tells the therapist) before the patient is answered.
    from hep.care.summary import refresh_alerts

    refresh_alerts(patient)


def recent_checkins(patient: Patient, limit: int, *, since: date | None = None,
                    until: date | None = None) -> list[CheckIn]:
    """The patient's latest check-ins, newest first; of the days ``since``..``until`` when given."""
    query = CheckIn.select().where(CheckIn.patient == patient)
    if since is not None:
        query = query.where(CheckIn.date >= since)
    if until is not None:
        query = query.where(CheckIn.date <= until)
    return list(query.order_by(CheckIn.date.desc()).limit(limit))


def is_emergency(checkin: CheckIn) -> bool:
    """A red-flag answer or weakness getting worse: the patient is sent to emergency care."""
    return bool(checkin.red_flag_change or checkin.weakness_worse)


def checkin_view(checkin: CheckIn) -> dict:
    urgent = is_emergency(checkin)
    return {
        **{k: getattr(checkin, k) for k in (
            "id", "date", "morning_pain", "settled", "distal_symptom", "new_numbness_or_weakness",
            "red_flag_change", "back_pain", "leg_pain", "weakness_worse", "recorded_at", "superseded_at")},
        "supersedes_id": checkin.supersedes_id,
        "urgent": urgent,
        "message": urgent_message() if urgent else None,
    }
