"""Progress on one's own, inside the therapist's bounds: the step Today offers the patient for
a prescription, and accepting it as a new program version made by the patient.

- **harder**: only for a prescription whose ``self_progression`` the therapist set, while the
  engine's recommendation for it is ``progress`` (never on hold, regress or stop). By dose
  first, then by exercise (CLINICAL.md): ``reps_step`` more reps up to ``reps_max`` (fewer
  when the weekly-volume cap would need confirming); at the ceiling (or without a reps
  bound) the library's ``harder`` neighbour when ``to_harder``.
- **easier**: for any prescription whose session logged today went above its pain ceiling
  (the pain-monitoring model's own answer), unless the program is stopped: the ``easier``
  neighbour, else one step of fewer reps (``hep.clinical.dose_step``), as the therapist's
  "apply" would.

Offers are computed afresh when accepting, never taken from the client; a step saves through
``versions.assign``, so the weekly-volume cap applies (``VolumeIncrease``, 409) and the
patient cannot confirm past it. Replays of the same client id return the version made
(the rules of ``hep.logbook.replay``).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import peewee as pw
from flask_babel import gettext as _

from hep.care.thresholds import settings_for
from hep.clinical.dose_step import step_dose
from hep.clinical.volume import check_program_volume
from hep.db import db
from hep.errors import Conflict, NotFound
from hep.logbook.replay import body_hash
from hep.models import Patient, Prescription, ProgramVersion, User
from hep.people import audit
from hep.programs import versions
from hep.programs.apply import swapped_to_neighbour

DIRECTIONS = ("harder", "easier")


class StepRefused(Conflict):
    """No such step is on offer now; ``extra`` carries ``reason`` (not_allowed, status,
    at_ceiling, no_easier_step) and the engine's ``recommendation`` where it was read."""


def needs_engine(prescriptions: Sequence[Prescription], pain_today: Mapping[int, int]) -> bool:
    """Whether any offer could exist (so Today reads the engine only then): a prescription
    with bounds, or one whose session today went above its pain ceiling."""
    return any(p.self_progression or _above_ceiling(p, pain_today) for p in prescriptions)


def offers(patient: Patient, prescriptions: Sequence[Prescription],
           pain_today: Mapping[int, int]) -> dict[int, dict]:
    """The step on offer for each prescription that has one (by prescription id):
    ``{direction, how: reps|exercise, reps?, exercise_id, exercise_name}``.
    ``pain_today``: the highest pain logged today against each prescription id."""
    if not needs_engine(prescriptions, pain_today):
        return {}
    statuses = _statuses(patient)
    found = {}
    for p in prescriptions:
        step = _step(patient, p, prescriptions, statuses.get(p.id, "hold"), pain_today)
        if isinstance(step, dict):
            found[p.id] = _offer_view(step)
    return found


def accept(patient: Patient, by: User, prescription_id: int, body: Mapping[str, Any]) -> tuple[ProgramVersion, bool]:
    """Save the step on offer for ``prescription_id`` in ``body['direction']`` as a new
    version made by ``by`` (the patient); returns (version, created). A replay of the same
    ``body['id']`` returns the version it made. Raises ``NotFound`` (not in the current
    program), ``StepRefused`` (no such offer now), ``versions.VolumeIncrease`` (above the
    weekly-volume cap: the therapist decides) and ``Conflict`` (the id used otherwise)."""
    client_id, digest = str(body["id"]), body_hash({**body, "prescription_id": prescription_id})
    existing = _replayed(patient, client_id, digest)
    if existing is not None:
        return existing, False
    version = versions.current_version(patient)
    rows = list(version.ordered_prescriptions()) if version else []
    target = next((p for p in rows if p.id == prescription_id), None)
    if target is None:
        raise NotFound(_("No such prescription in the current program."))
    pain_today = _pain_today(patient, target)
    step = _step(patient, target, rows, _statuses(patient).get(target.id, "hold"), pain_today)
    if not isinstance(step, dict) or step["direction"] != body["direction"]:
        reason, status = step if isinstance(step, tuple) else ("status", None)
        raise StepRefused(_refusal(reason), extra={"reason": reason, "recommendation": status})
    items = [{"exercise_id": p.exercise_id, **versions.dose_of(p)} for p in rows]
    items[rows.index(target)] = step["item"]
    try:
        with db.atomic():
            made = versions.assign(patient, by, version.phase, version.notes, items)
            ProgramVersion.update(client_id=client_id, request_hash=digest).where(ProgramVersion.id == made.id).execute()
            audit.record("program.self_progress", patient=patient, prescription=prescription_id,
                         direction=step["direction"], how=step["how"], version=made.number)
    except pw.IntegrityError:
        # A concurrent replay of the same id (or a version number taken meanwhile) won:
        # nothing of this one was kept; answer as for a replay, or refuse.
        existing = _replayed(patient, client_id, digest)
        if existing is None:
            raise Conflict(_("The program changed meanwhile: open Today again."), title="Conflict") from None
        return existing, False
    return made, True


