"""What the patient sees on Today: the day's exercises with sessions done and targeted.

The hot path of the patient app, read in two statements (the signed-in user and the patient
come in one more, :func:`hep.people.devices.load`): the current version's prescriptions with
their exercises, and the day's state (sessions logged today and yesterday, today's check-in).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import peewee as pw

from hep.clinical.records import MIN_SETS_FOR_SESSION
from hep.library.views import exercise_view
from hep.logbook.checkins import checkin_view
from hep.logbook.sessions import Rx, count_day, rx_of
from hep.models import CheckIn, Completion, Exercise, Patient, Prescription, Program, ProgramVersion
from hep.models.prepared import Prepared
from hep.programs import self_progress
from hep.programs.versions import dose_of
from hep.timeutil import today_in


def today_view(patient: Patient, locale: str | None, now: datetime | None = None) -> dict:
    """Today's prescriptions (in the patient's zone) with sessions done (the one count of
    :func:`hep.logbook.sessions.sessions_done`, for the current version) and targeted."""
    today = today_in(patient.timezone, now)
    prescriptions = current_prescriptions(patient)
    version = prescriptions[0].version if prescriptions else None
    logged, worked_yesterday, checkin, pain = _day_state(patient, today)
    items = []
    if version is not None:
        done = count_day(patient.id, today, version.id, [rx_of(p) for p in prescriptions], logged).done
        # The engine is read only when a step could be on offer (bounds set, or pain above
        # a ceiling today), so the usual Today stays a few statements.
        offers = self_progress.offers(patient, prescriptions, pain)
        for p in prescriptions:
            if p.is_due_on(today.isoweekday()):
                items.append({
                    "prescription_id": p.id,
                    "exercise": exercise_view(p.exercise, locale),
                    "dose": dose_of(p),
                    "done_today": done.get(p.id, 0),
                    "target_today": p.frequency_per_day,
                    "offer": offers.get(p.id),
                })
    return {
        "date": today,
        "timezone": patient.timezone,
        "phase": version.phase if version else None,
        "version": version.number if version else None,
        "notes": version.notes if version else "",
        "items": items,
        "checkin_due": worked_yesterday and checkin is None,
        "checkin_today": checkin_view(checkin) if checkin else None,
    }


def current_prescriptions(patient: Patient) -> list[Prescription]:
    """The prescriptions of the patient's current (latest) program version in order, in one
    statement; [] without a program. Each comes with the parts of its exercise Today shows
    (:func:`hep.library.views.exercise_view`, and its ladder neighbours for a self-progression
    step: not the tags) and its version's id, number, phase and notes."""
    return list(_CURRENT_PRESCRIPTIONS(patient=patient.id))


#: What exercise_view reads of an exercise (turning JSON columns into lists costs, per row).
_EXERCISE_SHOWN = (Exercise.id, Exercise.clinic, Exercise.slug, Exercise.name, Exercise.phase, Exercise.category,
                   Exercise.regions, Exercise.equipment, Exercise.summary, Exercise.steps, Exercise.cues,
                   Exercise.safety, Exercise.default_dose, Exercise.media, Exercise.translations,
                   Exercise.image, Exercise.video, Exercise.easier, Exercise.harder)


def _current_prescriptions(p) -> pw.Select:
    latest = (ProgramVersion.select(pw.fn.MAX(ProgramVersion.number)).join(Program)
              .where(Program.patient == p.patient))
    return (Prescription.select(Prescription, *_EXERCISE_SHOWN, ProgramVersion.id, ProgramVersion.number,
                                ProgramVersion.phase, ProgramVersion.notes)
            .join(Exercise).switch(Prescription).join(ProgramVersion).join(Program)
            .where((Program.patient == p.patient) & (ProgramVersion.number == latest))
            .order_by(Prescription.position))


_CURRENT_PRESCRIPTIONS = Prepared(_current_prescriptions)  # the hot path: SQL built once


