"""Web push: the application server key, patients' device subscriptions, reminder settings."""
from __future__ import annotations

from flask import current_app, request
from flask_smorest import Blueprint

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

bp = Blueprint("push", __name__, url_prefix="/api/v1", description="Web push and reminders (patients)")


@bp.get("/push/key")
@bp.response(200, PublicKeyOut)
def public_key():
    """The VAPID application server key (base64url) for ``pushManager.subscribe``."""
    return {"public_key": application_server_key(current_app.config["VAPID_PRIVATE_KEY"])}


@bp.post("/push/subscriptions")
@require_role("patient")
@bp.arguments(SubscriptionIn)
@bp.response(201, SubscriptionOut)
@bp.alt_response(200, schema=SubscriptionOut, success=True,
                 description="This endpoint was already registered for this patient.")
def subscribe(body):
    """Register this device: 201, or 200 when the endpoint is already this patient's."""
    record, created = subscriptions.subscribe(
        own_patient(), body, request.headers.get("User-Agent", ""))
    return record, 201 if created else 200


@bp.delete("/push/subscriptions")
@require_role("patient")
@bp.arguments(UnsubscribeIn)
@bp.response(204)
def unsubscribe(body):
    """Forget this device's endpoint."""
    subscriptions.unsubscribe(own_patient(), body["endpoint"])


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