def _replayed(patient: Patient, client_id: str, digest: str) -> ProgramVersion | None:
    existing = ProgramVersion.get_or_none(ProgramVersion.client_id == client_id)
    if existing is None:
        return None
    if existing.program.patient_id == patient.id and existing.request_hash == digest:
        return existing
    raise Conflict(_("This id was already used for a different record."), title="Conflict")


def _statuses(patient: Patient) -> dict[int, str]:
    from hep.care.summary import evaluate  # the care ring reads programs; read it late

    return {r.prescription_id: r.status for r in evaluate(patient, with_period=False).summary.recommendations}


def _above_ceiling(p: Prescription, pain_today: Mapping[int, int]) -> bool:
    return pain_today.get(p.id, -1) > p.pain_ceiling


def _pain_today(patient: Patient, target: Prescription) -> dict[int, int]:
    from hep.logbook.today import pain_today  # the logbook reads programs; read it late

    return pain_today(patient, target.id)


def _step(patient: Patient, p: Prescription, rows: Sequence[Prescription], status: str,
          pain_today: Mapping[int, int]) -> dict | tuple[str, str | None]:
    """The step on offer for ``p``: a dict (direction, how, the new item), or (the reason
    there is none, the status)."""
    if status == "stop":
        return "status", status
    in_program = {q.exercise_id for q in rows}
    if _above_ceiling(p, pain_today):
        swapped = swapped_to_neighbour(p, "regress", patient.clinic_id, in_program)
        if swapped is not None:
            return _as_step("easier", "exercise", swapped)
        stepped = step_dose(versions.dose_of(p), "regress", settings_for(patient).dose_step_percent)
        if stepped is None:
            return "no_easier_step", status
        return _as_step("easier", "reps" if stepped["reps"] != p.reps else "hold",
                        {"exercise_id": p.exercise_id, "exercise_name": p.exercise.name, **stepped})
    bounds = p.self_progression
    if not bounds:
        return "not_allowed", status
    if status != "progress":
        return "status", status
    reps = _reps_within_cap(patient, p, bounds) if bounds.get("reps_max") else None
    if reps is not None:
        return _as_step("harder", "reps", {"exercise_id": p.exercise_id, "exercise_name": p.exercise.name,
                                           **versions.dose_of(p), "reps": reps})
    if bounds.get("to_harder"):
        swapped = swapped_to_neighbour(p, "progress", patient.clinic_id, in_program)
        if swapped is not None:  # without bounds: the therapist sets new ones for it
            return _as_step("harder", "exercise", swapped)
    return "at_ceiling", status


def _reps_within_cap(patient: Patient, p: Prescription, bounds: Mapping[str, Any]) -> int | None:
    """The most reps one step may reach: ``reps_step`` more, at most ``reps_max``, and no
    more than the weekly-volume cap lets through unconfirmed (the patient cannot confirm);
    None at the ceiling."""
    from hep.care.bridge import engine_dose

    settings = settings_for(patient)
    before = {p.exercise_id: engine_dose(versions.dose_of(p))}
    for reps in range(min(bounds["reps_max"], p.reps + bounds.get("reps_step", 2)), p.reps, -1):
        after = {p.exercise_id: engine_dose({**versions.dose_of(p), "reps": reps})}
        if not any(change.needs_confirmation for change in check_program_volume(before, after, settings)):
            return reps
    return None


def _as_step(direction: str, how: str, after: dict) -> dict:
    return {"direction": direction, "how": how, "after": after,
            "item": {k: v for k, v in after.items() if k != "exercise_name"}}


def _offer_view(step: dict) -> dict:
    after = step["after"]
    return {"direction": step["direction"], "how": step["how"], "exercise_id": after["exercise_id"],
            "exercise_name": after["exercise_name"], "reps": after["reps"], "hold_seconds": after["hold_seconds"]}


def _refusal(reason: str) -> str:
    return {
        "not_allowed": _("Your therapist has not set this exercise for you to change on your own."),
        "status": _("Not now: the step is offered when your recent sessions say you are ready."),
        "at_ceiling": _("You have reached the most your therapist set for this exercise."),
        "no_easier_step": _("There is no easier step for this exercise: ask your therapist."),
    }.get(reason, _("Not now: the step is offered when your recent sessions say you are ready."))
