"""Clinical records: the patient summary, settings, assessments, fear hierarchy,
exposure sessions and outcomes."""
from __future__ import annotations

from flask_babel import get_locale
from flask_login import current_user
from flask_smorest import Blueprint

from hep.api.common import Parser, replayed
from hep.care import assessments, outcomes, schedule
from hep.care.assessments import assessment_view, assessments_of, change_view, comparison
from hep.care.exposure import add_item, add_session, hierarchy_view
from hep.care.summary import summary_view
from hep.care.thresholds import save_thresholds, settings_for
from hep.people.access import own_patient, therapist_patient
from hep.people.auth import require_role
from hep.schemas import clinical as s
from hep.schemas.progress import QuestionnaireDueOut, ScheduleIn

bp = Blueprint("clinical", __name__, url_prefix="/api/v1", description="Clinical records")
bp.ARGUMENTS_PARSER = Parser()  # before the routes: PUT settings needs a body, even "{}"


@bp.get("/patients/<int:patient_id>/summary")
@require_role("therapist")
@bp.arguments(s.SummaryQuery, location="query")
@bp.response(200, s.SummaryOut)
def summary(query, patient_id: int):
    """Adherence, pain series, monitoring days, alerts, and a recommendation with reasons
    for each current prescription."""
    return summary_view(therapist_patient(patient_id), query["days"])


@bp.get("/patients/<int:patient_id>/settings")
@require_role("therapist")
@bp.response(200, s.SettingsOut)
def get_settings(patient_id: int):
    """The clinical thresholds in force for this patient (defaults and overrides)."""
    patient = therapist_patient(patient_id)
    return {"settings": settings_for(patient).to_dict(), "overrides": patient.clinical_settings or {}}


@bp.put("/patients/<int:patient_id>/settings")
@require_role("therapist")
@bp.arguments(s.SettingsIn)
@bp.response(200, s.SettingsOut)
def put_settings(overrides, patient_id: int):
    """Replace the patient's threshold overrides; 422 names each bad setting."""
    settings = save_thresholds(therapist_patient(patient_id), overrides)
    return {"settings": settings.to_dict(), "overrides": settings.overrides()}


@bp.get("/patients/<int:patient_id>/assessments")
@require_role("therapist")
@bp.response(200, s.AssessmentOut(many=True))
def list_assessments(patient_id: int):
    return [assessment_view(r) for r in assessments_of(therapist_patient(patient_id))]


@bp.post("/patients/<int:patient_id>/assessments")
@require_role("therapist")
@bp.arguments(s.AssessmentIn)
@bp.response(201, s.AssessmentOut)
def create_assessment(body, patient_id: int):
    """Record an assessment or reassessment (the structured fields of CLINICAL.md)."""
    row = assessments.create_assessment(therapist_patient(patient_id), current_user, body["kind"],
                                        body["assessed_on"], body["data"])
    return assessment_view(row)


@bp.get("/patients/<int:patient_id>/assessments/compare")
@require_role("therapist")
@bp.arguments(s.CompareQuery, location="query")
@bp.response(200, s.ComparisonOut)
def compare(query, patient_id: int):
    """Two assessments side by side (default: the first and the latest)."""
    before, after, changes = comparison(therapist_patient(patient_id), query.get("before"), query.get("after"))
    return {"before": assessment_view(before), "after": assessment_view(after),
            "changes": [change_view(c) for c in changes]}


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
    return add_item(therapist_patient(patient_id), body["activity"], body["harm_rating"])


@bp.post("/patients/<int:patient_id>/hierarchy/<int:item_id>/sessions")
@require_role("therapist")
@bp.arguments(s.ExposureSessionIn)
@bp.response(201, s.ExposureSessionOut)
@replayed(bp, s.ExposureSessionOut)
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
@replayed(bp, s.ExposureSessionOut)
def patient_exposure_session(body, item_id: int):
    """Log an exposure session at home: fear before and after (0-100)."""
    record, created = add_session(own_patient(), item_id, body)
    return record, 201 if created else 200


@bp.get("/questionnaires")
@require_role("patient", "therapist")
@bp.response(200, s.QuestionnaireOut(many=True))
def list_instruments():
    """The outcome measures this instance offers (shipped plus the clinic's own files)."""
    return [outcomes.definition(i, str(get_locale())) for i in outcomes.instruments().values()]


@bp.get("/questionnaires/<code>")
@require_role("patient", "therapist")
@bp.response(200, s.QuestionnaireOut)
def get_instrument(code: str):
    return outcomes.definition(outcomes.instrument(code), str(get_locale()))


@bp.get("/questionnaires/<code>/activities")
@require_role("patient")
@bp.response(200, s.ActivitiesOut)
def own_activities(code: str):
    """The activities the patient named for this questionnaire (PSFS), to re-rate; empty the
    first time, and for questionnaires with fixed items."""
    return {"activities": outcomes.patient_activities(own_patient(), outcomes.instrument(code))}


@bp.post("/questionnaires/<code>/responses")
@require_role("patient")
@bp.arguments(s.QuestionnaireResponseIn)
@bp.response(201, s.QuestionnaireResponseOut)
@replayed(bp, s.QuestionnaireResponseOut)
def respond(body, code: str):
    """Answer a questionnaire; the response is scored and stored (replay-safe by id)."""
    record, created = outcomes.record_response(own_patient(), code, body)
    return record, 201 if created else 200


@bp.get("/patients/<int:patient_id>/questionnaires")
@require_role("therapist")
@bp.response(200, s.QuestionnaireHistoryOut)
def patient_responses(patient_id: int):
    """Every response with its score, and the change from the first to the latest."""
    return outcomes.history(therapist_patient(patient_id))


@bp.get("/patients/<int:patient_id>/questionnaire-schedule")
@require_role("therapist")
@bp.response(200, QuestionnaireDueOut(many=True))
def get_questionnaire_schedule(patient_id: int):
    """Which questionnaires the patient is asked, every how many days, and when each is due."""
    return schedule.schedule_view(therapist_patient(patient_id))


@bp.put("/patients/<int:patient_id>/questionnaire-schedule")
@require_role("therapist")
@bp.arguments(ScheduleIn)
@bp.response(200, QuestionnaireDueOut(many=True))
def put_questionnaire_schedule(body, patient_id: int):
    """Replace the schedule (422 naming ``items.N.code`` for an unknown or repeated one)."""
    return schedule.set_schedule(therapist_patient(patient_id), body["items"])
