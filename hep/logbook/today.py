"""What the patient sees on Today: the day's exercises with sessions done and targeted."""
from __future__ import annotations

from datetime import datetime, timedelta

from hep.library.views import exercise_view
from hep.logbook.checkins import checkin_view, todays_checkin
from hep.logbook.sessions import sessions_done
from hep.models import Completion, Patient
from hep.programs.versions import current_version, dose_of
from hep.timeutil import today_in


def today_view(patient: Patient, locale: str | None, now: datetime | None = None) -> dict:
    """Today's prescriptions (in the patient's zone) with sessions done (the one count of
    :func:`hep.logbook.sessions.sessions_done`) and targeted."""
    today = today_in(patient.timezone, now)
    version = current_version(patient)
    items = []
    if version is not None:
        done = sessions_done([patient], [today])[(patient.id, today)].done
        for p in version.ordered_prescriptions():
            if p.is_due_on(today.isoweekday()):
                items.append({
                    "prescription_id": p.id,
                    "exercise": exercise_view(p.exercise, locale),
                    "dose": dose_of(p),
                    "done_today": done.get(p.id, 0),
                    "target_today": p.frequency_per_day,
                })
    yesterday = today - timedelta(days=1)
    worked_yesterday = Completion.current().where(
        (Completion.patient == patient) & (Completion.local_date == yesterday)
    ).exists()
    checkin = todays_checkin(patient, today)
    return {
        "date": today,
        "timezone": patient.timezone,
        "phase": version.phase if version else None,
        "items": items,
        "checkin_due": worked_yesterday and checkin is None,
        "checkin_today": checkin_view(checkin) if checkin else None,
    }
