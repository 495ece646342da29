"""Therapist pages for a patient's data as a whole: the audit trail (also for the clinic's
admins) and erasure, with a form where the therapist types the patient's name to confirm.

The same service functions as the JSON API (``hep.api.patient_data``) do the work.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hep.errors import Invalid
from hep.exports.erasure import erase_patient
from hep.people import audit
from hep.people.access import audit_patient, therapist_patient
from hep.people.auth import require_role
from hep.therapist.views import bp

PAGE_SIZE = 50


@bp.get("/patients/<int:patient_id>/audit")
@require_role("therapist", "admin")
def audit_trail(patient_id: int):
    """Who read or changed the patient's record, newest first (``?before=`` for older)."""
    patient = audit_patient(patient_id)
    before = request.args.get("before", type=int)
    page = audit.trail(patient, before if before and before > 0 else None, PAGE_SIZE)
    return render_template("therapist/audit.html", patient=patient, page=page, before=before)


@bp.route("/patients/<int:patient_id>/erasure", methods=["GET", "POST"])
@require_role("therapist")
def erasure(patient_id: int):
    """Confirm with the patient's name, then erase them and go back to the patient list."""
    patient = therapist_patient(patient_id)
    errors: dict[str, list[str]] = {}
    typed = ""
    if request.method == "POST":
        typed = request.form.get("confirm", "")[:200]
        try:
            erase_patient(patient, typed)
        except Invalid as exc:
            errors = exc.errors or {}
        else:
            flash(_("The patient and all their data were erased."), "success")
            return redirect(url_for("therapist.patients"))
    return render_template("therapist/erasure.html", patient=patient, errors=errors, typed=typed), 422 if errors else 200
