"""Assigning programs: every change is a new version; earlier versions stay as history."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from flask_babel import gettext as _

from hep.db import db
from hep.errors import Invalid
from hep.library.catalog import PHASES  # noqa: F401  (the phases a program may have, for forms)
from hep.models import Exercise, Patient, Prescription, Program, ProgramVersion, User
from hep.people import audit

DOSE_FIELDS = (
    "sets", "reps", "hold_seconds", "rest_seconds", "side", "load",
    "frequency_per_day", "days_of_week", "pain_ceiling", "notes",
)
# Used only where neither the request nor the library says otherwise.
FALLBACK_DOSE = {"sets": 2, "reps": 10, "hold_seconds": 0, "rest_seconds": 30, "side": "both",
                 "load": None, "frequency_per_day": 1, "days_of_week": [1, 2, 3, 4, 5, 6, 7],
                 "pain_ceiling": 5, "notes": ""}


def current_version(patient: Patient) -> ProgramVersion | None:
    program = Program.get_or_none(Program.patient == patient)
    return program.current_version() if program else None


def assign(patient: Patient, by: User, phase: str, notes: str,
           items: Iterable[Mapping[str, Any]]) -> ProgramVersion:
    """Save a new program version for ``patient``.

    Raises ``Invalid`` naming ``items.N.exercise_id`` when an exercise is not in the
    library visible to the therapist's clinic; nothing is written then.
    """
    items = list(items)
    wanted = {item["exercise_id"] for item in items}
    visible = {
        e.id: e for e in Exercise.visible_to(by.clinic_id).where(Exercise.id.in_(wanted))
    }
    errors = {
        f"items.{i}.exercise_id": [_("Unknown exercise.")]
        for i, item in enumerate(items)
        if item["exercise_id"] not in visible
    }
    if errors:
        raise Invalid(_("Some exercises are not in the library."), errors=errors)
    with db.atomic():
        program, _created = Program.get_or_create(patient=patient)
        last = program.current_version()
        version = ProgramVersion.create(
            program=program, number=(last.number + 1 if last else 1),
            phase=phase, notes=notes, created_by=by,
        )
        Prescription.insert_many([
            {"version": version, "exercise": item["exercise_id"], "position": i,
             **dose_with_defaults(item, visible[item["exercise_id"]])}
            for i, item in enumerate(items)
        ]).execute()
        audit.record("program.assign", patient=patient, version=version.number, items=len(items))
    return version


def dose_with_defaults(item: Mapping[str, Any], exercise: Exercise) -> dict:
    """The item's dose; fields it leaves out come from the exercise's library default."""
    library = exercise.default_dose or {}
    return {k: item[k] if k in item else library.get(k, FALLBACK_DOSE[k]) for k in DOSE_FIELDS}


def dose_of(prescription: Prescription) -> dict:
    return {k: getattr(prescription, k) for k in DOSE_FIELDS}


def version_view(version: ProgramVersion) -> dict:
    return {
        "id": version.id,
        "number": version.number,
        "phase": version.phase,
        "notes": version.notes,
        "created_at": version.created_at,
        "created_by": version.created_by.display_name if version.created_by_id else None,
        "items": [
            {"id": p.id, "exercise_id": p.exercise_id, "exercise_name": p.exercise.name,
             "position": p.position, **dose_of(p)}
            for p in version.ordered_prescriptions()
        ],
    }


def program_view(patient: Patient) -> dict:
    program = Program.get_or_none(Program.patient == patient)
    if program is None:
        return {"current": None, "history": []}
    versions = list(program.versions.order_by(ProgramVersion.number.desc()))
    views = [version_view(v) for v in versions]
    return {"current": views[0] if views else None, "history": views}
