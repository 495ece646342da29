"""Web push subscriptions, reminder schedules, and the delivery ledger.

A ``ReminderDelivery`` row is claimed (inserted under a unique ``key``) before anything is
sent, so a reminder slot reaches each subscription at most once however many consumers run.
"""
from __future__ import annotations

import peewee as pw

from hep.db import BaseModel, JSONField
from hep.models.devices import DeviceSession
from hep.models.people import Patient, _now


class BrowserSubscription(BaseModel):
    """What a browser's ``PushSubscription`` gives us; the tables add whose it is."""

    endpoint = pw.TextField(unique=True)
    p256dh = pw.CharField(max_length=200)
    auth = pw.CharField(max_length=100)
    user_agent = pw.CharField(max_length=300, default="")
    created_at = pw.DateTimeField(default=_now)

    def subscription_info(self) -> dict:
        """The shape pywebpush and the browser's PushSubscription.toJSON() use."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class PushSubscription(BrowserSubscription):
    """A patient's device, for reminders. ``device_session`` is the sign-in that registered it
    (none for subscriptions made before devices were recorded): signing that device out
    deletes the subscription, so no reminder reaches a lost phone."""

    patient = pw.ForeignKeyField(Patient, backref="push_subscriptions", on_delete="CASCADE")
    device_session = pw.ForeignKeyField(DeviceSession, null=True, backref="push_subscriptions",
                                        on_delete="SET NULL")
    last_success_at = pw.DateTimeField(null=True)


class ReminderSchedule(BaseModel):
    """Local reminder times for one patient, interpreted in the patient's time zone."""

    patient = pw.ForeignKeyField(Patient, unique=True, backref="reminder_schedules", on_delete="CASCADE")
    enabled = pw.BooleanField(default=True)
    times = JSONField(default=list)  # ["08:00", "18:30"]
    days = JSONField(default=lambda: [1, 2, 3, 4, 5, 6, 7])  # ISO weekdays
    quiet_start = pw.CharField(max_length=5, null=True)
    quiet_end = pw.CharField(max_length=5, null=True)
    updated_at = pw.DateTimeField(default=_now)


class ReminderDelivery(BaseModel):
    """One reminder slot for one subscription: claimed once, then attempted until settled."""

    key = pw.CharField(max_length=200, unique=True)  # schedule:local_date:slot:subscription
    schedule = pw.ForeignKeyField(ReminderSchedule, backref="deliveries", on_delete="CASCADE")
    subscription = pw.ForeignKeyField(
        PushSubscription, null=True, backref="deliveries", on_delete="SET NULL"
    )
    local_date = pw.DateField()
    slot = pw.CharField(max_length=5)
    due_at = pw.DateTimeField()
    status = pw.CharField(max_length=12, default="pending", index=True)
    attempts = pw.IntegerField(default=0)
    next_attempt_at = pw.DateTimeField(null=True, index=True)
    claimed_by = pw.CharField(max_length=100, null=True)
    claimed_at = pw.DateTimeField(null=True)
    last_status = pw.IntegerField(null=True)
    last_error = pw.TextField(null=True)


class DeliveryAttempt(BaseModel):
    delivery = pw.ForeignKeyField(ReminderDelivery, backref="attempts_log", on_delete="CASCADE")
    at = pw.DateTimeField(default=_now)
    status_code = pw.IntegerField(null=True)
    outcome = pw.CharField(max_length=12)
    detail = pw.TextField(default="")
    duration_ms = pw.IntegerField(default=0)
