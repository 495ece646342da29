"""Everything the therapist's patient summary shows, computed in one pure call."""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import fmean
from zoneinfo import ZoneInfo

from .adherence import Adherence, combined_adherence, session_adherence
from .alerts import Alert, alerts_for
from .monitoring import CurrentPeriod, current_period
from .records import CheckInRecord, CompletionRecord, Dose, OpenAlert
from .rules import Recommendation, recommend
from .settings import ClinicalSettings


@dataclass(frozen=True)
class PainPoint:
    """One local day: mean and max pain during, max pain after, and the morning check-in
    (overall, and back and leg pain when the patient rated them)."""

    date: date
    pain_during_mean: float | None
    pain_during_max: int | None
    pain_after_max: int | None
    morning_pain: int | None
    distal_symptom: str | None
    back_pain: int | None = None
    leg_pain: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {"date": self.date.isoformat(), "pain_during_mean": self.pain_during_mean,
                "pain_during_max": self.pain_during_max, "pain_after_max": self.pain_after_max,
                "morning_pain": self.morning_pain, "distal_symptom": self.distal_symptom,
                "back_pain": self.back_pain, "leg_pain": self.leg_pain}


@dataclass(frozen=True)
class PatientSummary:
    start: date
    end: date
    adherence: Mapping[int, Adherence]
    adherence_percent: float | None
    pain_series: tuple[PainPoint, ...]
    monitoring: CurrentPeriod
    alerts: tuple[Alert, ...]
    recommendations: tuple[Recommendation, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat(), "end": self.end.isoformat(),
            "adherence": {"session_percent": self.adherence_percent,
                          "prescriptions": {str(k): v.to_dict()
                                            for k, v in sorted(self.adherence.items())}},
            "pain_series": [p.to_dict() for p in self.pain_series],
            "monitoring_days": self.monitoring.to_dict(),
            "alerts": [a.to_dict() for a in self.alerts],
            "recommendations": [r.to_dict() for r in self.recommendations],
        }


def patient_summary(prescriptions: Mapping[int, Dose], completions: Iterable[CompletionRecord],
                    checkins: Iterable[CheckInRecord], settings: ClinicalSettings | None = None,
                    *, today: date, tz: ZoneInfo, days: int = 28,
                    program_start: date | None = None,
                    prescription_starts: Mapping[int, date] | None = None,
                    open_alert: OpenAlert | None = None, resolved_on: date | None = None,
                    baseline_morning_pain: int | None = None, calming: Collection[int] = (),
                    loaded: Collection[int] | None = None,
                    monitoring: CurrentPeriod | None = None) -> PatientSummary:
    """The summary over the ``days`` local days ending ``today`` (adherence, pain series,
    the current RTM 30-day period), plus alerts and one recommendation per
    prescription (these read their own windows, see :mod:`hep.clinical.rules`). Today counts
    only what is done.

    ``prescription_starts`` gives the local day each prescription's current dose started
    (default ``program_start``): days before it are not counted as missed, and each start is
    passed to the other prescriptions' rules as a program change. ``open_alert``,
    ``resolved_on`` and ``baseline_morning_pain`` go to every recommendation; ``calming`` and
    ``loaded`` are prescription ids (``loaded`` None: the doses with a weight). ``monitoring``
    is the current RTM period when the caller counted it over the whole history (default: from
    the first day of data among the logs given; see :mod:`hep.clinical.monitoring`)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    settings = settings or ClinicalSettings()
    completions = sorted(completions, key=CompletionRecord.sort_key)
    checkins = sorted(checkins, key=CheckInRecord.sort_key)
    start = today - timedelta(days=days - 1)
    starts = {pid: (prescription_starts or {}).get(pid, program_start) for pid in prescriptions}
    adh_starts = {pid: max(start, s) if s else start for pid, s in starts.items()}
    by_rx = {pid: [c for c in completions if c.prescription_id == pid] for pid in prescriptions}
    adherence = {pid: session_adherence(dose, by_rx[pid], start=adh_starts[pid], end=today, tz=tz,
                                        today=today)
                 for pid, dose in prescriptions.items() if adh_starts[pid] <= today}
    recommendations = {
        pid: recommend(dose, by_rx[pid], checkins, settings, today=today, tz=tz,
                       prescribed_from=starts[pid], prescription_id=pid, open_alert=open_alert,
                       resolved_on=resolved_on, baseline_morning_pain=baseline_morning_pain,
                       calming=pid in calming, loaded=None if loaded is None else pid in loaded,
                       program_changed_on={s for other, s in starts.items()
                                           if other != pid and s is not None})
        for pid, dose in prescriptions.items()}
    data_days = [c.local_date(tz) for c in completions] + [c.date for c in checkins]
    return PatientSummary(
        start=start, end=today, adherence=adherence,
        adherence_percent=combined_adherence(adherence.values())[2],
        pain_series=pain_series(completions, checkins, start=start, end=today, tz=tz),
        monitoring=monitoring or current_period(data_days, today=today),
        alerts=alerts_for(prescriptions, completions, checkins, settings, today=today, tz=tz,
                          program_start=program_start, recommendations=recommendations,
                          prescription_starts=starts, resolved_on=resolved_on),
        recommendations=tuple(recommendations[pid] for pid in sorted(recommendations)),
    )


def pain_series(completions: Iterable[CompletionRecord], checkins: Iterable[CheckInRecord], *,
                start: date, end: date, tz: ZoneInfo) -> tuple[PainPoint, ...]:
    """One point per local day in start..end that has any completion or check-in."""
    sessions: dict[date, list[CompletionRecord]] = {}
    for c in sorted(completions, key=CompletionRecord.sort_key):
        sessions.setdefault(c.local_date(tz), []).append(c)
    mornings: dict[date, CheckInRecord] = {}
    for c in sorted(checkins, key=CheckInRecord.sort_key):
        mornings[c.date] = c  # the last by id wins when a day has two
    points = []
    for day in sorted(set(sessions) | set(mornings)):
        if not start <= day <= end:
            continue
        done, morning = sessions.get(day, []), mornings.get(day)
        points.append(PainPoint(
            date=day,
            pain_during_mean=round(fmean(c.pain_during for c in done), 2) if done else None,
            pain_during_max=max((c.pain_during for c in done), default=None),
            pain_after_max=max((c.pain_after for c in done), default=None),
            morning_pain=morning.morning_pain if morning else None,
            distal_symptom=morning.distal_symptom if morning else None,
            back_pain=morning.back_pain if morning else None,
            leg_pain=morning.leg_pain if morning else None))
    return tuple(points)
