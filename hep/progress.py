"""The patient's progress: adherence calendar, streak, pain trend."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from hep import clinical_data
from hep.clinical.adherence import session_adherence
from hep.models import Patient
from hep.timeutil import today_in, zone


def progress_view(patient: Patient, days: int) -> dict:
    """Per-day sessions done and targeted, pain, morning pain; streak and adherence."""
    tz = zone(patient.timezone)
    today = today_in(patient.timezone)
    start = today - timedelta(days=days - 1)
    logged = clinical_data.completions(patient, start)
    checkins = {c.date: c for c in clinical_data.checkins(patient, start)}
    by_prescription: dict[int, list] = defaultdict(list)
    for _row, record in logged:
        by_prescription[record.prescription_id].append(record)

    target: dict[date, int] = defaultdict(int)
    done: dict[date, int] = defaultdict(int)
    prescribed_total = completed_total = 0
    for period in clinical_data.version_periods(patient, start, today):
        for p in period.prescriptions:
            dose = clinical_data.dose(p)
            adherence = session_adherence(dose, by_prescription.get(p.id, []), start=period.start,
                                          end=period.end, tz=tz, today=today)
            prescribed_total += adherence.prescribed_sessions
            completed_total += adherence.completed_sessions
            per_day: dict[date, int] = defaultdict(int)
            for record in by_prescription.get(p.id, []):
                per_day[record.local_date(tz)] += 1
            day = period.start
            while day <= period.end:
                wanted = dose.sessions_on(day)
                target[day] += wanted
                done[day] += min(per_day.get(day, 0), wanted)
                day += timedelta(days=1)

    pain: dict[date, list[int]] = defaultdict(list)
    for _row, record in logged:
        pain[record.local_date(tz)].append(record.pain_during)
    series = []
    day = start
    while day <= today:
        series.append({
            "date": day,
            "sessions_done": done.get(day, 0),
            "sessions_target": target.get(day, 0),
            "pain_during_avg": round(sum(pain[day]) / len(pain[day]), 1) if pain.get(day) else None,
            "morning_pain": checkins[day].morning_pain if day in checkins else None,
        })
        day += timedelta(days=1)
    return {
        "days": series,
        "streak": streak(series, today),
        "adherence_percent": round(100 * completed_total / prescribed_total, 1) if prescribed_total else None,
    }


def streak(series: list[dict], today: date) -> int:
    """Consecutive days, back from today, with every targeted session done.

    Today counts only once complete (an unfinished today does not break the streak);
    rest days (nothing targeted) neither count nor break it.
    """
    count = 0
    for entry in reversed(series):
        wanted, got = entry["sessions_target"], entry["sessions_done"]
        if wanted == 0:
            continue
        if got >= wanted:
            count += 1
        elif entry["date"] != today:
            break
    return count