def pain_today(patient: Patient, prescription_id: int) -> dict[int, int]:
    """The highest pain (during or after) logged today against ``prescription_id``, by id
    ({} when nothing was logged), in one statement."""
    today = today_in(patient.timezone)
    highest = (Completion.current()
               .select(pw.fn.MAX(Completion.pain_during), pw.fn.MAX(Completion.pain_after))
               .where((Completion.patient == patient.id) & (Completion.local_date == today)
                      & (Completion.prescription == prescription_id)).tuples().first())
    values = [v for v in (highest or ()) if v is not None]
    return {prescription_id: max(values)} if values else {}


def _day_state(patient: Patient, today: date) -> tuple[list[tuple[Rx, int]], bool, CheckIn | None, dict[int, int]]:
    """In one statement: today's sessions (the prescription each was logged against, how
    many count), whether anything was logged yesterday, today's current check-in, and the
    highest pain (during or after) logged today against each prescription id.

    The patient's row anchors the statement, so it has a row even when nothing was logged;
    the check-in columns repeat on each row of sessions."""
    yesterday = today - timedelta(days=1)
    logged: list[tuple[Rx, int]] = []
    pain: dict[int, int] = {}
    worked_yesterday = False
    checkin = None
    for row in _DAY_STATE(patient=patient.id, today=today, yesterday=yesterday):
        values = row[:len(_CHECKIN_FIELDS)]
        local_date, count, during, after, *rx = row[len(_CHECKIN_FIELDS):]
        if checkin is None and values[0] is not None:
            checkin = CheckIn(**{f.name: v for f, v in zip(_CHECKIN_FIELDS, values, strict=True)})
        if local_date is None:
            continue
        if Completion.local_date.python_value(local_date) == yesterday:
            worked_yesterday = True
        else:
            rx_id, version_id, exercise_id, side, position, per_day, weekdays = rx
            # Model columns come converted; the subquery's date does not (SQLite gives text).
            logged.append((Rx(rx_id, version_id, exercise_id, side, position, per_day, frozenset(weekdays or ())), count))
            pain[rx_id] = max(during, after)
    return logged, worked_yesterday, checkin, pain


_CHECKIN_FIELDS = list(CheckIn._meta.sorted_fields)


def _day_state_query(p) -> pw.Select:
    sessions = (Completion.current()
                .select(Completion.prescription, Completion.local_date,
                        # Sessions that count (hep.logbook.sessions); a log with fewer sets
                        # still says the patient worked that day.
                        pw.fn.SUM(pw.Case(None, [(Completion.sets_done >= MIN_SETS_FOR_SESSION, 1)], 0)).alias("n"),
                        pw.fn.MAX(Completion.pain_during).alias("pain_during"),
                        pw.fn.MAX(Completion.pain_after).alias("pain_after"))
                .where((Completion.patient == p.patient) & Completion.local_date.in_([p.yesterday, p.today]))
                .group_by(Completion.prescription, Completion.local_date)
                .alias("sessions"))
    rx_columns = (Prescription.id, Prescription.version, Prescription.exercise, Prescription.side,
                  Prescription.position, Prescription.frequency_per_day, Prescription.days_of_week)
    return (Patient.select(*_CHECKIN_FIELDS, sessions.c.local_date, sessions.c.n, sessions.c.pain_during,
                           sessions.c.pain_after, *rx_columns)
            .join(CheckIn, pw.JOIN.LEFT_OUTER,
                  on=((CheckIn.patient == Patient.id) & (CheckIn.date == p.today) & CheckIn.superseded_at.is_null()))
            .switch(Patient).join(sessions, pw.JOIN.LEFT_OUTER, on=pw.SQL("1 = 1"))
            .join(Prescription, pw.JOIN.LEFT_OUTER, on=(Prescription.id == sessions.c.prescription_id))
            .where(Patient.id == p.patient)
            .tuples())


_DAY_STATE = Prepared(_day_state_query)
