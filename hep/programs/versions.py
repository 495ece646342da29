"""Assigning programs: every change is a new version; earlier versions stay as history."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import peewee as pw
from flask_babel import gettext as _

from hep.clinical.volume import check_program_volume
from hep.db import db
from hep.errors import Conflict, Invalid
from hep.library.catalog import PHASES  # noqa: F401  (the phases a program may have, for forms)
from hep.models import Exercise, Patient, Prescription, Program, ProgramVersion, User
from hep.people import audit
from hep.programs.diff import version_changes
from hep.timeutil import from_storage, local_date

DOSE_FIELDS = (
    "sets", "reps", "hold_seconds", "rest_seconds", "side", "load", "load_value", "load_unit",
    "frequency_per_day", "days_of_week", "pain_ceiling", "notes", "self_progression",
)
# Used only where neither the request nor the library says otherwise.
FALLBACK_DOSE = {"sets": 2, "reps": 10, "hold_seconds": 0, "rest_seconds": 30, "side": "both",
                 "load": None, "load_value": None, "load_unit": None, "frequency_per_day": 1, "days_of_week": [1, 2, 3, 4, 5, 6, 7],
                 "pain_ceiling": 5, "notes": "", "self_progression": None}


def current_version(patient: Patient) -> ProgramVersion | None:
    program = Program.get_or_none(Program.patient == patient)
    return program.current_version() if program else None


class VolumeIncrease(Conflict):
    """The new version raises an exercise's weekly volume above the patient's cap, or its
    load; ``changes`` holds the figures per exercise. Saving needs the therapist's confirmation."""

    def __init__(self, changes: list[dict]) -> None:
        super().__init__(_("This raises the weekly volume or the load of some exercises. "
                           "Check the figures and confirm to save."), extra={"volume_changes": changes})
        self.changes = changes


def assign(patient: Patient, by: User, phase: str, notes: str,
           items: Iterable[Mapping[str, Any]], *, confirm_volume_increase: bool = False) -> ProgramVersion:
    """Save a new program version for ``patient``.

    Raises ``Invalid`` naming ``items.N.exercise_id`` when an exercise is not in the
    library visible to the therapist's clinic, and ``VolumeIncrease`` when an exercise's
    weekly volume rises above the patient's cap (or its load rises) unless
    ``confirm_volume_increase``; nothing is written then.
    """
    items = list(items)
    visible = visible_exercises(items, by.clinic_id)
    doses = [dose_with_defaults(item, visible[item["exercise_id"]]) for item in items]
    if not confirm_volume_increase:
        changes = volume_changes(patient, [(item["exercise_id"], d) for item, d in zip(items, doses, strict=True)])
        if changes:
            raise VolumeIncrease(changes)
    with db.atomic():
        program, _created = Program.get_or_create(patient=patient)
        last = program.current_version()
        version = ProgramVersion.create(
            program=program, number=(last.number + 1 if last else 1),
            phase=phase, notes=notes, created_by=by,
        )
        Prescription.insert_many([
            {"version": version, "exercise": item["exercise_id"], "position": i, **dose}
            for i, (item, dose) in enumerate(zip(items, doses, strict=True))
        ]).execute()
        audit.record("program.assign", patient=patient, version=version.number, items=len(items),
                     volume_confirmed=confirm_volume_increase)
    from hep.care.summary import refresh_alerts

    refresh_alerts(patient)
    return version


def visible_exercises(items: list[Mapping[str, Any]], clinic_id: int | None) -> dict[int, Exercise]:
    """The items' exercises by id; raises ``Invalid`` naming ``items.N.exercise_id`` for each
    one that is not in the library visible to the clinic."""
    wanted = {item["exercise_id"] for item in items}
    visible = {e.id: e for e in Exercise.visible_to(clinic_id).where(Exercise.id.in_(wanted))}
    errors = {
        f"items.{i}.exercise_id": [_("Unknown exercise.")]
        for i, item in enumerate(items)
        if item["exercise_id"] not in visible
    }
    if errors:
        raise Invalid(_("Some exercises are not in the library."), errors=errors)
    return visible


