"""A patient's record as a FHIR R4 Bundle (therapists)."""
from __future__ import annotations

import json

from flask import current_app
from flask_smorest import Blueprint

from hep.exports import fhir
from hep.people.access import therapist_patient
from hep.people.auth import require_role
from hep.schemas.fhir import FhirBundleOut

bp = Blueprint("fhir", __name__, url_prefix="/api/v1", description="FHIR export (therapists)")


@bp.get("/patients/<int:patient_id>/fhir")
@require_role("therapist")
@bp.response(200, FhirBundleOut, content_type=fhir.MEDIA_TYPE)
def patient_bundle(patient_id: int):
    """The patient's record as a FHIR R4 Bundle of type collection (``application/fhir+json``):
    Patient, a CarePlan per program version, a ServiceRequest per prescription, a Procedure
    per session, pain Observations and QuestionnaireResponses. Audited."""
    bundle = fhir.export_bundle(therapist_patient(patient_id))
    return current_app.response_class(json.dumps(bundle, ensure_ascii=False, separators=(",", ":")),
                                      mimetype=fhir.MEDIA_TYPE)
