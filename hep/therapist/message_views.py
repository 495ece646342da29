"""Therapist pages: the patient's message thread (the "Messages" block of the patient page)
and writing to the patient (a CSRF form, post/redirect/get)."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hep.errors import Invalid
from hep.messages import threads
from hep.models import Patient
from hep.people.access import therapist_patient
from hep.people.auth import require_role
from hep.therapist.views import bp


def messages_panel(patient: Patient) -> list[dict]:
    """The thread as the page's block shows it; showing it reads the patient's messages."""
    return [threads.message_view(m) for m in threads.thread(patient, "therapist")]


@bp.post("/patients/<int:patient_id>/messages")
@require_role("therapist")
def post_message(patient_id: int):
    """Send the form's message, then back to the thread; an empty one says so instead."""
    patient = therapist_patient(patient_id)
    try:
        threads.post_message(patient, current_user, "therapist", request.form.get("body", ""))
        flash(_("Message sent."), "success")
    except Invalid as exc:
        flash(" ".join(exc.errors.get("body", [])) or _("The message was not sent."), "error")
    return redirect(url_for("therapist.patient", patient_id=patient.id, _anchor="messages"))
