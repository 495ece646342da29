"""The one authorization check for patient data.

Therapists reach only their own patients; patients only themselves. A patient outside a
therapist's list is reported as not found, so ids of other clinics' patients leak nothing.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user

from hep.errors import Forbidden, NotFound
from hep.models import Alert, Patient


def therapist_patient(patient_id: int) -> Patient:
    """The signed-in therapist's patient ``patient_id``; raises ``NotFound`` otherwise."""
    patient = Patient.get_or_none(
        (Patient.id == patient_id)
        & (Patient.therapist == current_user.id)
        & Patient.archived_at.is_null()
    )
    if patient is None:
        raise NotFound(_("No such patient."))
    return patient


def own_patient() -> Patient:
    """The patient record of the signed-in patient account; raises ``Forbidden`` otherwise."""
    patient = Patient.get_or_none(Patient.user == current_user.id)
    if patient is None or patient.archived_at is not None:
        raise Forbidden(_("This account has no patient record."))
    return patient


def therapist_alert(alert_id: int) -> Alert:
    """An alert about one of the signed-in therapist's patients; raises ``NotFound`` otherwise."""
    alert = (Alert.select(Alert).join(Patient)
             .where((Alert.id == alert_id) & (Patient.therapist == current_user.id)
                    & Patient.archived_at.is_null())
             .first())
    if alert is None:
        raise NotFound(_("No such alert."))
    return alert
