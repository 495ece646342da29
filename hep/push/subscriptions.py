"""Push subscriptions (one per browser) and a patient's reminder settings.

Patients subscribe their devices for reminders (``PushSubscription``); therapists and admins
subscribe their browsers to be told when a patient needs attention
(``StaffPushSubscription``), through the same endpoint. The browser owns an endpoint:
subscribing an endpoint that someone else registered on the same device moves it to the
person signed in now (out of the other table too). Endpoints are checked against the push
allow-list here and again before every send (``PushSender``).
"""
from __future__ import annotations

import logging
import socket
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from hep import config
from hep.db import db
from hep.errors import Forbidden, Invalid
from hep.models import (
    AlertNotification,
    AuditEvent,
    Patient,
    PushSubscription,
    ReminderDelivery,
    ReminderSchedule,
    StaffPushSubscription,
    User,
)
from hep.people import audit
from hep.people.accounts import STAFF_ROLES
from hep.push.endpoints import EndpointRefused, EndpointUnresolved, check_endpoint
from hep.push.schedule import Schedule, next_slot
from hep.timeutil import from_storage, to_storage, utcnow, zone

log = logging.getLogger(__name__)

# Looked up at call time so tests can stand in a resolver (no DNS in CI).
resolve = socket.getaddrinfo

DEFAULT_DAYS = [1, 2, 3, 4, 5, 6, 7]
TIMEZONE_CHANGE = "patient.timezone"  # the audit action of a zone changed from the app


def subscribe(owner: Patient | User, body: Mapping[str, Any], user_agent: str = "",
              device_id: str | None = None) -> tuple[PushSubscription | StaffPushSubscription, bool]:
    """Store the browser's subscription for ``owner``; (subscription, created).

    ``owner`` is a ``Patient`` (reminders) or a therapist's or admin's ``User`` (alert
    notices). A patient's subscription belongs to ``device_id``, the device signed in on
    this browser (``hep.people.devices``), so signing that device out deletes it.
    ``created`` is False only when the endpoint was already this owner's (its keys are
    refreshed). Raises ``Invalid`` naming ``endpoint`` when we would not POST there.
    """
    endpoint = body["endpoint"]
    _check(endpoint)
    fields = {"p256dh": body["keys"]["p256dh"], "auth": body["keys"]["auth"],
              "user_agent": (user_agent or "")[:300]}
    if isinstance(owner, Patient):
        return _subscribe_patient(owner, endpoint, {**fields, "device_session": device_id})
    return _subscribe_staff(owner, endpoint, fields)


def unsubscribe(owner: Patient | User, endpoint: str) -> None:
    """Forget this owner's ``endpoint`` (nothing happens for an unknown one)."""
    if isinstance(owner, Patient):
        PushSubscription.delete().where(
            (PushSubscription.patient == owner) & (PushSubscription.endpoint == endpoint)
        ).execute()
    else:
        StaffPushSubscription.delete().where(
            (StaffPushSubscription.user == owner) & (StaffPushSubscription.endpoint == endpoint)
        ).execute()


def _check(endpoint: str) -> None:
    try:
        check_endpoint(endpoint, config.allowed_push_origins(current_app.config),
                       resolver=lambda *a, **k: resolve(*a, **k))
    except EndpointUnresolved as exc:
        # The allow-list already passed; DNS may be down for a moment. The sender checks
        # the addresses again before every POST.
        log.warning("push endpoint accepted unresolved: %s", exc.reason)
    except EndpointRefused as exc:
        raise Invalid(errors={"endpoint": [exc.reason]}) from None


def _subscribe_staff(user: User, endpoint: str, fields: dict) -> tuple[StaffPushSubscription, bool]:
    if user.role not in STAFF_ROLES:
        raise Forbidden(_("This account cannot do that."))

    def forget_notices(sub_id: int) -> None:
        # Notices waiting to be retried for the previous user are not this user's.
        (AlertNotification.update(status="cancelled", next_attempt_at=None,
                                  last_error="subscription moved to another account")
         .where((AlertNotification.channel == "push") & (AlertNotification.target == str(sub_id))
                & (AlertNotification.status == "retry"))
         .execute())

    return _claim_endpoint(StaffPushSubscription, PushSubscription, "user", user, endpoint, fields, forget_notices)


def _subscribe_patient(patient: Patient, endpoint: str, fields: dict) -> tuple[PushSubscription, bool]:
    def forget_reminders(sub_id: int) -> None:
        # Reminders claimed for the previous patient must not reach the new one.
        (ReminderDelivery.update(status="failed", last_error="subscription moved")
         .where((ReminderDelivery.subscription == sub_id) & ReminderDelivery.status.in_(("retry", "scheduled")))
         .execute())

    return _claim_endpoint(PushSubscription, StaffPushSubscription, "patient", patient, endpoint, fields,
                           forget_reminders)