def volume_changes(patient: Patient, planned: list[tuple[int, Mapping[str, Any]]]) -> list[dict]:
    """The exercises whose weekly volume would rise above the patient's cap, or whose load
    would rise, going from the current version to ``planned`` ((exercise id, dose) pairs):
    each with its figures (``hep.clinical.check_program_volume``). Empty when there is no
    current version or nothing needs confirming."""
    from hep.care.bridge import engine_dose
    from hep.care.thresholds import settings_for

    version = current_version(patient)
    if version is None:
        return []
    before, names = {}, {}
    for p in version.ordered_prescriptions():
        before.setdefault(p.exercise_id, engine_dose(dose_of(p)))
        names[p.exercise_id] = p.exercise.name
    after = {}
    for exercise_id, dose in planned:
        after.setdefault(exercise_id, engine_dose(dose))
    return [{**change.to_dict(), "exercise_name": names.get(change.key)}
            for change in check_program_volume(before, after, settings_for(patient))
            if change.needs_confirmation]


def dose_with_defaults(item: Mapping[str, Any], exercise: Exercise) -> dict:
    """The item's dose; fields it leaves out come from the exercise's library default."""
    library = exercise.default_dose or {}
    return {k: item[k] if k in item else library.get(k, FALLBACK_DOSE[k]) for k in DOSE_FIELDS}


def dose_of(prescription: Prescription) -> dict:
    return {k: getattr(prescription, k) for k in DOSE_FIELDS}


def program_start(patient: Patient) -> date | None:
    """The patient's local day the first program version took effect; None before any."""
    first = (ProgramVersion.select(ProgramVersion.created_at).join(Program)
             .where(Program.patient == patient).order_by(ProgramVersion.number).first())
    return local_date(from_storage(first.created_at), patient.timezone) if first else None


def version_view(version: ProgramVersion) -> dict:
    """One version as the API shows it: its items, who made it (name and role) and its
    ``changes`` against the version before it (``hep.programs.diff``); two statements."""
    pair = list(ProgramVersion.select(ProgramVersion, User)
                .join(User, pw.JOIN.LEFT_OUTER, on=(ProgramVersion.created_by == User.id))
                .where(ProgramVersion.program == version.program_id, ProgramVersion.number <= version.number)
                .order_by(ProgramVersion.number.desc()).limit(2))
    by_version = prescriptions_by_version(pair)
    view, *earlier = [_plain_view(v, by_version[v.id]) for v in pair]
    return {**view, "changes": version_changes(earlier[0] if earlier else None, view)}


def _plain_view(version: ProgramVersion, prescriptions: Iterable[Prescription] | None = None) -> dict:
    """The version with its items; ``prescriptions`` (in order, exercises loaded) when the
    caller read them already, else they are read here."""
    if prescriptions is None:
        prescriptions = version.ordered_prescriptions()
    author = version.created_by if version.created_by_id else None
    return {
        "id": version.id,
        "number": version.number,
        "phase": version.phase,
        "notes": version.notes,
        "created_at": version.created_at,
        "created_by": author.display_name if author else None,
        "created_by_role": author.role if author else None,
        "items": [
            {"id": p.id, "exercise_id": p.exercise_id, "exercise_name": p.exercise.name,
             "position": p.position, **dose_of(p)}
            for p in prescriptions
        ],
    }


def program_view(patient: Patient) -> dict:
    """The current version and the history, newest first, in two statements however long the
    history: the versions (with their authors), and all their prescriptions with exercises."""
    versions = list(ProgramVersion.select(ProgramVersion, User)
                    .join(User, pw.JOIN.LEFT_OUTER, on=(ProgramVersion.created_by == User.id))
                    .switch(ProgramVersion).join(Program)
                    .where(Program.patient == patient.id)
                    .order_by(ProgramVersion.number.desc()))
    if not versions:
        return {"current": None, "history": []}
    by_version = prescriptions_by_version(versions)
    plain = [_plain_view(v, by_version[v.id]) for v in versions]
    views = [{**view, "changes": version_changes(plain[i + 1] if i + 1 < len(plain) else None, view)}
             for i, view in enumerate(plain)]
    return {"current": views[0], "history": views}


def prescriptions_by_version(versions: Iterable[ProgramVersion]) -> dict[int, list[Prescription]]:
    """Each version's prescriptions in order, exercises loaded, in one statement (what
    :meth:`ProgramVersion.ordered_prescriptions` gives one version)."""
    by_version: dict[int, list[Prescription]] = {v.id: [] for v in versions}
    if by_version:
        for p in (Prescription.select(Prescription, Exercise).join(Exercise)
                  .where(Prescription.version.in_(list(by_version)))
                  .order_by(Prescription.version, Prescription.position)):
            by_version[p.version_id].append(p)
    return by_version


def prescription_names(ids) -> dict[int, str]:
    """The exercise name of each prescription id (None and unknown ids left out)."""
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    rows = (Prescription.select(Prescription.id, Exercise.name).join(Exercise)
            .where(Prescription.id.in_(wanted)).tuples())
    return dict(rows)
