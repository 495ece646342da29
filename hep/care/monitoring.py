"""Remote monitoring (RTM) for one patient: days of data and 30-day periods read from the
database into ``hep.clinical.monitoring``, and the therapist's time log.

The code table and where a period starts are instance settings (``RTM_CODES``, loaded at
start-up from ``HEP_RTM_CODES_PATH`` or the shipped table, and ``RTM_PERIOD_START``).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import peewee as pw
from flask import current_app
from flask_babel import gettext as _

from hep.clinical import (
    CurrentPeriod,
    ManagementMonth,
    RtmCodes,
    current_period,
    management_month,
    monitoring_periods,
    period_anchor,
)
from hep.clinical.monitoring import month_bounds
from hep.db import db
from hep.errors import Forbidden, Invalid, NotFound
from hep.models import CheckIn, Completion, Patient, Program, ProgramVersion, TimeLogEntry, User
from hep.people import audit
from hep.programs.versions import program_start
from hep.timeutil import from_storage, local_date, today_in

MAX_MINUTES = 240
MAX_NOTE = 2000


def codes() -> RtmCodes:
    return current_app.config["RTM_CODES"]


def period_start_setting() -> str:
    return current_app.config["RTM_PERIOD_START"]


def data_days(patient: Patient) -> list[date]:
    """Distinct local dates with any current completion or morning check-in, oldest first."""
    return data_days_of([patient.id])[patient.id]


def data_days_of(patient_ids: list[int]) -> dict[int, list[date]]:
    """:func:`data_days` of each patient, in two statements however many patients."""
    days: dict[int, set[date]] = {pid: set() for pid in patient_ids}
    if patient_ids:
        sessions = (Completion.current().select(Completion.patient, Completion.local_date)
                    .where(Completion.patient.in_(patient_ids)).distinct().tuples())
        mornings = (CheckIn.current().select(CheckIn.patient, CheckIn.date)
                    .where(CheckIn.patient.in_(patient_ids)).distinct().tuples())
        for pid, day in list(sessions) + list(mornings):
            days[pid].add(Completion.local_date.python_value(day))
    return {pid: sorted(found) for pid, found in days.items()}


def program_starts(patients: list[Patient]) -> dict[int, date | None]:
    """The local day each patient's first program version was created (None: no program),
    in one statement."""
    zones = {p.id: p.timezone for p in patients}
    starts: dict[int, date | None] = dict.fromkeys(zones)
    if zones:
        first = (ProgramVersion.select(Program.patient, pw.fn.MIN(ProgramVersion.created_at)).join(Program)
                 .where(Program.patient.in_(list(zones))).group_by(Program.patient).tuples())
        for pid, created_at in first:
            starts[pid] = local_date(from_storage(ProgramVersion.created_at.python_value(created_at)), zones[pid])
    return starts


def patient_period(patient: Patient, today: date | None = None) -> CurrentPeriod:
    """The period holding ``today`` (default: the patient's today), over the whole history."""
    return current_period(data_days(patient), today=today or today_in(patient.timezone),
                          start=period_start_setting(), program_start=program_start(patient),
                          codes=codes())


def patient_periods(patient: Patient, today: date, *, days: list[date] | None = None,
                    started: date | None = None):
    """Every period from the anchor up to the one holding ``today``; ``days`` and ``started``
    (the program start) when the caller read them already (:func:`data_days_of`,
    :func:`program_starts`)."""
    if days is None:
        days, started = data_days(patient), program_start(patient)
    anchor = period_anchor(days, start=period_start_setting(), program_start=started)
    return monitoring_periods(days, anchor=anchor, today=today, codes=codes())


def month_of(patient: Patient, month: date, entries: list[TimeLogEntry] | None = None) -> ManagementMonth:
    """The management minutes and codes of the calendar month starting ``month``; ``entries``
    when the caller read the patient's time log already (:func:`time_logs_of`)."""
    rows = TimeLogEntry.select().where(TimeLogEntry.patient == patient) if entries is None else entries
    return management_month([(r.worked_on, r.minutes, r.interactive_contact) for r in rows],
                            month=month, codes=codes())


def time_logs_of(patient_ids: list[int], month: date) -> dict[int, list[TimeLogEntry]]:
    """Each patient's time-log entries of ``month``, in one statement."""
    first, following = month_bounds(month)
    found: dict[int, list[TimeLogEntry]] = {pid: [] for pid in patient_ids}
    if patient_ids:
        for entry in TimeLogEntry.select().where(TimeLogEntry.patient.in_(patient_ids)
                                                 & (TimeLogEntry.worked_on >= first)
                                                 & (TimeLogEntry.worked_on < following)):
            found[entry.patient_id].append(entry)
    return found


def monitoring_view(patient: Patient, month: date | None = None) -> dict[str, Any]:
    """The ``GET /patients/{id}/monitoring`` document: the periods up to today (or to the end
    of ``month`` when that is earlier), the current period, and ``month``'s (default: this
    month's) management time and codes with reasons."""
    today = today_in(patient.timezone)
    month = (month or today).replace(day=1)
    periods = patient_periods(patient, today)
    return {
        "today": today, "period_start": period_start_setting(), "code_table": codes().version,
        "period_days": codes().period_days,
        "current": patient_period(patient, today).to_dict(),
        "periods": [p.to_dict() for p in periods],
        "management": month_of(patient, month).to_dict(),
    }


def entries_of(patient: Patient, month: date | None = None) -> list[TimeLogEntry]:
    """The patient's time-log entries, newest day first (only ``month``'s when given)."""
    query = TimeLogEntry.select().where(TimeLogEntry.patient == patient)
    if month is not None:
        first, following = month_bounds(month)
        query = query.where((TimeLogEntry.worked_on >= first) & (TimeLogEntry.worked_on < following))
    return list(query.order_by(TimeLogEntry.worked_on.desc(), TimeLogEntry.id.desc()))


def add_entry(patient: Patient, by: User, body: Mapping[str, Any]) -> TimeLogEntry:
    """Log minutes for ``patient``; raises ``Invalid`` naming every bad field (``worked_on``
    in the future by the patient's day, ``minutes`` outside 1-240, ``note`` too long) and
    writes nothing then. Audited as ``time_log.create``."""
    errors: dict[str, list[str]] = {}
    worked_on, minutes = body.get("worked_on"), body.get("minutes")
    note = (body.get("note") or "").strip()
    if not isinstance(worked_on, date):
        errors["worked_on"] = [_("Enter the date the time was spent.")]
    elif worked_on > today_in(patient.timezone):
        errors["worked_on"] = [_("The date cannot be in the future.")]
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
        errors["minutes"] = [_("Enter between 1 and %(n)s minutes.", n=MAX_MINUTES)]
    if len(note) > MAX_NOTE:
        errors["note"] = [_("Keep the note under %(n)s characters.", n=MAX_NOTE)]
    if errors:
        raise Invalid(errors=errors)
    with db.atomic():
        entry = TimeLogEntry.create(patient=patient, therapist=by.id, worked_on=worked_on,
                                    minutes=minutes, note=note,
                                    interactive_contact=bool(body.get("interactive_contact")))
        audit.record("time_log.create", patient=patient, entry=entry.id, minutes=minutes,
                     worked_on=worked_on.isoformat(), interactive_contact=entry.interactive_contact)
    return entry


def delete_entry(patient: Patient, by: User, entry_id: int) -> None:
    """Delete one of ``by``'s own entries about ``patient``: another patient's entry is
    ``NotFound``, another therapist's ``Forbidden``. Audited as ``time_log.delete``."""
    entry = TimeLogEntry.get_or_none((TimeLogEntry.id == entry_id) & (TimeLogEntry.patient == patient))
    if entry is None:
        raise NotFound(_("No such time-log entry."))
    if entry.therapist_id != by.id:
        raise Forbidden(_("Only the therapist who logged this time can delete it."))
    with db.atomic():
        entry.delete_instance()
        audit.record("time_log.delete", patient=patient, entry=entry_id, minutes=entry.minutes,
                     worked_on=entry.worked_on.isoformat())


def entry_view(entry: TimeLogEntry, viewer: User | None = None) -> dict[str, Any]:
    """One entry as the API serves it; ``own``: ``viewer`` may delete it."""
    return {"id": entry.id, "worked_on": entry.worked_on, "minutes": entry.minutes,
            "note": entry.note, "interactive_contact": entry.interactive_contact,
            "therapist_id": entry.therapist_id, "created_at": from_storage(entry.created_at),
            "own": viewer is not None and entry.therapist_id == viewer.id}
