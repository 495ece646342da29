"""A clinic's own exercises: written by its therapists in the shipped library's fields,
seen by every therapist of that clinic (``Exercise.visible_to``) and by no other clinic.

Contract:

- ``create_own_exercise(user, data)`` stores an ``OwnExerciseIn``-loaded body for the user's
  clinic with a slug made from the name, unique within the clinic (``-2``, ``-3``... when
  taken). ``easier``/``harder`` must be exercises the clinic sees, else ``Invalid`` naming
  the field. Nothing is written when it refuses.
- ``own_exercise_for(user, exercise_id)`` is the one check before an own exercise is changed:
  ``NotFound`` for another clinic's or an unknown one, ``Conflict`` for the shipped library's.
- ``update_own_exercise(user, exercise_id, data)`` changes the fields given (the slug stays).
- ``own_exercises_of(user)``: the clinic's own active exercises, by name.
- ``archive_own_exercise(user, exercise_id)`` takes it out of the library (``is_active``);
  programs that prescribe it keep it.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from hep.db import db
from hep.errors import Conflict, Invalid, NotFound
from hep.library.catalog import DOSE_KEYS
from hep.models import Exercise, User
from hep.people import audit

SLUG_LENGTH = 100  # leaves room for a "-N" suffix within the column's 120
#: The default dose of an own exercise where the therapist leaves a field out.
DEFAULT_DOSE = {"sets": 2, "reps": 10, "hold_seconds": 0, "rest_seconds": 30, "side": "both",
                "frequency_per_day": 1, "load": None}
TEXT_FIELDS = ("name", "phase", "category", "regions", "equipment", "summary", "steps", "cues", "safety")


def slugify(name: str) -> str:
    """Lower-case kebab-case ASCII of ``name`` (accents dropped); ``exercise`` if nothing is left."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:SLUG_LENGTH].strip("-")
    return slug or "exercise"


def _free_slug(clinic_id: int, name: str) -> str:
    base = slugify(name)
    taken = {row[0] for row in Exercise.select(Exercise.slug)
             .where((Exercise.clinic == clinic_id) & Exercise.slug.startswith(base)).tuples()}
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _neighbours(clinic_id: int, data: Mapping[str, Any]) -> dict[str, int | None]:
    """``easier``/``harder`` checked against what the clinic sees (one statement)."""
    wanted = {field: data.get(field) for field in ("easier", "harder")}
    ids = {value for value in wanted.values() if value is not None}
    visible = set()
    if ids:
        visible = {row[0] for row in Exercise.visible_to(clinic_id).select(Exercise.id)
                   .where(Exercise.id.in_(sorted(ids))).tuples()}
    errors = {field: [_("No such exercise in your library.")] for field, value in wanted.items()
              if value is not None and value not in visible}
    if errors:
        raise Invalid(_("The exercise has invalid fields."), errors=errors)
    return wanted


def create_own_exercise(user: User, data: Mapping[str, Any]) -> Exercise:
    """Store the clinic's own exercise (see the module's contract)."""
    neighbours = _neighbours(user.clinic_id, data)
    dose = {**DEFAULT_DOSE, **(data.get("default_dose") or {})}
    with db.atomic():
        exercise = Exercise.create(
            clinic=user.clinic_id, slug=_free_slug(user.clinic_id, data["name"]),
            **{field: data[field] for field in TEXT_FIELDS if field in data},
            default_dose={key: dose[key] for key in DOSE_KEYS},
            easier=neighbours["easier"], harder=neighbours["harder"], tags={}, translations={})
        audit.record("exercise.create", exercise=exercise.id)
    return exercise


def own_exercises_of(user: User) -> list[Exercise]:
    """The user's clinic's own active exercises, by name."""
    return list(Exercise.select().where((Exercise.clinic == user.clinic_id) & Exercise.is_active)
                .order_by(Exercise.name, Exercise.id))


def own_exercise_for(user: User, exercise_id: int) -> Exercise:
    """The user's clinic's own active exercise ``exercise_id`` (see the module's contract)."""
    exercise = Exercise.visible_to(user.clinic_id).where(Exercise.id == exercise_id).first()
    if exercise is None:
        raise NotFound(_("No such exercise."))
    if exercise.clinic_id is None:
        raise Conflict(_("The shipped library cannot be changed; add the clinic's own exercise instead."))
    return exercise


def update_own_exercise(user: User, exercise_id: int, data: Mapping[str, Any]) -> Exercise:
    """Change the fields given (an ``OwnExerciseChangeIn``-loaded body) of the clinic's own
    exercise; ``default_dose`` fields given replace the stored ones. The slug stays, so
    nothing that names the exercise by slug breaks. ``Invalid`` for a neighbour the clinic
    does not see, or the exercise itself."""
    exercise = own_exercise_for(user, exercise_id)
    neighbours = {field: value for field, value in _neighbours(user.clinic_id, data).items() if field in data}
    itself = [field for field, value in neighbours.items() if value == exercise.id]
    if itself:
        raise Invalid(_("The exercise has invalid fields."),
                      errors={field: [_("An exercise cannot be its own neighbour.")] for field in itself})
    changed = {field: data[field] for field in TEXT_FIELDS if field in data}
    if "default_dose" in data:
        changed["default_dose"] = {**exercise.default_dose, **data["default_dose"]}
    changed.update(neighbours)
    if not changed:
        return exercise
    with db.atomic():
        for field, value in changed.items():
            setattr(exercise, field, value)
        exercise.save(only=[getattr(Exercise, field) for field in changed])
        audit.record("exercise.update", exercise=exercise.id, fields=sorted(changed))
    return exercise


def archive_own_exercise(user: User, exercise_id: int) -> Exercise:
    """Take the clinic's own exercise out of its library; prescriptions keep it."""
    exercise = own_exercise_for(user, exercise_id)
    with db.atomic():
        exercise.is_active = False
        exercise.save(only=[Exercise.is_active])
        audit.record("exercise.archive", exercise=exercise.id)
    return exercise
