"""The therapist's summary of one patient: the database read into ``hep.clinical``.

Completions logged against an earlier program version of the same exercise count for the
current prescription of that exercise, so a dose change does not erase the history the
rules read.
"""
from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from hep import clinical_data
from hep.clinical import ClinicalSettings, patient_summary, red_flags_present
from hep.models import Assessment, Patient, Prescription
from hep.timeutil import today_in, zone

EPOCH = date(1970, 1, 1)


def settings_for(patient: Patient) -> ClinicalSettings:
    return ClinicalSettings.from_overrides(patient.clinical_settings or {})


def summary_view(patient: Patient, days: int = 28) -> dict:
    """The ``GET /patients/{id}/summary`` document (see DESIGN.md)."""
    settings = settings_for(patient)
    tz = zone(patient.timezone)
    today = today_in(patient.timezone)
    window = max(days, settings.lookback_days, 30)
    since = today - timedelta(days=window - 1)
    periods = clinical_data.version_periods(patient, EPOCH, today)
    current = periods[-1].prescriptions if periods else ()
    by_exercise = {p.exercise_id: p for p in current}
    logged = clinical_data.completions(patient, since)
    exercise_of = _exercise_of({row.prescription_id for row, _ in logged})
    records = []
    for row, record in logged:
        target = by_exercise.get(exercise_of.get(row.prescription_id))
        if target is not None:
            records.append(dataclasses.replace(record, prescription_id=target.id))
    program_start = periods[0].start if periods else None
    result = patient_summary(
        {p.id: clinical_data.dose(p) for p in current}, records,
        clinical_data.checkins(patient, since), settings,
        today=today, tz=tz, days=days, program_start=program_start,
        prescription_starts=_first_prescribed(periods),
    ).to_dict()
    names = {p.id: p.exercise.name for p in current}
    for item in result["recommendations"]:
        item["exercise_name"] = names.get(item["prescription_id"])
    for alert in result["alerts"]:
        alert["exercise_name"] = names.get(alert.get("prescription_id"))
    result["alerts"][:0] = _assessment_alerts(patient)
    result["phase"] = periods[-1].version.phase if periods else None
    result["settings"] = settings.to_dict()
    return result


def _assessment_alerts(patient: Patient) -> list[dict]:
    """An urgent alert when the latest assessment's red-flag screen found anything."""
    latest = (Assessment.select().where(Assessment.patient == patient)
              .order_by(Assessment.assessed_on.desc(), Assessment.id.desc()).first())
    flags = red_flags_present(latest.data) if latest else ()
    if not flags:
        return []
    return [{"level": "urgent", "code": "assessment_red_flag",
             "detail": "Red-flag screen positive: " + ", ".join(f.replace("_", " ") for f in flags),
             "evidence": [str(latest.id)], "date": latest.assessed_on.isoformat(),
             "prescription_id": None, "exercise_name": None}]


def _first_prescribed(periods: list[clinical_data.VersionPeriod]) -> dict[int, date]:
    """For each current prescription, the first day of the unbroken run of versions that
    prescribe its exercise (a dose change does not restart the count)."""
    if not periods:
        return {}
    starts = {}
    for p in periods[-1].prescriptions:
        start = periods[-1].start
        for period in reversed(periods[:-1]):
            if not any(q.exercise_id == p.exercise_id for q in period.prescriptions):
                break
            start = period.start
        starts[p.id] = start
    return starts


def _exercise_of(prescription_ids: set[int]) -> dict[int, int]:
    if not prescription_ids:
        return {}
    rows = Prescription.select(Prescription.id, Prescription.exercise).where(Prescription.id.in_(prescription_ids))
    return {row.id: row.exercise_id for row in rows}
