"""Web push: the application server key, browser subscriptions (a patient's devices for
reminders; a therapist's or admin's browsers for alert notices), reminder settings."""
from __future__ import annotations

from flask import current_app, request
from flask_login import current_user
from flask_smorest import Blueprint

from hep.people import devices
from hep.people.access import own_patient
from hep.people.auth import require_role
from hep.push import subscriptions
from hep.push.vapid import application_server_key
from hep.schemas.push import (
    PublicKeyOut,
    RemindersIn,
    RemindersOut,
    SnoozeIn,
    SnoozeOut,
    SubscriptionIn,
    SubscriptionOut,
    UnsubscribeIn,
)

bp = Blueprint("push", __name__, url_prefix="/api/v1",
               description="Web push: reminders (patients) and alert notices (therapists, admins)")


def _owner():
    """Whose browser this is: the signed-in patient's record, or the staff account itself."""
    return own_patient() if current_user.role == "patient" else current_user._get_current_object()


@bp.get("/push/key")
@bp.response(200, PublicKeyOut)
def public_key():
    """The VAPID application server key (base64url) for ``pushManager.subscribe``."""
    return {"public_key": application_server_key(current_app.config["VAPID_PRIVATE_KEY"])}


@bp.post("/push/subscriptions")
@require_role("patient", "therapist", "admin")
@bp.arguments(SubscriptionIn)
@bp.response(201, SubscriptionOut)
@bp.alt_response(200, schema=SubscriptionOut, success=True,
                 description="This endpoint was already registered for this patient.")
def subscribe(body):
    """Register this browser: 201, or 200 when the endpoint is already the caller's.

    A patient's device gets reminders; a therapist's or admin's browser gets told when a
    patient needs attention."""
    record, created = subscriptions.subscribe(_owner(), body, request.headers.get("User-Agent", ""),
                                              devices.current_device_id())
    return record, 201 if created else 200


@bp.delete("/push/subscriptions")
@require_role("patient", "therapist", "admin")
@bp.arguments(UnsubscribeIn)
@bp.response(204)
def unsubscribe(body):
    """Forget this browser's endpoint."""
    subscriptions.unsubscribe(_owner(), body["endpoint"])


@bp.get("/reminders")
@require_role("patient")
@bp.response(200, RemindersOut)
def get_reminders():
    """Reminder times, days and quiet hours in the patient's time zone, and the next one due."""
    return subscriptions.reminder_settings(own_patient())


@bp.put("/reminders")
@require_role("patient")
@bp.arguments(RemindersIn)
@bp.response(200, RemindersOut)
def put_reminders(body):
    """Replace the reminder settings (``timezone`` also changes the patient's zone)."""
    return subscriptions.save_reminder_settings(own_patient(), body)


@bp.post("/reminders/snooze")
@require_role("patient")
@bp.arguments(SnoozeIn)
@bp.response(202, SnoozeOut)
def snooze(body):
    """One more reminder on each device ``minutes`` (default 60) from now."""
    return subscriptions.snooze(own_patient(), body["minutes"])
