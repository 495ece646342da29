"""Remote monitoring (therapists): a patient's periods and month, the time log, and the
monthly CSV for billing staff."""
from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint

from hep.care import monitoring
from hep.exports.rtm_report import rtm_csv_response
from hep.people.access import therapist_patient
from hep.people.auth import require_role
from hep.schemas import monitoring as s

bp = Blueprint("monitoring", __name__, url_prefix="/api/v1", description="Remote monitoring (therapists)")


@bp.get("/patients/<int:patient_id>/monitoring")
@require_role("therapist")
@bp.arguments(s.MonthQuery, location="query")
@bp.response(200, s.MonitoringOut)
def get_monitoring(query, patient_id: int):
    """The 30-day periods with their days of data and day code, the current period, and the
    month's (default: this month's) management minutes and codes, with reasons."""
    return monitoring.monitoring_view(therapist_patient(patient_id), query.get("month"))


@bp.get("/patients/<int:patient_id>/time-log")
@require_role("therapist")
@bp.arguments(s.TimeLogQuery, location="query")
@bp.response(200, s.TimeLogEntryOut(many=True))
def list_time_log(query, patient_id: int):
    """The patient's time-log entries, newest day first (one month's with ``month``)."""
    entries = monitoring.entries_of(therapist_patient(patient_id), query.get("month"))
    return [monitoring.entry_view(e, current_user) for e in entries]


@bp.post("/patients/<int:patient_id>/time-log")
@require_role("therapist")
@bp.arguments(s.TimeLogEntryIn)
@bp.response(201, s.TimeLogEntryOut)
def add_time_log(body, patient_id: int):
    """Log management minutes (1-240) on a day, with a note and whether the time included a
    real-time interactive contact. Audited."""
    entry = monitoring.add_entry(therapist_patient(patient_id), current_user, body)
    return monitoring.entry_view(entry, current_user)


@bp.delete("/patients/<int:patient_id>/time-log/<int:entry_id>")
@require_role("therapist")
@bp.response(204)
def delete_time_log(patient_id: int, entry_id: int):
    """Delete one of my own entries (another therapist's: 403). Audited."""
    monitoring.delete_entry(therapist_patient(patient_id), current_user, entry_id)


@bp.get("/reports/rtm.csv")
@require_role("therapist")
@bp.arguments(s.RequiredMonthQuery, location="query")
@bp.response(200, {"type": "string", "format": "binary"}, content_type="text/csv",
             description="One row per patient: periods ending in the month, days of data, day "
                         "codes, minutes, management codes, interactive contact (UTF-8 with BOM).")
def rtm_report(query):
    """The month's remote-monitoring figures for my patients, as CSV for billing staff."""
    return rtm_csv_response(current_user, query["month"])
