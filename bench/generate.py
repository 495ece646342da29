"""Fill a database with a clinic's worth of people and history, in bulk.

    python bench/generate.py --patients 5000 --days 90 [--database sqlite:///bench.db]
    python bench/generate.py --patients 200 --days 90 --database postgresql://postgres@127.0.0.1:5432/bench

Writes therapists (one per ``--per-therapist`` patients, 200 by default: the list a therapist
opens at the end of the day), patients, one program each (one version, three exercises of the
shipped library), and for each of the last ``--days`` days one session of every exercise and
one morning check-in. Rows go in with ``insert_many`` in batches, one transaction per batch, so
the figures printed (rows per table and seconds) measure the database, not the ORM.

The first therapist signs in with ``THERAPIST_EMAIL`` and the password printed; ``generate()``
(used by ``bench/http_bench.py``) also returns invite tokens for the first patients.
"""
from __future__ import annotations

import argparse
import secrets
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

THERAPIST_EMAIL = "bench-therapist-0@bench.hep.invalid"
EXERCISES = ("seated-sciatic-nerve-slider", "cat-camel", "hip-hinge-to-box")
BATCH = 1000  # rows per INSERT (and per transaction): under SQLite's 32,766 parameters


@dataclass
class Generated:
    """What was written: rows per table, seconds, and the ways in."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    therapist_email: str = THERAPIST_EMAIL
    therapist_password: str = ""
    patient_ids: list[int] = field(default_factory=list)  # of the first therapist, in order
    invite_tokens: list[str] = field(default_factory=list)  # for the first patients
    prescription_ids: dict[int, list[int]] = field(default_factory=dict)  # patient -> its prescriptions

    def line(self) -> str:
        total = sum(self.rows.values())
        parts = ", ".join(f"{name} {count:,}" for name, count in self.rows.items())
        return f"{total:,} rows in {self.seconds:.1f} s ({total / max(self.seconds, 1e-9):,.0f} rows/s): {parts}"


def generate(patients: int, days: int, *, per_therapist: int = 200, invites: int = 0,
             today: date | None = None) -> Generated:
    """Write the data into the database the proxy is bound to (migrated, in an app context)."""
    from hep.db import db
    from hep.library.seed import seed_library
    from hep.logbook.replay import body_hash
    from hep.models import (
        CheckIn,
        Clinic,
        Completion,
        Exercise,
        Patient,
        Prescription,
        Program,
        ProgramVersion,
        User,
    )
    from hep.people import invites as invite_links
    from hep.people.accounts import create_or_update_therapist
    from hep.timeutil import to_storage

    started = time.perf_counter()
    result = Generated()
    today = today or datetime.now(UTC).date()
    seed_library()
    exercises = [Exercise.get((Exercise.slug == slug) & Exercise.clinic.is_null()) for slug in EXERCISES]
    result.therapist_password = secrets.token_urlsafe(12)
    first, _ = create_or_update_therapist(THERAPIST_EMAIL, result.therapist_password, "Bench therapist 0", "Bench clinic")
    clinic = Clinic.get_by_id(first.clinic_id)
    therapists = [first.id]
    needed = max(1, -(-patients // per_therapist))
    _insert(User, ({"clinic": clinic.id, "role": "therapist", "email": f"bench-therapist-{n}@bench.hep.invalid",
                    "display_name": f"Bench therapist {n}"} for n in range(1, needed)))
    therapists += [u for (u,) in User.select(User.id).where(User.email.startswith("bench-therapist-")
                                                            & (User.id != first.id)).order_by(User.id).tuples()]
    result.rows["users"] = len(therapists)

    patient_start = Patient.select(Patient.id).count()
    _insert(User, ({"clinic": clinic.id, "role": "patient", "display_name": f"Bench patient {n}", "locale": "en"}
                   for n in range(patients)))
    user_ids = [u for (u,) in User.select(User.id).where(User.display_name.startswith("Bench patient "))
                .order_by(User.id).tuples()][-patients:]
    result.rows["users"] += len(user_ids)
    result.rows["patients"] = _insert(Patient, (
        {"clinic": clinic.id, "therapist": therapists[n // per_therapist], "user": user_id,
         "display_name": f"Bench patient {n}", "timezone": "UTC"} for n, user_id in enumerate(user_ids)))
    patient_ids = [p for (p,) in Patient.select(Patient.id).order_by(Patient.id).offset(patient_start).tuples()]
    start_day = today - timedelta(days=days)
    created = to_storage(datetime.combine(start_day, datetime.min.time(), UTC))
    result.rows["programs"] = _insert(Program, ({"patient": p, "created_at": created} for p in patient_ids))
    program_of = dict(Program.select(Program.patient, Program.id).tuples())
    result.rows["program versions"] = _insert(ProgramVersion, (
        {"program": program_of[p], "number": 1, "phase": "calm", "created_by": therapists[0], "created_at": created}
        for p in patient_ids))
    version_of = {program: version for version, program in
                  ProgramVersion.select(ProgramVersion.id, ProgramVersion.program).tuples()}
    result.rows["prescriptions"] = _insert(Prescription, (
        {"version": version_of[program_of[p]], "exercise": exercise.id, "position": position, "sets": 2, "reps": 10,
         "pain_ceiling": 5} for p in patient_ids for position, exercise in enumerate(exercises)))
    by_version: dict[int, list[int]] = {}
    for pid, vid in Prescription.select(Prescription.id, Prescription.version).order_by(Prescription.id).tuples():
        by_version.setdefault(vid, []).append(pid)
    prescriptions = {p: by_version[version_of[program_of[p]]] for p in patient_ids}

    log = {"sets_done": 2, "reps_done": 10, "pain_during": 2, "pain_after": 1, "effort": 4, "note": ""}
    log_hash = body_hash(log)
    day_list = [start_day + timedelta(days=d) for d in range(days)]
    result.rows["completions"] = _insert(Completion, (
        {"id": str(uuid.uuid4()), "patient": p, "prescription": rx, "local_date": day,
         "performed_at": to_storage(datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=9 + k)),
         "request_hash": log_hash, **log}
        for p in patient_ids for day in day_list for k, rx in enumerate(prescriptions[p])))
    result.rows["check-ins"] = _insert(CheckIn, (
        {"id": str(uuid.uuid4()), "patient": p, "date": day, "morning_pain": 2, "settled": "yes",
         "distal_symptom": "buttock", "new_numbness_or_weakness": False, "red_flag_change": False,
         "request_hash": body_hash({"date": day, "morning_pain": 2})}
        for p in patient_ids for day in day_list))

    result.patient_ids = [p for (p,) in Patient.select(Patient.id).where(Patient.therapist == first.id)
                          .order_by(Patient.id).tuples()]
    result.prescription_ids = {p: prescriptions[p] for p in patient_ids[:max(invites, 1)]}
    for patient in Patient.select().where(Patient.id.in_(patient_ids[:invites])).order_by(Patient.id):
        token, _invite = invite_links.issue(patient, first, ttl_days=1)
        result.invite_tokens.append(token)
    db.close()
    result.seconds = time.perf_counter() - started
    return result


def _insert(model, rows: Iterable[dict]) -> int:
    """Insert ``rows`` in batches of ``BATCH``, one transaction per batch; return the count."""
    from hep.db import db

    count = 0
    for batch in _batches(rows, BATCH):
        with db.atomic():
            model.insert_many(batch).execute()
        count += len(batch)
    return count


def _batches(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def open_database(url: str, instance: Path):
    """An app bound to ``url`` (migrated), for the generator and the benchmarks."""
    from hep import create_app, migrations
    from hep.db import db

    app = create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": url, "QUEUE_URL": "immediate"})
    with app.app_context():
        migrations.upgrade(db.obj)
    return app


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--per-therapist", type=int, default=200)
    parser.add_argument("--database", default=None, help="a database URL (default: sqlite:///bench.db here)")
    parser.add_argument("--instance", default=None, help="instance folder (default: a temp dir)")
    args = parser.parse_args(argv)
    import tempfile

    url = args.database or f"sqlite:///{Path('bench.db').resolve()}"
    instance = Path(args.instance or tempfile.mkdtemp(prefix="hep-generate-"))
    app = open_database(url, instance)
    with app.app_context():
        result = generate(args.patients, args.days, per_therapist=args.per_therapist)
    print(f"database: {url.split('?')[0]}")
    print(result.line())
    print(f"sign in: {result.therapist_email} / {result.therapist_password}")


if __name__ == "__main__":
    main()
