"""Therapist pages: sign in, patients needing attention, a patient's program and log."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from hep import audit, logbook, programs
from hep import patients as patient_service
from hep.access import therapist_patient
from hep.auth import require_role
from hep.auth.passwords import verify_password
from hep.extensions import limiter
from hep.models import Completion, Patient, Prescription, User

bp = Blueprint("therapist", __name__, url_prefix="/t")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: __import__("flask").current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    error = None
    if request.method == "POST":
        user = User.by_email(request.form.get("email", ""))
        if verify_password(user.password_hash if user else None, request.form.get("password", "")) \
                and user.is_active and user.role in {"therapist", "admin"}:
            login_user(user)
            audit.record("login")
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/t/") else url_for("therapist.patients"))
        error = _("Wrong email or password.")
    return render_template("therapist/login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        current_user.end_sessions()
    logout_user()
    return redirect(url_for("therapist.login"))


@bp.get("/patients")
@require_role("therapist")
def patients():
    from hep.attention import patient_flags

    rows = [(p, patient_flags(p)) for p in Patient.of_therapist(current_user).order_by(Patient.display_name)]
    rows.sort(key=lambda pair: -max((f["severity"] for f in pair[1]), default=0))
    return render_template("therapist/patients.html", rows=rows)


@bp.post("/patients")
@require_role("therapist")
def create_patient():
    from hep.timeutil import is_valid_zone

    name = request.form.get("display_name", "").strip()
    tz = request.form.get("timezone", "").strip()
    if not name or not is_valid_zone(tz):
        flash(_("Enter a name and a valid time zone (for example Europe/Madrid)."), "error")
        return redirect(url_for("therapist.patients"))
    patient = patient_service.create_patient(current_user, name, tz, request.form.get("email") or None)
    url, _invite = patient_service.issue_invite(patient, current_user)
    flash(_("Patient created. Share this join link: %(url)s", url=url), "success")
    return redirect(url_for("therapist.patient", patient_id=patient.id))


@bp.get("/patients/<int:patient_id>")
@require_role("therapist")
def patient(patient_id: int):
    patient = therapist_patient(patient_id)
    recent = (Completion.select(Completion, Prescription).join(Prescription)
              .where(Completion.patient == patient)
              .order_by(Completion.performed_at.desc()).limit(30))
    return render_template(
        "therapist/patient.html", patient=patient, program=programs.program_view(patient),
        recent=[logbook.completion_view(c) for c in recent],
    )


@bp.post("/patients/<int:patient_id>/invites")
@require_role("therapist")
def new_invite(patient_id: int):
    patient = therapist_patient(patient_id)
    url, _invite = patient_service.issue_invite(patient, current_user)
    flash(_("New join link (earlier links no longer work): %(url)s", url=url), "success")
    return redirect(url_for("therapist.patient", patient_id=patient.id))
