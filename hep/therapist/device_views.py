"""Therapist pages: signing one of a patient's devices out (the list is on the patient's page)."""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _

from hep.errors import NotFound
from hep.people import devices
from hep.people.access import therapist_patient
from hep.people.auth import require_role
from hep.therapist.views import bp


@bp.post("/patients/<int:patient_id>/devices/<device_id>/sign-out")
@require_role("therapist")
def sign_out_device(patient_id: int, device_id: str):
    """Sign the device out, then back to the patient's devices (post/redirect/get); a device
    already signed out says so instead."""
    patient = therapist_patient(patient_id)
    try:
        devices.sign_out_device(patient, device_id)
        flash(_("The device was signed out. It gets no more reminders."), "success")
    except NotFound:
        flash(_("That device is already signed out."), "error")
    return redirect(url_for("therapist.patient", patient_id=patient.id, _anchor="devices"))
