"""The clinic's admin: therapists (list, invite, disable, enable) and reassigning patients.
Admins only; everything is the admin's own clinic (another clinic's ids are 404)."""
from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint

from hep.people import clinic
from hep.people.auth import require_role
from hep.schemas.clinic import ClinicPatientOut, ReassignIn, StaffOut, TherapistInvitedOut, TherapistInviteIn

bp = Blueprint("clinic", __name__, url_prefix="/api/v1/clinic", description="The clinic (admins)")


@bp.get("/therapists")
@require_role("admin")
@bp.response(200, StaffOut(many=True))
def list_therapists():
    """The clinic's therapists and admins, by name, with how many patients each has."""
    return clinic.staff_of(current_user)


@bp.post("/therapists")
@require_role("admin")
@bp.arguments(TherapistInviteIn)
@bp.response(201, TherapistInvitedOut)
def invite_therapist(body):
    """Create a therapist with a one-time link to choose a password: e-mailed when e-mail is
    set up (``set_password_url`` null), else in ``set_password_url``, this once. 422 naming
    ``email`` when the address has an account already."""
    invitation = clinic.invite_therapist(current_user, body["email"], body["display_name"])
    return {**clinic.staff_view(invitation.user, 0), "set_password_url": invitation.link,
            "emailed": invitation.emailed, "expires_at": invitation.expires_at}


@bp.post("/therapists/<int:user_id>/disable")
@require_role("admin")
@bp.response(200, StaffOut)
def disable_therapist(user_id: int):
    """Disable a therapist or admin: they cannot sign in, their sessions end now. 409 for
    the clinic's last active admin."""
    return clinic.staff_view(clinic.disable_therapist(current_user, user_id))


@bp.post("/therapists/<int:user_id>/enable")
@require_role("admin")
@bp.response(200, StaffOut)
def enable_therapist(user_id: int):
    """Let a disabled therapist or admin sign in again."""
    return clinic.staff_view(clinic.enable_therapist(current_user, user_id))


@bp.get("/patients")
@require_role("admin")
@bp.response(200, ClinicPatientOut(many=True))
def list_clinic_patients():
    """The clinic's patients with their therapist (names only: for reassigning)."""
    return clinic.patients_of(current_user)


@bp.post("/patients/<int:patient_id>/reassign")
@require_role("admin")
@bp.arguments(ReassignIn)
@bp.response(200, ClinicPatientOut)
def reassign_patient(body, patient_id: int):
    """Move a patient to another active therapist of the clinic (audited on the patient).
    422 naming ``therapist_id`` for anyone else."""
    return clinic.clinic_patient_view(clinic.reassign_patient(current_user, patient_id, body["therapist_id"]))
