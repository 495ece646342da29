"""How exercises and education cards are shown, in the reader's language."""
from __future__ import annotations

from flask import url_for

from hep.library.media import media_url
from hep.models import EducationCard, Exercise


def exercise_view(exercise: Exercise, locale: str | None = None) -> dict:
    text = exercise.localised(locale)
    return {
        "id": exercise.id,
        "slug": exercise.slug,
        "phase": exercise.phase,
        "category": exercise.category,
        "regions": exercise.regions,
        "equipment": exercise.equipment,
        "default_dose": exercise.default_dose,
        "media_url": url_for("static", filename="media/" + exercise.media) if exercise.media else None,
        "image_url": media_url(exercise.image),
        "video_url": media_url(exercise.video),
        "clinic_id": exercise.clinic_id,
        **text,
    }


def library_exercise_view(exercise: Exercise, locale: str | None = None) -> dict:
    """:func:`exercise_view` plus the exercise's ladder (neighbours as ids) and tags."""
    return {**exercise_view(exercise, locale), "family": exercise.family, "easier": exercise.easier_id,
            "harder": exercise.harder_id, "tags": exercise.tags or {}}


def card_view(card: EducationCard, locale: str | None = None) -> dict:
    return {"slug": card.slug, "reading_minutes": card.reading_minutes, "phase": card.phase,
            **card.localised(locale)}
