"""Program templates: a phase, notes and items saved under a name, shared by the therapists
of one clinic (every therapist belongs to a clinic). A program can start from one; a template
holds no patient data (exercise ids and doses only)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import gettext as _

from hep.errors import NotFound
from hep.models import Exercise, ProgramTemplate, User
from hep.people import audit
from hep.programs.versions import visible_exercises


def templates_of(user: User) -> list[dict]:
    """The templates of the user's clinic, by name, as ``template_view``s."""
    rows = list(ProgramTemplate.of_clinic(user.clinic_id))  # authors joined: one read however many
    names = _exercise_names({item["exercise_id"] for row in rows for item in row.items})
    return [template_view(row, names) for row in rows]


def template_for(user: User, template_id: int) -> ProgramTemplate:
    """The clinic's template ``template_id``; ``NotFound`` for another clinic's or none."""
    template = ProgramTemplate.get_or_none((ProgramTemplate.id == template_id)
                                           & (ProgramTemplate.clinic == user.clinic_id))
    if template is None:
        raise NotFound(_("No such template."))
    return template


def create_template(user: User, name: str, phase: str, notes: str,
                    items: Iterable[Mapping[str, Any]]) -> ProgramTemplate:
    """Save a template for the user's clinic. Items are ``PrescriptionIn``-loaded dicts; an
    exercise outside the clinic's library raises ``Invalid`` naming ``items.N.exercise_id``."""
    items = [dict(item) for item in items]
    visible_exercises(items, user.clinic_id)
    template = ProgramTemplate.create(clinic=user.clinic_id, created_by=user, name=name, phase=phase,
                                      notes=notes, items=items)
    audit.record("template.create", template=template.id, items=len(items))
    return template


def program_from(user: User, template_id: int | None, body: Mapping[str, Any]) -> tuple[str, str, list]:
    """The phase, notes and items of a new program version: ``body``'s, filled in from the
    clinic's template ``template_id`` where it leaves them out (``NotFound`` for another
    clinic's template)."""
    if template_id is None:
        return body["phase"], body.get("notes", ""), body["items"]
    template = template_for(user, template_id)
    return (body.get("phase", template.phase), body.get("notes", template.notes),
            body.get("items", [dict(item) for item in template.items]))


def template_view(template: ProgramTemplate, names: dict[int, str] | None = None) -> dict:
    """The ``GET /api/v1/templates`` row: the template with each item's exercise name."""
    if names is None:
        names = _exercise_names({item["exercise_id"] for item in template.items})
    author = template.created_by if template.created_by_id else None
    return {"id": template.id, "name": template.name, "phase": template.phase, "notes": template.notes,
            "created_at": template.created_at, "created_by": author.display_name if author else None,
            "items": [{**item, "exercise_name": names.get(item["exercise_id"])} for item in template.items]}


def _exercise_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(Exercise.select(Exercise.id, Exercise.name).where(Exercise.id.in_(sorted(ids))).tuples())
