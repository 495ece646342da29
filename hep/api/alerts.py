"""Stored alerts: list a patient's, acknowledge and resolve them (therapists)."""
from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint

from hep.care import alerts
from hep.people.access import therapist_alert, therapist_patient
from hep.people.auth import require_role
from hep.programs.versions import prescription_names
from hep.schemas.alerts import AcknowledgeIn, AlertOut, ResolveIn

bp = Blueprint("alerts", __name__, url_prefix="/api/v1", description="Alerts (therapists)")


@bp.get("/patients/<int:patient_id>/alerts")
@require_role("therapist")
@bp.response(200, AlertOut(many=True))
def list_alerts(patient_id: int):
    """Every alert of the patient, open first, then acknowledged, then resolved."""
    patient = therapist_patient(patient_id)
    rows = alerts.alerts_of(patient)
    names = prescription_names({a.prescription_id for a in rows})
    return alerts.alert_views(rows, names)


@bp.post("/alerts/<int:alert_id>/acknowledge")
@require_role("therapist")
@bp.arguments(AcknowledgeIn)
@bp.response(200, AlertOut)
def acknowledge(body, alert_id: int):
    """Say the alert was seen (409 unless it is open)."""
    alert = alerts.acknowledge(therapist_alert(alert_id), current_user, body["note"])
    return alerts.alert_views([alert], prescription_names({alert.prescription_id}))[0]


@bp.post("/alerts/<int:alert_id>/resolve")
@require_role("therapist")
@bp.arguments(ResolveIn)
@bp.response(200, AlertOut)
def resolve(body, alert_id: int):
    """Close the alert with its outcome (cleared, referred, answered_in_error); 409 if closed."""
    alert = alerts.resolve(therapist_alert(alert_id), current_user, body["note"], body["outcome"])
    return alerts.alert_views([alert], prescription_names({alert.prescription_id}))[0]
