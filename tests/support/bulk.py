"""Large histories in bulk: patients with a program and days of logs, inserted with
``insert_many`` (thousands of rows a statement) so query-budget and timing tests can build
hundreds of patients with months of history in seconds. Rows are what the services would
write (current, not superseded; one check-in a day; an open alert on some patients)."""
from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

from hep.db import db
from hep.models import Alert, CheckIn, Completion, Exercise, Invite, Patient, Prescription, Program, ProgramVersion, User
from hep.timeutil import local_date, to_storage, utcnow

BATCH = 500


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        model.insert_many(rows[start:start + BATCH]).execute()


def add_patients(therapist_id: int, count: int, days: int, *, exercises: int = 2, versions: int = 1,
                 timezone: str = "Europe/Madrid", alert_every: int = 10, name: str = "Bulk") -> list[int]:
    """Add ``count`` joined patients of therapist ``therapist_id``, each with a program of
    ``versions`` versions (the last current) of ``exercises`` library exercises, ``days``
    days of history up to today (every prescription done once a day, a morning check-in a
    day but today's), and an open alert on every ``alert_every``-th patient. Returns the patients' ids."""
    therapist = User.get_by_id(therapist_id)
    library = list(Exercise.select(Exercise.id).where(Exercise.clinic.is_null()).order_by(Exercise.id).limit(exercises))
    now = utcnow()
    start = now - timedelta(days=days)
    stored_start = to_storage(start)
    with db.atomic():
        base = User.select(User.id).order_by(User.id.desc()).scalar() or 0
        _insert(User, [{"clinic": therapist.clinic_id, "role": "patient", "display_name": f"{name} {i:04d}",
                        "created_at": stored_start} for i in range(count)])
        user_ids = [u for (u,) in User.select(User.id).where(User.id > base).order_by(User.id).tuples()]
        _insert(Patient, [{"clinic": therapist.clinic_id, "therapist": therapist_id, "user": uid,
                           "display_name": f"{name} {i:04d}", "timezone": timezone, "clinical_settings": {},
                           "created_at": stored_start} for i, uid in enumerate(user_ids)])
        patient_ids = [p for (p,) in Patient.select(Patient.id).where(Patient.user.in_(user_ids)).order_by(Patient.id).tuples()]
        _insert(Invite, [{"patient": pid, "token_hash": hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
                          "created_by": therapist_id, "created_at": stored_start,
                          "expires_at": stored_start + timedelta(days=7), "used_at": stored_start}
                         for pid in patient_ids])
        _insert(Program, [{"patient": pid, "created_at": stored_start} for pid in patient_ids])
        programs = dict(Program.select(Program.patient, Program.id).where(Program.patient.in_(patient_ids)).tuples())
        _insert(ProgramVersion, [{"program": programs[pid], "number": n + 1, "phase": "calm", "notes": "",
                                  "created_by": therapist_id, "created_at": stored_start + timedelta(seconds=n)}
                                 for pid in patient_ids for n in range(versions)])
        version_rows = (ProgramVersion.select(ProgramVersion.id, Program.patient).join(Program)
                        .where(Program.patient.in_(patient_ids)).order_by(ProgramVersion.number).tuples())
        current = dict((pid, vid) for vid, pid in version_rows)  # the last number wins
        all_versions = [vid for vid, _pid in version_rows]
        _insert(Prescription, [{"version": vid, "exercise": e.id, "position": i, "sets": 2, "reps": 10,
                                "frequency_per_day": 1, "days_of_week": [1, 2, 3, 4, 5, 6, 7]}
                               for vid in all_versions for i, e in enumerate(library)])
        rx = {}
        for rx_id, vid in Prescription.select(Prescription.id, Prescription.version).where(
                Prescription.version.in_(list(current.values()))).tuples():
            rx.setdefault(vid, []).append(rx_id)
        completions, checkins, alerts = [], [], []
        for n, pid in enumerate(patient_ids):
            for day in range(days):
                at = start + timedelta(days=day + 1)
                when, local = to_storage(at), local_date(at, timezone)
                for rx_id in rx[current[pid]]:
                    completions.append({"id": str(uuid.uuid4()), "patient": pid, "prescription": rx_id,
                                        "performed_at": when, "local_date": local, "sets_done": 2, "reps_done": 10,
                                        "pain_during": 2, "pain_after": 1, "effort": 4, "note": "",
                                        "recorded_at": when, "request_hash": "0" * 64})
                if day == days - 1:
                    continue  # today's morning check-in is still to come
                checkins.append({"id": str(uuid.uuid4()), "patient": pid, "date": local, "morning_pain": 3,
                                 "settled": "yes", "distal_symptom": "back", "new_numbness_or_weakness": False,
                                 "red_flag_change": False, "recorded_at": when, "request_hash": "0" * 64})
            if alert_every and n % alert_every == 0:
                alerts.append({"patient": pid, "key": "low_adherence", "code": "low_adherence", "level": "caution",
                               "detail": "Few sessions logged this week.", "evidence": [],
                               "created_at": to_storage(now), "status": "open"})
        _insert(Completion, completions)
        _insert(CheckIn, checkins)
        _insert(Alert, alerts)
    return patient_ids


