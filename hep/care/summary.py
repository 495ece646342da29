"""The therapist's summary of one patient: the database read into ``hep.clinical``, and the
engine's findings stored as alerts.

Completions logged against an earlier program version of the same exercise count for the
current prescription of that exercise (``bridge.completions_for_current``), so a dose change
does not erase the history the rules read. The rules read the evidence since each
prescription's current dose started; stored emergency and urgent alerts stop every
prescription until resolved, and a resolution holds them for a few days of new data.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hep.care import alerts as stored_alerts
from hep.care import bridge
from hep.care.exposure import exposure_summary
from hep.care.monitoring import patient_period
from hep.care.outcomes import outcomes_view
from hep.care.thresholds import settings_for
from hep.clinical import Alert as Finding
from hep.clinical import PatientSummary, classify_red_flags, patient_summary
from hep.models import Assessment, Patient
from hep.programs.versions import prescription_names
from hep.timeutil import today_in, zone

EPOCH = date(1970, 1, 1)
#: Library categories whose exercises calm by nature: a morning response alone never
#: regresses them.
CALMING_CATEGORIES = frozenset({"breathing", "position-of-ease"})


@dataclass(frozen=True)
class Evaluation:
    """The engine's summary of a patient, with what it was computed from."""

    summary: PatientSummary
    names: dict[int, str]
    phase: str | None


def evaluate(patient: Patient, days: int = 28, stored: list | None = None) -> Evaluation:
    """Run the clinical engine over the patient's logs, program and stored alerts
    (``stored``: the patient's alerts when the caller has read them already)."""
    settings = settings_for(patient)
    tz = zone(patient.timezone)
    today = today_in(patient.timezone)
    window = max(days, settings.trend_days, settings.window_days, 30)
    since = today - timedelta(days=window - 1)
    periods = bridge.version_periods(patient, EPOCH, today)
    current = periods[-1].prescriptions if periods else ()
    open_alert, resolved_on = stored_alerts.engine_inputs(patient, stored)
    summary = patient_summary(
        {p.id: bridge.dose(p) for p in current},
        bridge.completions_for_current(patient, since, current),
        bridge.checkins(patient, since), settings,
        today=today, tz=tz, days=days, program_start=periods[0].start if periods else None,
        prescription_starts=bridge.dose_starts(periods), open_alert=open_alert,
        resolved_on=resolved_on, baseline_morning_pain=_baseline_pain(patient),
        calming={p.id for p in current if p.exercise.category in CALMING_CATEGORIES},
        monitoring=patient_period(patient, today),
    )
    return Evaluation(summary, {p.id: p.exercise.name for p in current},
                      periods[-1].version.phase if periods else None)


def refresh_alerts(patient: Patient) -> list:
    """Store what the engine finds now (the logs' findings and the latest assessment's
    red-flag screen) as alerts; returns those newly raised. Called after every write that
    can change a finding, and periodically for the findings time alone makes (silence)."""
    from hep.care.outcomes import outcome_findings

    return stored_alerts.record_findings(patient, [*evaluate(patient).summary.alerts,
                                                    *_assessment_findings(patient),
                                                    *outcome_findings(patient, settings_for(patient))])


def refresh_all_alerts() -> int:
    """Refresh the alerts of every patient with a program: silence raises alerts with no
    write to trigger it (no logs since joining, no check-ins). Returns the alerts raised."""
    from hep.models import Program

    patients = (Patient.select().join(Program, on=(Program.patient == Patient.id))
                .where(Patient.archived_at.is_null()))
    return sum(len(refresh_alerts(patient)) for patient in patients)


def summary_view(patient: Patient, days: int = 28) -> dict:
    """The ``GET /patients/{id}/summary`` document (see DESIGN.md): the engine's figures and
    recommendations, the stored alerts (unresolved first, then the latest resolved), and the
    outcome measures (``outcomes``: per instrument baseline, latest, change, meaningful,
    labels)."""
    rows = stored_alerts.alerts_of(patient)
    evaluation = evaluate(patient, days, rows)
    result = evaluation.summary.to_dict()
    for item in result["recommendations"]:
        item["exercise_name"] = evaluation.names.get(item["prescription_id"])
    names = {**prescription_names({a.prescription_id for a in rows}), **evaluation.names}
    result["alerts"] = stored_alerts.alert_views(rows, names)
    result["phase"] = evaluation.phase
    settings = settings_for(patient)
    result["exposure"] = exposure_summary(patient, settings)
    result["settings"] = settings.to_dict()
    result["outcomes"] = outcomes_view(patient)
    return result


def _assessments(patient: Patient) -> list[Assessment]:
    return list(Assessment.select().where(Assessment.patient == patient)
                .order_by(Assessment.assessed_on.desc(), Assessment.id.desc()).limit(2))


def _assessment_findings(patient: Patient) -> list[Finding]:
    """The latest assessment's red-flag screen, weighed in clusters (IFOMPT), as findings;
    a reassessment is lined up against the previous one and the first (the baseline)."""
    latest, *earlier = _assessments(patient) or [None]
    if latest is None:
        return []
    baseline = None
    if earlier:
        baseline = (Assessment.select(Assessment.data).where(Assessment.patient == patient)
                    .order_by(Assessment.assessed_on, Assessment.id).first())
    screen = classify_red_flags(latest.data, earlier[0].data if earlier else None,
                                baseline.data if baseline else None)
    return [Finding(level=item.tier, code=f"assessment_{item.code}", detail=item.detail,
                    evidence=(f"assessment:{latest.id}",), date=latest.assessed_on)
            for item in screen.items]


def _baseline_pain(patient: Patient) -> int | None:
    """The latest assessment's pain now, the morning reference until check-ins take over."""
    latest = next(iter(_assessments(patient)), None)
    value = latest.data.get("pain_now") if latest else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
