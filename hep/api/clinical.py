"""Clinical records: the patient summary, settings, assessments, fear hierarchy,
exposure sessions and questionnaires."""
from __future__ import annotations

from flask_babel import get_locale
from flask_login import current_user
from flask_smorest import Blueprint

from hep import audit, questionnaires
from hep.access import own_patient, therapist_patient
from hep.auth import require_role
from hep.clinical import (FIELDS_BY_NAME, SettingsError, compare_assessments, red_flags_present,
                          validate_assessment)
from hep.errors import Problem
from hep.exposure import add_session, hierarchy_view
from hep.models import Assessment, HierarchyItem, Patient
from hep.schemas import clinical as s
from hep.summary import settings_for, summary_view

bp = Blueprint("clinical", __name__, url_prefix="/api/v1", description="Clinical records")


@bp.get("/patients/<int:patient_id>/summary")
@require_role("therapist")
@bp.arguments(s.SummaryQuery, location="query")
def summary(query, patient_id: int):
    """Adherence, pain series, monitoring days, alerts, and a recommendation with reasons
    for each current prescription."""
    return summary_view(therapist_patient(patient_id), query["days"])


@bp.get("/patients/<int:patient_id>/settings")
@require_role("therapist")
def get_settings(patient_id: int):
    """The clinical thresholds in force for this patient (defaults and overrides)."""
    patient = therapist_patient(patient_id)
    return {"settings": settings_for(patient).to_dict(), "overrides": patient.clinical_settings or {}}


@bp.put("/patients/<int:patient_id>/settings")
@require_role("therapist")
def put_settings(patient_id: int):
    """Replace the patient's threshold overrides; 422 names each bad setting."""
    from flask import request

    from hep.clinical import ClinicalSettings

    patient = therapist_patient(patient_id)
    overrides = request.get_json(silent=True)
    if not isinstance(overrides, dict):
        raise Problem(422, errors={"_schema": ["Send an object of setting -> value."]})
    try:
        settings = ClinicalSettings.from_overrides(overrides)
    except SettingsError as exc:
        raise Problem(422, errors=exc.errors)
    Patient.update(clinical_settings=settings.overrides()).where(Patient.id == patient.id).execute()
    audit.record("settings.update", patient=patient, overrides=settings.overrides())
    return {"settings": settings.to_dict(), "overrides": settings.overrides()}


def _assessment_view(row: Assessment) -> dict:
    return {"id": row.id, "kind": row.kind, "assessed_on": row.assessed_on, "data": row.data,
            "red_flags": list(red_flags_present(row.data)), "created_at": row.created_at}


@bp.get("/patients/<int:patient_id>/assessments")
@require_role("therapist")
@bp.response(200, s.AssessmentOut(many=True))
def list_assessments(patient_id: int):
    patient = therapist_patient(patient_id)
    rows = Assessment.select().where(Assessment.patient == patient).order_by(Assessment.assessed_on, Assessment.id)
    return [_assessment_view(r) for r in rows]


@bp.post("/patients/<int:patient_id>/assessments")
@require_role("therapist")
@bp.arguments(s.AssessmentIn)
@bp.response(201, s.AssessmentOut)
def create_assessment(body, patient_id: int):
    """Record an assessment or reassessment (the structured fields of CLINICAL.md)."""
    patient = therapist_patient(patient_id)
    errors = validate_assessment(body["data"])
    if errors:
        raise Problem(422, errors={f"data.{k}": v for k, v in errors.items()})
    row = Assessment.create(patient=patient, created_by=current_user.id, **body)
    flags = red_flags_present(row.data)
    audit.record("assessment.create", patient=patient, assessment=row.id, red_flags=list(flags))
    return _assessment_view(row)


