"""A patient's push subscriptions (one per device) and reminder settings.

The browser owns an endpoint: subscribing an endpoint that another patient registered on the
same device moves it to the patient signed in now. Endpoints are checked against the push
allow-list here and again before every send (``PushSender``).
"""
from __future__ import annotations

import logging
import socket
from datetime import datetime, timedelta
from typing import Any, Mapping

from flask import current_app

from hep import config
from hep.db import db
from hep.errors import Invalid
from hep.models import Patient, PushSubscription, ReminderDelivery, ReminderSchedule
from hep.push.endpoints import EndpointRefused, EndpointUnresolved, check_endpoint
from hep.push.schedule import Schedule, next_slot
from hep.timeutil import to_storage, utcnow, zone

log = logging.getLogger(__name__)

# Looked up at call time so tests can stand in a resolver (no DNS in CI).
resolve = socket.getaddrinfo

DEFAULT_DAYS = [1, 2, 3, 4, 5, 6, 7]


def subscribe(patient: Patient, body: Mapping[str, Any], user_agent: str = "") -> tuple[PushSubscription, bool]:
    """Store the browser's subscription for ``patient``; (subscription, created).

    ``created`` is False only when the endpoint was already this patient's (its keys are
    refreshed). Raises ``Invalid`` naming ``endpoint`` when we would not POST there.
    """
    endpoint = body["endpoint"]
    try:
        check_endpoint(endpoint, config.allowed_push_origins(current_app.config),
                       resolver=lambda *a, **k: resolve(*a, **k))
    except EndpointUnresolved as exc:
        # The allow-list already passed; DNS may be down for a moment. The sender checks
        # the addresses again before every POST.
        log.warning("push endpoint accepted unresolved: %s", exc.reason)
    except EndpointRefused as exc:
        raise Invalid(errors={"endpoint": [exc.reason]}) from None
    fields = {"p256dh": body["keys"]["p256dh"], "auth": body["keys"]["auth"],
              "user_agent": (user_agent or "")[:300]}
    with db.atomic():
        existing = PushSubscription.get_or_none(PushSubscription.endpoint == endpoint)
        if existing is None:
            return PushSubscription.create(patient=patient, endpoint=endpoint, **fields), True
        created = existing.patient_id != patient.id
        (PushSubscription.update(patient=patient, **fields)
         .where(PushSubscription.id == existing.id).execute())
        if created:
            # Reminders claimed for the previous patient must not reach the new one.
            (ReminderDelivery.update(status="failed", last_error="subscription moved")
             .where((ReminderDelivery.subscription == existing.id)
                    & ReminderDelivery.status.in_(("retry", "scheduled")))
             .execute())
        return PushSubscription.get_by_id(existing.id), created


def unsubscribe(patient: Patient, endpoint: str) -> None:
    """Forget this patient's ``endpoint`` (nothing happens for an unknown one)."""
    PushSubscription.delete().where(
        (PushSubscription.patient == patient) & (PushSubscription.endpoint == endpoint)
    ).execute()


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
    """Replace the patient's reminder settings; ``timezone`` (if given) moves the patient."""
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
            Patient.update(timezone=body["timezone"]).where(Patient.id == patient.id).execute()
            patient.timezone = body["timezone"]
        (ReminderSchedule.insert(patient=patient, **values)
         .on_conflict(conflict_target=[ReminderSchedule.patient], update=values)
         .execute())
    return reminder_settings(patient)


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
