"""A therapist's patients: list, create, invite links, programs."""
from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint

from hep import patients as patient_service
from hep import programs
from hep.access import therapist_patient
from hep.attention import patient_flags, patients_by_attention
from hep.auth import invites, require_role
from hep.models import Patient
from hep.schemas.people import InviteOut, PatientCreatedOut, PatientIn, PatientOut
from hep.schemas.programs import ProgramIn, ProgramOut, ProgramVersionOut

bp = Blueprint("patients", __name__, url_prefix="/api/v1", description="Patients (therapists)")


def patient_view(patient: Patient, flags: list | None = None) -> dict:
    version = programs.current_version(patient)
    return {
        "id": patient.id,
        "display_name": patient.display_name,
        "timezone": patient.timezone,
        "email": patient.email,
        "created_at": patient.created_at,
        "joined": patient_service.has_joined(patient),
        "phase": version.phase if version else None,
        "flags": flags or [],
    }


@bp.get("/patients")
@require_role("therapist")
@bp.response(200, PatientOut(many=True))
def list_patients():
    """Own patients, those needing attention first, each with the flags saying why."""
    return [patient_view(p, flags) for p, flags in patients_by_attention(current_user)]


@bp.post("/patients")
@require_role("therapist")
@bp.arguments(PatientIn)
@bp.response(201, PatientCreatedOut)
def create_patient(body):
    """Create a patient and a join link for their phone."""
    patient = patient_service.create_patient(current_user, body["display_name"], body["timezone"], body["email"])
    url, invite = patient_service.issue_invite(patient, current_user)
    return {**patient_view(patient), "invite_url": url, "expires_at": invites.expires_at(invite)}


@bp.get("/patients/<int:patient_id>")
@require_role("therapist")
@bp.response(200, PatientOut)
def get_patient(patient_id: int):
    patient = therapist_patient(patient_id)
    return patient_view(patient, patient_flags(patient))


@bp.post("/patients/<int:patient_id>/invites")
@require_role("therapist")
@bp.response(201, InviteOut)
def new_invite(patient_id: int):
    """A new join link; earlier unused links stop working."""
    patient = therapist_patient(patient_id)
    url, invite = patient_service.issue_invite(patient, current_user)
    return {"invite_url": url, "expires_at": invites.expires_at(invite)}


@bp.get("/patients/<int:patient_id>/program")
@require_role("therapist")
@bp.response(200, ProgramOut)
def get_program(patient_id: int):
    """The current program version and every earlier one."""
    return programs.program_view(therapist_patient(patient_id))


@bp.post("/patients/<int:patient_id>/program")
@require_role("therapist")
@bp.arguments(ProgramIn)
@bp.response(201, ProgramVersionOut)
def assign_program(body, patient_id: int):
    """Save a new program version (the patient's link does not change)."""
    patient = therapist_patient(patient_id)
    version = programs.assign(patient, current_user, body["phase"], body["notes"], body["items"])
    return programs.version_view(version)
