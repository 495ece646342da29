"""Stored clinical alerts and their lifecycle, and the notifications they send.

An ``Alert`` is raised once per finding (``key``: the rule and the prescription it is about)
with its evidence, and never expires: open -> acknowledged -> resolved, each step with who,
when and a note. At most one alert per patient and key is unresolved at a time (a partial
unique index). ``AlertNotification`` rows are claimed under a unique key before a push or an
e-mail goes out, like reminder deliveries, so a notification is sent once.
"""
from __future__ import annotations

import peewee as pw

from hep.db import BaseModel, JSONField
from hep.models.people import Patient, User, _now
from hep.models.programs import Prescription
from hep.models.push import BrowserSubscription

LEVELS = ("emergency", "urgent", "warning", "caution")
STATUSES = ("open", "acknowledged", "resolved")
OUTCOMES = ("cleared", "referred", "answered_in_error")
#: Levels that stop every prescription until the alert is resolved, and notify at once.
STOPPING_LEVELS = frozenset({"emergency", "urgent"})


class Alert(BaseModel):
    patient = pw.ForeignKeyField(Patient, backref="alerts", on_delete="CASCADE")
    key = pw.CharField(max_length=80)  # "<code>" or "<code>:<prescription id>"
    code = pw.CharField(max_length=40)
    level = pw.CharField(max_length=12, choices=[(v, v) for v in LEVELS])
    prescription = pw.ForeignKeyField(Prescription, null=True, on_delete="SET NULL")
    detail = pw.TextField()
    evidence = JSONField(default=list)  # ids of the logs behind it
    created_at = pw.DateTimeField(default=_now)
    status = pw.CharField(max_length=12, default="open", index=True)
    acknowledged_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    acknowledged_at = pw.DateTimeField(null=True)
    acknowledge_note = pw.TextField(default="")
    resolved_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    resolved_at = pw.DateTimeField(null=True)
    resolve_note = pw.TextField(default="")
    outcome = pw.CharField(max_length=20, null=True)

    @property
    def stops(self) -> bool:
        """True while this alert stops the program (emergency or urgent, not resolved)."""
        return self.level in STOPPING_LEVELS and self.status != "resolved"


class StaffPushSubscription(BrowserSubscription):
    """A therapist's or admin's browser that asked to be told when a patient needs attention."""

    user = pw.ForeignKeyField(User, backref="push_subscriptions", on_delete="CASCADE")


class AlertNotification(BaseModel):
    """One notice of one alert to one place (a staff browser or an e-mail address).

    ``round`` 1 is the first notice; round 2 goes out when an emergency or urgent alert is
    still unacknowledged an hour later (to the clinic's admins too).
    """

    key = pw.CharField(max_length=300, unique=True)  # alert:round:channel:target
    alert = pw.ForeignKeyField(Alert, backref="notifications", on_delete="CASCADE")
    round = pw.SmallIntegerField(default=1)
    channel = pw.CharField(max_length=8)  # push | email
    target = pw.CharField(max_length=320)  # subscription id or e-mail address
    status = pw.CharField(max_length=12, default="pending", index=True)  # pending|sent|retry|failed|gone
    attempts = pw.IntegerField(default=0)
    next_attempt_at = pw.DateTimeField(null=True, index=True)
    created_at = pw.DateTimeField(default=_now)
    sent_at = pw.DateTimeField(null=True)
    last_error = pw.TextField(null=True)
