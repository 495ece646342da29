"""FHIR export cost: building and validating one patient's bundle as the record grows.

    python bench/fhir_export.py [--days 365] [--sessions 2]

A patient on a SQLite database in a temp folder gets a two-exercise program and, for each
day, ``--sessions`` logged sessions and a morning check-in with back and leg pain. Printed:
resources in the bundle, the time to build it from the database, the first validation with
the R4B models of fhir.resources (including loading them) and a second one.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def populate(days: int, sessions: int):
    """The patient, with ``days`` days of logs ending today."""
    from hep.library.seed import seed_library
    from hep.models import CheckIn, Completion, Exercise
    from hep.people.accounts import create_or_update_therapist
    from hep.people.patients import create_patient
    from hep.programs.versions import assign

    seed_library()
    therapist, _ = create_or_update_therapist("bench@clinic.test", "bench password", "Bench", "Bench clinic")
    patient = create_patient(therapist, "Bench patient", "Europe/Madrid", None)
    exercises = [e.id for e in Exercise.select().limit(2)]
    version = assign(patient, therapist, "load", "", [{"exercise_id": e} for e in exercises])
    prescriptions = [p.id for p in version.ordered_prescriptions()]
    start = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=days)
    completions, checkins = [], []
    for day in range(days):
        at = start + timedelta(days=day)
        checkins.append({"id": str(uuid.uuid4()), "patient": patient.id, "date": at.date(), "morning_pain": 3,
                         "settled": "yes", "distal_symptom": "thigh", "new_numbness_or_weakness": False,
                         "red_flag_change": False, "back_pain": 3, "leg_pain": 2, "request_hash": "x" * 64})
        for n in range(sessions):
            completions.append({"id": str(uuid.uuid4()), "patient": patient.id,
                                "prescription": prescriptions[n % len(prescriptions)],
                                "performed_at": (at + timedelta(hours=n + 1)).replace(tzinfo=None),
                                "local_date": at.date(), "sets_done": 2, "reps_done": 10, "pain_during": 2,
                                "pain_after": 1, "effort": 4, "request_hash": "x" * 64})
    for start_at in range(0, len(completions), 500):
        Completion.insert_many(completions[start_at:start_at + 500]).execute()
    for start_at in range(0, len(checkins), 500):
        CheckIn.insert_many(checkins[start_at:start_at + 500]).execute()
    return patient


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--sessions", type=int, default=2, help="sessions logged a day")
    args = parser.parse_args()

    from hep import create_app, migrations
    from hep.db import db
    from hep.exports import fhir

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"INSTANCE_PATH": folder, "QUEUE_URL": "immediate", "TESTING": True})
        with app.test_request_context():
            migrations.upgrade(db.obj)
            patient = populate(args.days, args.sessions)
            t0 = time.perf_counter()
            bundle = fhir.build_bundle(patient)
            t1 = time.perf_counter()
            fhir.validate(bundle)
            t2 = time.perf_counter()
            fhir.validate(bundle)
            t3 = time.perf_counter()
            db.close()
    kinds = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    print(f"{args.days} days, {args.sessions} sessions a day: {len(bundle['entry'])} resources "
          f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})")
    print(f"build {t1 - t0:.2f} s, first validation {t2 - t1:.2f} s (loads the models), again {t3 - t2:.2f} s")


if __name__ == "__main__":
    main()
