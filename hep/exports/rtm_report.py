"""The monthly remote-monitoring report for billing staff: one CSV row per patient of a
therapist, with the 30-day periods ending in the month (days of data and the day code), the
month's management minutes and codes, and whether the month had an interactive contact.

Cells a spreadsheet would read as a formula are prefixed with ``'`` (CSV injection), and the
file starts with a UTF-8 byte-order mark so spreadsheet apps read accented names.
"""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from flask import Response, current_app

from hep.care.monitoring import data_days_of, month_of, patient_periods, program_starts, time_logs_of
from hep.clinical.monitoring import month_bounds
from hep.models import Patient, User
from hep.people import audit
from hep.timeutil import today_in

BOM = "\ufeff"
COLUMNS = ("patient_id", "patient", "month", "periods", "days_of_data", "day_codes", "minutes",
           "management_codes", "interactive_contact")
#: Characters that make a spreadsheet evaluate a cell (OWASP: CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """``value`` as text a spreadsheet shows as typed, never evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def patient_row(patient: Patient, month: date, *, days: list[date], started: date | None,
                entries: list) -> list[object]:
    """One patient's row for ``month`` (its first day): periods that end in the month, counted
    up to the patient's today (a period not over yet is marked in progress), from the
    patient's days of data, program start and the month's time-log ``entries``."""
    last = month_bounds(month)[1] - timedelta(days=1)
    today = today_in(patient.timezone)
    ending = [p for p in patient_periods(patient, min(today, last), days=days, started=started)
              if month <= p.end <= last]
    management = month_of(patient, month, entries)
    return [
        patient.id, patient.display_name, month.strftime("%Y-%m"),
        "; ".join(f"{p.number}: {p.start.isoformat()} to {p.end.isoformat()}"
                  + (" (in progress)" if p.end > today else "") for p in ending),
        "; ".join(str(p.count) for p in ending),
        "; ".join(p.code or "none" for p in ending),
        management.minutes,
        "; ".join(management.codes),
        "yes" if management.interactive_contact else "no",
    ]


def rtm_csv(therapist: User, month: date) -> str:
    """The CSV text (with its BOM) for ``therapist``'s current patients in ``month``, by name.
    Each patient reached is noted for the audit trail, and the report itself is recorded.
    The patients' data is read in a fixed number of statements, however many patients."""
    patients = list(Patient.select().where((Patient.therapist == therapist.id)
                                           & Patient.archived_at.is_null())
                    .order_by(Patient.display_name, Patient.id))
    ids = [p.id for p in patients]
    days, starts, entries = data_days_of(ids), program_starts(patients), time_logs_of(ids, month)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for patient in patients:
        audit.touch(patient)
        row = patient_row(patient, month, days=days[patient.id], started=starts[patient.id], entries=entries[patient.id])
        writer.writerow([safe_cell(cell) for cell in row])
    audit.record("report.rtm", month=month.strftime("%Y-%m"), patients=len(patients))
    return BOM + out.getvalue()


def rtm_csv_response(therapist: User, month: date) -> Response:
    """:func:`rtm_csv` as a download named for the month, never cached."""
    return current_app.response_class(
        rtm_csv(therapist, month).encode("utf-8"), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="rtm-{month:%Y-%m}.csv"',
                 "Cache-Control": "no-store"})
