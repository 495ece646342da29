"""Many patients with due reminders, inserted in bulk (for the concurrency test and bench/)."""
from __future__ import annotations

from hep.db import db
from hep.models import Clinic, Patient, PushSubscription, ReminderSchedule, User
from tests.support.push_service import make_subscription

BATCH = 500


def populate(service, patients: int, *, devices: int = 1, time: str = "08:00",
             timezone: str = "UTC", prefix: str = "load") -> list[str]:
    """``patients`` patients, each with ``devices`` subscriptions registered with ``service``
    and a reminder at ``time`` every day; returns the subscription names. Needs an app context.
    """
    with db.atomic():
        clinic = Clinic.create(name=f"{prefix} clinic")
        therapist = User.create(clinic=clinic, role="therapist", email=f"{prefix}@load.test",
                                display_name=f"{prefix} therapist")
        for start in range(0, patients, BATCH):
            User.insert_many([{"clinic": clinic.id, "role": "patient", "display_name": f"{prefix}-{i}"}
                              for i in range(start, min(patients, start + BATCH))]).execute()
        user_ids = [u for (u,) in User.select(User.id).where(
            (User.clinic == clinic) & (User.role == "patient")).order_by(User.id).tuples()]
        for start in range(0, patients, BATCH):
            Patient.insert_many([{"clinic": clinic.id, "therapist": therapist.id, "user": uid,
                                  "display_name": f"{prefix}-{i}", "timezone": timezone}
                                 for i, uid in enumerate(user_ids[start:start + BATCH], start)]).execute()
        patient_ids = [p for (p,) in Patient.select(Patient.id).where(Patient.clinic == clinic)
                       .order_by(Patient.id).tuples()]
        for start in range(0, patients, BATCH):
            ReminderSchedule.insert_many([{"patient": pid, "enabled": True, "times": [time],
                                           "days": [1, 2, 3, 4, 5, 6, 7]}
                                          for pid in patient_ids[start:start + BATCH]]).execute()
        names, rows = [], []
        for pid in patient_ids:
            for device in range(devices):
                name = f"{prefix}-{pid}-{device}"
                info, _key = make_subscription(service, name)
                names.append(name)
                rows.append({"patient": pid, "endpoint": info["endpoint"],
                             "p256dh": info["keys"]["p256dh"], "auth": info["keys"]["auth"]})
        for start in range(0, len(rows), BATCH):
            PushSubscription.insert_many(rows[start:start + BATCH]).execute()
    return names
