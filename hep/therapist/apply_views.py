"""Therapist pages: apply a recommendation, after a confirmation page showing the
prescription before and after (post/redirect/get; ``hep.programs.apply`` does the work)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hep.people.access import therapist_patient
from hep.people.auth import require_role
from hep.programs import apply as applying
from hep.programs import versions
from hep.therapist.views import bp


@bp.route("/patients/<int:patient_id>/recommendations/<int:prescription_id>/apply", methods=["GET", "POST"])
@require_role("therapist")
def apply_recommendation(patient_id: int, prescription_id: int):
    """GET: what applying would change, with a confirm button (409 and the reasons when there
    is nothing to apply). POST: save the new version, then back to the patient's program; a
    rise above the volume cap shows its figures and asks again."""
    patient = therapist_patient(patient_id)
    volume_changes: list[dict] = []
    try:
        plan = applying.plan(patient, current_user, prescription_id)
        if request.method == "POST":
            confirmed = request.form.get("action") == "confirm"
            version = applying.apply(patient, current_user, prescription_id, confirm_volume_increase=confirmed)
            flash(_("Applied: saved version %(n)s of the program.", n=version.number), "success")
            return redirect(url_for("therapist.patient", patient_id=patient.id))  # the message at the top
    except applying.NotApplicable as exc:
        return render_template("therapist/apply_recommendation.html", patient=patient, plan=None,
                               refusal=exc.detail, status=exc.extra.get("recommendation"),
                               reasons=exc.extra.get("reasons", [])), 409
    except versions.VolumeIncrease as exc:
        volume_changes = exc.changes
    return render_template("therapist/apply_recommendation.html", patient=patient, plan=plan, refusal=None,
                           status=plan.status, reasons=plan.reasons,
                           volume_changes=volume_changes), 409 if volume_changes else 200
