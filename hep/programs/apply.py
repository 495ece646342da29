"""Applying a recommendation: the engine's proposal for one prescription becomes a new
program version, through ``versions.assign`` (so the volume confirmation applies as for any
save).

- ``progress``: the exercise is swapped for its ``harder`` neighbour in the library (at that
  exercise's library dose, keeping the schedule: times a day, days, pain ceiling); with no
  usable neighbour the dose rises one step (``hep.clinical.dose_step``, the patient's
  ``dose_step_percent``);
- ``regress``: the same the other way (``easier`` neighbour, or one step down);
- ``hold`` and ``stop``: refused (``NotApplicable``, 409) with the engine's reasons.

The recommendation is computed afresh when applying, never taken from the client.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from hep.care.summary import evaluate
from hep.care.thresholds import settings_for
from hep.clinical.dose_step import step_dose
from hep.errors import Conflict, NotFound
from hep.models import Exercise, Patient, Prescription, ProgramVersion, User
from hep.people import audit
from hep.programs import versions

#: Fields of the prescription kept when the exercise is swapped: the schedule the patient
#: keeps to and the pain ceiling the therapist chose, not the old exercise's dose.
KEPT_ON_SWAP = ("frequency_per_day", "days_of_week", "pain_ceiling", "side")


class NotApplicable(Conflict):
    """The recommendation is ``hold`` or ``stop`` (or the dose is already at its limit);
    ``extra`` carries ``recommendation`` (the status) and the engine's reasons."""


@dataclass(frozen=True)
class Plan:
    """What applying would save: the status, the reasons, the prescription before and after
    (``{exercise_id, exercise_name, **dose}``), and every item of the new version."""

    status: str
    reasons: list[dict]
    before: dict
    after: dict
    how: str  # "exercise" (swapped for a neighbour) or "dose" (one step)
    items: list[dict]
    version: ProgramVersion


def plan(patient: Patient, by: User, prescription_id: int) -> Plan:
    """The new version applying the current recommendation for ``prescription_id`` would
    make. Raises ``NotFound`` when the prescription is not in the patient's current version,
    ``NotApplicable`` when the recommendation is hold or stop or the dose cannot move."""
    version = versions.current_version(patient)
    rows = list(version.ordered_prescriptions()) if version else []
    target = next((p for p in rows if p.id == prescription_id), None)
    if target is None:
        raise NotFound(_("No such prescription in the current program."))
    recommendation = next((r for r in evaluate(patient).summary.recommendations
                           if r.prescription_id == prescription_id), None)
    reasons = [r.to_dict() for r in recommendation.reasons] if recommendation else []
    status = recommendation.status if recommendation else "hold"
    if status not in ("progress", "regress"):
        detail = (_("The recommendation is to stop: resolve the open alert first.") if status == "stop"
                  else _("The recommendation is to hold: nothing to apply yet."))
        raise NotApplicable(detail, extra={"recommendation": status, "reasons": reasons})
    before = {"exercise_id": target.exercise_id, "exercise_name": target.exercise.name, **versions.dose_of(target)}
    after, how = swapped_to_neighbour(target, status, by.clinic_id, {p.exercise_id for p in rows}), "exercise"
    if after is None:
        stepped = step_dose(versions.dose_of(target), status, settings_for(patient).dose_step_percent)
        if stepped is None:
            raise NotApplicable(_("The dose is already at its limit: change the program by hand."),
                                extra={"recommendation": status, "reasons": reasons})
        after, how = {"exercise_id": target.exercise_id, "exercise_name": target.exercise.name, **stepped}, "dose"
    items = [{"exercise_id": p.exercise_id, **versions.dose_of(p)} for p in rows]
    items[rows.index(target)] = {k: v for k, v in after.items() if k != "exercise_name"}
    return Plan(status, reasons, before, after, how, items, version)


def swapped_to_neighbour(target: Prescription, status: str, clinic_id: int, in_program: set[int]) -> dict | None:
    """The prescription moved to the library neighbour (harder for ``progress``, easier for
    ``regress``), or None when there is none the clinic can use (retired, another clinic's,
    or already in the program). Self-progression bounds are not carried over: they were set
    for the old exercise."""
    neighbour_id = target.exercise.harder_id if status == "progress" else target.exercise.easier_id
    if neighbour_id is None or neighbour_id in in_program:
        return None
    neighbour = Exercise.visible_to(clinic_id).where(Exercise.id == neighbour_id).first()
    if neighbour is None:
        return None
    dose = versions.dose_with_defaults({}, neighbour)
    dose.update({k: getattr(target, k) for k in KEPT_ON_SWAP})
    dose["notes"] = ""
    return {"exercise_id": neighbour.id, "exercise_name": neighbour.name, **dose}


def apply(patient: Patient, by: User, prescription_id: int, *,
          confirm_volume_increase: bool = False) -> ProgramVersion:
    """Save the planned version (``plan``) through ``versions.assign``: raises what ``plan``
    raises, and ``versions.VolumeIncrease`` unless ``confirm_volume_increase``."""
    planned = plan(patient, by, prescription_id)
    version = versions.assign(patient, by, planned.version.phase, planned.version.notes, planned.items,
                              confirm_volume_increase=confirm_volume_increase)
    audit.record("recommendation.apply", patient=patient, prescription=prescription_id, status=planned.status,
                 how=planned.how, version=version.number)
    return version