def _claim_endpoint(model, other, owner_field: str, owner, endpoint: str, fields: dict, on_move):
    """Store ``endpoint`` as ``owner``'s in ``model``: (row, created or moved).

    A browser has one owner: the endpoint leaves the ``other`` table (a patient's phone now
    used by staff, or the reverse), and a row that belonged to someone else moves, with
    ``on_move(row id)`` dropping what was queued for the previous owner.
    """
    with db.atomic():
        other.delete().where(other.endpoint == endpoint).execute()
        existing = model.get_or_none(model.endpoint == endpoint)
        if existing is None:
            return model.create(**{owner_field: owner}, endpoint=endpoint, **fields), True
        moved = getattr(existing, f"{owner_field}_id") != owner.id
        model.update(**{owner_field: owner}, **fields).where(model.id == existing.id).execute()
        if moved:
            on_move(existing.id)
        return model.get_by_id(existing.id), moved


def reminder_settings(patient: Patient, now: datetime | None = None) -> dict:
    """The patient's reminder settings (defaults when none saved) and the next reminder."""
    row = ReminderSchedule.get_or_none(ReminderSchedule.patient == patient)
    view = {
        "enabled": bool(row and row.enabled),
        "timezone": patient.timezone,
        "times": list(row.times) if row else [],
        "days": list(row.days) if row else list(DEFAULT_DAYS),
        "quiet_start": row.quiet_start if row else None,
        "quiet_end": row.quiet_end if row else None,
        "next_at": None,
    }
    if view["enabled"] and view["times"]:
        upcoming = next_slot(schedule_of(view), now or utcnow())
        view["next_at"] = upcoming.due_at if upcoming else None
    return view


def save_reminder_settings(patient: Patient, body: Mapping[str, Any]) -> dict:
    """Replace the patient's reminder settings; ``timezone`` (if given) moves the patient,
    audited as ``patient.timezone`` (before, after) for the therapist to see."""
    values = {
        "enabled": body["enabled"],
        "times": sorted(set(body["times"])),
        "days": sorted(set(body["days"])),
        "quiet_start": body.get("quiet_start"),
        "quiet_end": body.get("quiet_end"),
        "updated_at": to_storage(utcnow()),
    }
    with db.atomic():
        if body.get("timezone") and body["timezone"] != patient.timezone:
            # The app sends a zone only when the patient said yes to "Use <phone zone>?".
            audit.record(TIMEZONE_CHANGE, patient=patient, before=patient.timezone, after=body["timezone"])
            Patient.update(timezone=body["timezone"]).where(Patient.id == patient.id).execute()
            patient.timezone = body["timezone"]
        (ReminderSchedule.insert(patient=patient, **values)
         .on_conflict(conflict_target=[ReminderSchedule.patient], update=values)
         .execute())
    return reminder_settings(patient)


def last_timezone_change(patient: Patient) -> dict | None:
    """The latest change of the patient's zone from the app: {at, before, after}, or None."""
    event = (AuditEvent.select().where((AuditEvent.patient == patient) & (AuditEvent.action == TIMEZONE_CHANGE))
             .order_by(AuditEvent.id.desc()).first())
    if event is None:
        return None
    return {"at": from_storage(event.at), "before": event.detail.get("before"), "after": event.detail.get("after")}


def schedule_of(settings: Mapping[str, Any]) -> Schedule:
    return Schedule(tuple(settings["times"]), frozenset(settings["days"]), settings["timezone"],
                    settings.get("quiet_start"), settings.get("quiet_end"))


def snooze(patient: Patient, minutes: int, now: datetime | None = None) -> dict:
    """Ask for one reminder ``minutes`` from now on each of the patient's devices.

    Stored as ``scheduled`` delivery rows, which the periodic sender picks up like retries,
    so a snooze survives restarts and is sent once however many consumers run. Its key is
    that of a regular slot at the same local minute: the two never both arrive.
    """
    now = now or utcnow()
    at = (now + timedelta(minutes=minutes)).replace(second=0, microsecond=0)
    tz = zone(patient.timezone)
    local = at.astimezone(tz)
    slot = local.strftime("%H:%M")
    with db.atomic():
        schedule = ReminderSchedule.get_or_none(ReminderSchedule.patient == patient)
        if schedule is None:
            schedule = ReminderSchedule.create(patient=patient, enabled=False, times=[])
        subscriptions = list(PushSubscription.select(PushSubscription.id)
                             .where(PushSubscription.patient == patient))
        rows = [{
            "key": f"{schedule.id}:{local.date().isoformat()}:{slot}:{sub.id}",
            "schedule": schedule.id, "subscription": sub.id, "local_date": local.date(),
            "slot": slot, "due_at": to_storage(at), "status": "scheduled", "attempts": 0,
            "next_attempt_at": to_storage(at),
        } for sub in subscriptions]
        if rows:
            ReminderDelivery.insert_many(rows).on_conflict_ignore().execute()
    return {"at": at, "devices": len(subscriptions)}
