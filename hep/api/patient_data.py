"""A patient's data as a whole: the JSON export (therapist, or the patient's own), erasure,
and the audit trail (the patient's therapist and the clinic's admins)."""
from __future__ import annotations

from flask_smorest import Blueprint

from hep.exports.erasure import erase_patient
from hep.exports.patient_data import export_patient
from hep.people import audit
from hep.people.access import audit_patient, own_patient, therapist_patient
from hep.people.auth import require_role
from hep.schemas.exports import AuditPageOut, AuditQuery, ErasureIn, ExportOut

bp = Blueprint("patient_data", __name__, url_prefix="/api/v1", description="Export, erasure and audit trail")


@bp.get("/patients/<int:patient_id>/export")
@require_role("therapist")
@bp.response(200, ExportOut)
def export(patient_id: int):
    """Everything stored about the patient, as JSON (no secrets); recorded in the audit trail."""
    return export_patient(therapist_patient(patient_id))


@bp.get("/export")
@require_role("patient")
@bp.response(200, ExportOut)
def own_export():
    """Everything stored about me, as JSON: the same document my therapist can download."""
    return export_patient(own_patient())


@bp.post("/patients/<int:patient_id>/erasure")
@require_role("therapist")
@bp.arguments(ErasureIn)
@bp.response(204)
def erasure(body, patient_id: int):
    """Erase the patient everywhere (422 naming ``confirm`` unless it is their display name).
    Their phone is signed out; the audit trail keeps their events under a pseudonym."""
    erase_patient(therapist_patient(patient_id), body["confirm"])


@bp.get("/patients/<int:patient_id>/audit")
@require_role("therapist", "admin")
@bp.arguments(AuditQuery, location="query")
@bp.response(200, AuditPageOut)
def audit_trail(query, patient_id: int):
    """Who read or changed the patient's record, newest first, a page at a time."""
    return audit.trail(audit_patient(patient_id), query["before"], query["limit"])
