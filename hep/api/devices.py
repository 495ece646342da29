"""A patient's devices (therapists): the phones and browsers signed in, and signing one out."""
from __future__ import annotations

from flask_smorest import Blueprint

from hep.people import devices
from hep.people.access import therapist_patient
from hep.people.auth import require_role
from hep.schemas.devices import DeviceOut

bp = Blueprint("devices", __name__, url_prefix="/api/v1", description="Patients' devices (therapists)")


@bp.get("/patients/<int:patient_id>/devices")
@require_role("therapist")
@bp.response(200, DeviceOut(many=True))
def list_devices(patient_id: int):
    """The patient's devices still signed in, most recently used first."""
    return devices.active_devices(therapist_patient(patient_id))


@bp.delete("/patients/<int:patient_id>/devices/<device_id>")
@require_role("therapist")
@bp.response(204)
def sign_out_device(patient_id: int, device_id: str):
    """Sign one device out: its next request is signed out (401) and its push subscriptions
    are deleted; the patient's other devices stay signed in. 404 for a device that is not
    one of the patient's active ones."""
    devices.sign_out_device(therapist_patient(patient_id), device_id)
