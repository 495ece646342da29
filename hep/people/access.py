"""The one authorization check for patient data.

Therapists reach only their own patients; patients only themselves. A patient outside a
therapist's list is reported as not found, so ids of other clinics' patients leak nothing.
The audit trail of a patient is also open to the admins of the patient's clinic.

Each check marks the patient it grants (``audit.touch``), so every successful request that
reaches a patient's record leaves an audit event (see ``hep.people.audit``).
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user

from hep.errors import Forbidden, NotFound
from hep.models import Alert, Patient
from hep.people import audit


def therapist_patient(patient_id: int) -> Patient:
    """The signed-in therapist's patient ``patient_id``; raises ``NotFound`` otherwise."""
    patient = Patient.get_or_none(
        (Patient.id == patient_id)
        & (Patient.therapist == current_user.id)
        & Patient.archived_at.is_null()
    )
    if patient is None:
        raise NotFound(_("No such patient."))
    audit.touch(patient)
    return patient


def audit_patient(patient_id: int) -> Patient:
    """Patient ``patient_id`` if the signed-in user may read their audit trail: their
    therapist, or an admin of their clinic; raises ``NotFound`` otherwise."""
    if current_user.role != "admin":
        return therapist_patient(patient_id)
    patient = Patient.get_or_none(
        (Patient.id == patient_id) & (Patient.clinic == current_user.clinic_id) & Patient.archived_at.is_null()
    )
    if patient is None:
        raise NotFound(_("No such patient."))
    audit.touch(patient)
    return patient


def own_patient() -> Patient:
    """The patient record of the signed-in patient account; raises ``Forbidden`` otherwise."""
    user = current_user._get_current_object()
    if "loaded_patient" in user.__dict__:  # read with the user (hep.people.devices.load)
        patient = user.loaded_patient
    else:
        patient = Patient.get_or_none(Patient.user == user.id)
    if patient is None or patient.archived_at is not None:
        raise Forbidden(_("This account has no patient record."))
    audit.touch(patient)
    return patient


def therapist_alert(alert_id: int) -> Alert:
    """An alert about one of the signed-in therapist's patients; raises ``NotFound`` otherwise."""
    alert = (Alert.select(Alert, Patient).join(Patient)
             .where((Alert.id == alert_id) & (Patient.therapist == current_user.id)
                    & Patient.archived_at.is_null())
             .first())
    if alert is None:
        raise NotFound(_("No such alert."))
    audit.touch(alert.patient)
    return alert