@bp.get("/patients/<int:patient_id>/assessments/compare")
@require_role("therapist")
@bp.arguments(s.CompareQuery, location="query")
@bp.response(200, s.ComparisonOut)
def compare(query, patient_id: int):
    """Two assessments side by side (default: the first and the latest)."""
    patient = therapist_patient(patient_id)
    rows = list(Assessment.select().where(Assessment.patient == patient).order_by(Assessment.assessed_on, Assessment.id))
    by_id = {r.id: r for r in rows}
    if len(rows) < 2 and not query:
        raise Problem(409, "Compare needs two assessments.")
    try:
        before = by_id[query["before"]] if "before" in query else rows[0]
        after = by_id[query["after"]] if "after" in query else rows[-1]
    except KeyError:
        raise Problem(404, "No such assessment.")
    changes = [{"name": c.name, "label": FIELDS_BY_NAME[c.name].label, "before": c.before,
                "after": c.after, "direction": c.direction}
               for c in compare_assessments(before.data, after.data)]
    return {"before": _assessment_view(before), "after": _assessment_view(after), "changes": changes}


@bp.get("/patients/<int:patient_id>/hierarchy")
@require_role("therapist")
@bp.response(200, s.HierarchyItemOut(many=True))
def get_hierarchy(patient_id: int):
    """The fear hierarchy, lowest perceived harm first, with mastery."""
    patient = therapist_patient(patient_id)
    return hierarchy_view(patient, settings_for(patient))


@bp.post("/patients/<int:patient_id>/hierarchy")
@require_role("therapist")
@bp.arguments(s.HierarchyItemIn)
@bp.response(201, s.HierarchyItemOut)
def add_hierarchy_item(body, patient_id: int):
    patient = therapist_patient(patient_id)
    item = HierarchyItem.create(patient=patient, **body)
    audit.record("hierarchy.add", patient=patient, item=item.id)
    return next(i for i in hierarchy_view(patient, settings_for(patient)) if i["id"] == item.id)


@bp.post("/patients/<int:patient_id>/hierarchy/<int:item_id>/sessions")
@require_role("therapist")
@bp.arguments(s.ExposureSessionIn)
@bp.response(201, s.ExposureSessionOut)
def therapist_exposure_session(body, patient_id: int, item_id: int):
    """Record an exposure session done in clinic (same replay rules as completions)."""
    record, created = add_session(therapist_patient(patient_id), item_id, body)
    return record, 201 if created else 200


@bp.get("/hierarchy")
@require_role("patient")
@bp.response(200, s.HierarchyItemOut(many=True))
def own_hierarchy():
    patient = own_patient()
    return hierarchy_view(patient, settings_for(patient))


@bp.post("/hierarchy/<int:item_id>/sessions")
@require_role("patient")
@bp.arguments(s.ExposureSessionIn)
@bp.response(201, s.ExposureSessionOut)
def patient_exposure_session(body, item_id: int):
    """Log an exposure session at home: fear before and after (0-100)."""
    record, created = add_session(own_patient(), item_id, body)
    return record, 201 if created else 200


@bp.get("/questionnaires")
@require_role("patient", "therapist")
def list_instruments():
    """The outcome measures this instance offers (shipped plus the clinic's own files)."""
    return [questionnaires.definition(i, str(get_locale())) for i in questionnaires.instruments().values()]


@bp.get("/questionnaires/<code>")
@require_role("patient", "therapist")
def get_instrument(code: str):
    return questionnaires.definition(questionnaires.instrument(code), str(get_locale()))


@bp.post("/questionnaires/<code>/responses")
@require_role("patient")
@bp.arguments(s.QuestionnaireResponseIn)
@bp.response(201, s.QuestionnaireResponseOut)
def respond(body, code: str):
    """Answer a questionnaire; the response is scored and stored (replay-safe by id)."""
    record, created = questionnaires.record_response(own_patient(), code, body)
    return record, 201 if created else 200


@bp.get("/patients/<int:patient_id>/questionnaires")
@require_role("therapist")
def patient_responses(patient_id: int):
    """Every response with its score, and the change from the first to the latest."""
    return questionnaires.history(therapist_patient(patient_id))
