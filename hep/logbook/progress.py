"""The patient's progress: adherence calendar, streak, pain trend."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from hep.logbook.sessions import sessions_done
from hep.models import CheckIn, Completion, Patient
from hep.programs.versions import program_start
from hep.timeutil import today_in


def progress_view(patient: Patient, days: int) -> dict:
    """Per-day sessions done and targeted (the one count of ``sessions_done``), pain and
    morning pain; the streak and the period's session adherence.

    The days start no earlier than the program did (``program_start``): the days before it
    are no rest days, they are not shown at all (no days before the first program).
    Today is still in progress: it adds the sessions already done to adherence and never
    lowers it.
    """
    today = today_in(patient.timezone)
    began = program_start(patient)
    start = max(today - timedelta(days=days - 1), began or today + timedelta(days=1))
    dates = [start + timedelta(days=n) for n in range((today - start).days + 1)]
    counts = sessions_done([patient], dates)
    pain: dict[date, list[int]] = defaultdict(list)
    for row in (Completion.current().select(Completion.local_date, Completion.pain_during)
                .where((Completion.patient == patient) & (Completion.local_date >= start))):
        pain[row.local_date].append(row.pain_during)
    mornings = {c.date: c.morning_pain for c in
                CheckIn.current().select(CheckIn.date, CheckIn.morning_pain)
                .where((CheckIn.patient == patient) & (CheckIn.date >= start))}

    series = []
    prescribed = completed = 0
    for day in dates:
        count = counts[(patient.id, day)]
        done, wanted = count.counted, count.sessions_target
        prescribed += min(wanted, done) if day == today else wanted
        completed += done
        series.append({
            "date": day,
            "sessions_done": done,
            "sessions_target": wanted,
            "pain_during_avg": round(sum(pain[day]) / len(pain[day]), 1) if pain.get(day) else None,
            "morning_pain": mornings.get(day),
        })
    return {
        "days": series,
        "streak": streak(series, today),
        "adherence_percent": round(100 * completed / prescribed, 1) if prescribed else None,
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
