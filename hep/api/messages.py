"""Messages between a patient and their therapist: one thread per patient.

Reading a thread (GET) marks the other side's messages read.
"""
from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint

from hep.api.common import replayed
from hep.messages import threads
from hep.people.access import own_patient, therapist_patient
from hep.people.auth import require_role
from hep.schemas.messages import MessageIn, MessageOut, PatientMessageIn

bp = Blueprint("messages", __name__, url_prefix="/api/v1", description="Messages (therapists and patients)")


@bp.get("/patients/<int:patient_id>/messages")
@require_role("therapist")
@bp.response(200, MessageOut(many=True))
def patient_thread(patient_id: int):
    """The patient's thread, oldest first; the patient's messages are marked read."""
    return [threads.message_view(m) for m in threads.thread(therapist_patient(patient_id), "therapist")]


@bp.post("/patients/<int:patient_id>/messages")
@require_role("therapist")
@bp.arguments(MessageIn)
@bp.response(201, MessageOut)
def post_to_patient(body, patient_id: int):
    """Write to the patient (their phones get a push saying only that a message came)."""
    message, _created = threads.post_message(therapist_patient(patient_id), current_user, "therapist", body["body"])
    return threads.message_view(message)


@bp.get("/messages")
@require_role("patient")
@bp.response(200, MessageOut(many=True))
def own_thread():
    """The thread with the therapist, oldest first; the therapist's messages are marked read."""
    return [threads.message_view(m) for m in threads.thread(own_patient(), "patient")]


@bp.post("/messages")
@require_role("patient")
@bp.arguments(PatientMessageIn)
@bp.response(201, MessageOut)
@replayed(bp, MessageOut)
def post_to_therapist(body):
    """Write to the therapist. 201 new; 200 identical replay; 409 same id with another body."""
    message, created = threads.post_message(own_patient(), current_user, "patient", body["body"], body["id"])
    return threads.message_view(message), 201 if created else 200
