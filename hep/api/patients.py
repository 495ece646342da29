"""A therapist's patients: list, create, invite links, programs."""
from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint

from hep.care.attention import patient_flags, patient_list, patient_row
from hep.people import invite_mail, invites
from hep.people import patients as patient_service
from hep.people.access import therapist_patient
from hep.people.auth import require_role
from hep.programs import apply as applying
from hep.programs import templates, versions
from hep.schemas.people import InviteIn, InviteOut, PatientCreatedOut, PatientIn, PatientListQuery, PatientOut
from hep.schemas.programs import ApplyIn, ProgramIn, ProgramOut, ProgramVersionOut

bp = Blueprint("patients", __name__, url_prefix="/api/v1", description="Patients (therapists)")


@bp.get("/patients")
@require_role("therapist")
@bp.arguments(PatientListQuery, location="query")
@bp.response(200, PatientOut(many=True))
def list_patients(query):
    """Own patients, each with the flags saying why they need attention: those needing it
    first (``sort=urgency``), or latest active first, or by name; ``q`` searches the names,
    ``flag`` keeps the patients carrying that flag."""
    return patient_list(current_user, query["q"], query["flag"], query["sort"])


@bp.post("/patients")
@require_role("therapist")
@bp.arguments(PatientIn)
@bp.response(201, PatientCreatedOut)
def create_patient(body):
    """Create a patient and a join link for their phone."""
    patient = patient_service.create_patient(current_user, body["display_name"], body["timezone"], body["email"])
    url, invite = patient_service.issue_invite(patient, current_user)
    return {**patient_row(patient, []), "invite_url": url, "expires_at": invites.expires_at(invite)}


@bp.get("/patients/<int:patient_id>")
@require_role("therapist")
@bp.response(200, PatientOut)
def get_patient(patient_id: int):
    patient = therapist_patient(patient_id)
    return patient_row(patient, patient_flags(patient))


@bp.post("/patients/<int:patient_id>/invites")
@require_role("therapist")
@bp.arguments(InviteIn, required=False)
@bp.response(201, InviteOut)
def new_invite(body, patient_id: int):
    """A new join link; earlier unused links stop working. With ``send_to``, the link is
    e-mailed there first (plain text and HTML, in the patient's language, nothing clinical);
    if e-mail is not configured (409) or the mail server refuses (502), nothing changes."""
    patient = therapist_patient(patient_id)
    send_to = (body or {}).get("send_to")
    if send_to:
        url, invite = invite_mail.send_invite(patient, current_user, send_to)
    else:
        url, invite = patient_service.issue_invite(patient, current_user)
    return {"invite_url": url, "expires_at": invites.expires_at(invite), "sent_to": send_to}


@bp.get("/patients/<int:patient_id>/program")
@require_role("therapist")
@bp.response(200, ProgramOut)
def get_program(patient_id: int):
    """The current program version and every earlier one."""
    return versions.program_view(therapist_patient(patient_id))


@bp.post("/patients/<int:patient_id>/program")
@require_role("therapist")
@bp.arguments(ProgramIn)
@bp.response(201, ProgramVersionOut)
def assign_program(body, patient_id: int):
    """Save a new program version (the patient's link does not change), or start from a
    template of the clinic (``template_id``; fields given replace the template's). 409 with
    ``volume_changes`` (the figures per exercise) when the weekly volume of an exercise rises
    above the patient's cap or its load rises, unless ``confirm_volume_increase``."""
    patient = therapist_patient(patient_id)
    phase, notes, items = templates.program_from(current_user, body.get("template_id"), body)
    version = versions.assign(patient, current_user, phase, notes, items,
                              confirm_volume_increase=body["confirm_volume_increase"])
    return versions.version_view(version)


@bp.post("/patients/<int:patient_id>/recommendations/<int:prescription_id>/apply")
@require_role("therapist")
@bp.arguments(ApplyIn)
@bp.response(201, ProgramVersionOut)
def apply_recommendation(body, patient_id: int, prescription_id: int):
    """Apply the current recommendation for a prescription of the current program as a new
    version: progress moves to the exercise's harder neighbour (else one dose step up),
    regress to its easier one (else one step down). 409 with ``recommendation`` (the status) and ``reasons`` when
    the recommendation is hold or stop (or the dose is at its limit); 409 with
    ``volume_changes`` as for a program save unless ``confirm_volume_increase``."""
    patient = therapist_patient(patient_id)
    version = applying.apply(patient, current_user, prescription_id,
                             confirm_volume_increase=body["confirm_volume_increase"])
    return versions.version_view(version)
