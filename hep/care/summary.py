"""The therapist's summary of one patient: the database read into ``hep.clinical``.

Completions logged against an earlier program version of the same exercise count for the
current prescription of that exercise (``bridge.completions_for_current``), so a dose change
does not erase the history the rules read.
"""
from __future__ import annotations

from datetime import date, timedelta

from hep.care import bridge
from hep.care.thresholds import settings_for
from hep.clinical import patient_summary, red_flags_present
from hep.models import Assessment, Patient
from hep.timeutil import today_in, zone

EPOCH = date(1970, 1, 1)


def summary_view(patient: Patient, days: int = 28) -> dict:
    """The ``GET /patients/{id}/summary`` document (see DESIGN.md)."""
    settings = settings_for(patient)
    tz = zone(patient.timezone)
    today = today_in(patient.timezone)
    window = max(days, settings.lookback_days, 30)
    since = today - timedelta(days=window - 1)
    periods = bridge.version_periods(patient, EPOCH, today)
    current = periods[-1].prescriptions if periods else ()
    records = bridge.completions_for_current(patient, since, current)
    program_start = periods[0].start if periods else None
    result = patient_summary(
        {p.id: bridge.dose(p) for p in current}, records,
        bridge.checkins(patient, since), settings,
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


def _first_prescribed(periods: list[bridge.VersionPeriod]) -> dict[int, date]:
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
