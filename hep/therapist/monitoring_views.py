"""Therapist pages for remote monitoring: the time log of one patient (add and delete
entries, post/redirect/get) and the month's CSV for billing staff.

The same services as the JSON API (``hep.api.monitoring``) do the work; the form fields are
loaded with the API's schemas, so a refusal names the same fields. Ownership is checked
first, so another therapist gets 404 whatever they post.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from hep.care import monitoring
from hep.errors import Invalid
from hep.exports.rtm_report import rtm_csv_response
from hep.people.access import therapist_patient
from hep.people.auth import require_role
from hep.schemas.monitoring import MonthField, TimeLogEntryIn
from hep.therapist.assessment_form import message
from hep.therapist.forms import flatten, number
from hep.therapist.views import bp, patients_page
from hep.timeutil import today_in, utcnow

ENTRY_FIELDS = ("worked_on", "minutes", "note", "interactive_contact")


@bp.context_processor
def report_helpers() -> dict:
    """``now_month()``: this month as ``YYYY-MM`` (UTC), the report form's default."""
    return {"now_month": lambda: utcnow().strftime("%Y-%m")}


def _month(text: str | None):
    """The first day of the month ``YYYY-MM``; raises ``ValidationError``."""
    return MonthField().deserialize(text)


@bp.route("/patients/<int:patient_id>/time-log", methods=["GET", "POST"])
@require_role("therapist")
def time_log(patient_id: int):
    """The month's entries (``?month=YYYY-MM``, default this month) with its minutes and
    codes, and a form to log time; a refused form is shown again with 422."""
    patient = therapist_patient(patient_id)
    today = today_in(patient.timezone)
    values = {"worked_on": today.isoformat(), "minutes": "", "note": "", "interactive_contact": ""}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {k: request.form.get(k, "").strip() for k in ENTRY_FIELDS}
        errors = _add(patient, values)
        if not errors:
            return redirect(url_for("therapist.time_log", patient_id=patient.id,
                                    month=values["worked_on"][:7]))
    try:
        month = _month(request.args["month"]) if request.args.get("month") else today.replace(day=1)
    except ValidationError:
        month, errors = today.replace(day=1), {**errors, "month": [_("Choose a month as YYYY-MM.")]}
    view = monitoring.monitoring_view(patient, month)
    return render_template(
        "therapist/time_log.html", patient=patient, month=month, view=view,
        entries=[monitoring.entry_view(e, current_user) for e in monitoring.entries_of(patient, month)],
        values=values, errors=errors, max_minutes=monitoring.MAX_MINUTES,
    ), 422 if errors else 200


def _add(patient, values: dict) -> dict[str, list[str]]:
    """Validate with the API's schema and log the time; the field errors, empty when added."""
    body = {"worked_on": values["worked_on"] or None, "minutes": number(values["minutes"]),
            "note": values["note"], "interactive_contact": values["interactive_contact"] == "yes"}
    try:
        body = TimeLogEntryIn().load({k: v for k, v in body.items() if v is not None})
    except ValidationError as exc:
        return {k: [message(m) for m in v] for k, v in flatten(exc.messages).items()}
    try:
        entry = monitoring.add_entry(patient, current_user, body)
    except Invalid as exc:
        return {k: list(v) for k, v in exc.errors.items()}
    flash(_("Logged %(n)s minutes on %(day)s.", n=entry.minutes, day=entry.worked_on.isoformat()), "success")
    return {}


@bp.post("/patients/<int:patient_id>/time-log/<int:entry_id>/delete")
@require_role("therapist")
def delete_time_log(patient_id: int, entry_id: int):
    """Delete one of my own entries, then back to its month."""
    patient = therapist_patient(patient_id)
    month = request.form.get("month", "")
    monitoring.delete_entry(patient, current_user, entry_id)
    flash(_("Time-log entry deleted."), "success")
    return redirect(url_for("therapist.time_log", patient_id=patient.id, month=month or None))


@bp.get("/reports/rtm.csv")
@require_role("therapist")
def rtm_report():
    """The month's CSV (``?month=YYYY-MM``); a bad month shows the patient list with 422."""
    text = request.args.get("month", "")
    try:
        month = _month(text)
    except ValidationError:
        flash(_("Choose a month as YYYY-MM to download the remote-monitoring report."), "error")
        return patients_page({}, {}, report_month=text), 422
    return rtm_csv_response(current_user, month)
