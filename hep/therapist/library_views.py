"""The clinic's own exercises page: the list, a form to add one, and a picture or video
upload for each; every action through the same services as ``POST /api/v1/exercises``
and ``POST /api/v1/exercises/{id}/media``, then post / redirect / get."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from hep.clinical.limits import DOSE_LIMITS
from hep.errors import Conflict, Invalid, NotFound, TooLarge, UnsupportedMedia
from hep.library import catalog, media, own_exercises
from hep.library.views import exercise_view
from hep.people.auth import require_role
from hep.schemas.library import OwnExerciseIn
from hep.therapist import forms
from hep.therapist.views import bp

TEXT_FIELDS = ("name", "phase", "category", "summary", "safety")
LINE_FIELDS = ("steps", "cues")  # one item a line
DOSE_FIELDS = ("sets", "reps", "hold_seconds")


@bp.get("/exercises")
@require_role("therapist", "admin")
def own_exercises_page():
    return _page({}, {}), 200


def _page(values: dict, errors: dict, upload_errors: dict | None = None) -> str:
    locale = str(get_locale())
    return render_template(
        "therapist/own_exercises.html", exercises=[exercise_view(e, locale) for e in own_exercises.own_exercises_of(current_user)],
        values=values, errors=errors, upload_errors=upload_errors or {}, phases=catalog.PHASES,
        categories=catalog.CATEGORIES, regions=catalog.REGIONS, equipment=catalog.EQUIPMENT,
        dose_fields=DOSE_FIELDS, dose_limits=DOSE_LIMITS, max_mb=media.max_upload_bytes() // (1024 * 1024))


@bp.post("/exercises")
@require_role("therapist", "admin")
def create_own_exercise():
    form = request.form
    values = {name: form.get(name, "").strip() for name in (*TEXT_FIELDS, *LINE_FIELDS, *DOSE_FIELDS)}
    values["regions"], values["equipment"] = form.getlist("regions"), form.getlist("equipment")
    body = {name: values[name] for name in TEXT_FIELDS if values[name] or name != "safety"}
    body.update({name: [line.strip() for line in values[name].splitlines() if line.strip()] for name in LINE_FIELDS})
    body.update(regions=values["regions"], equipment=values["equipment"],
                default_dose={name: forms.number(values[name]) for name in DOSE_FIELDS if values[name]})
    try:
        exercise = own_exercises.create_own_exercise(current_user, OwnExerciseIn().load(body))
    except ValidationError as exc:
        return _page(values, forms.flatten(exc.messages)), 422
    except Invalid as exc:
        return _page(values, exc.errors or {}), 422
    flash(_("Added “%(name)s” to your clinic's exercises. Add a picture or a video below.", name=exercise.name), "success")
    return redirect(url_for("therapist.own_exercises_page", _anchor=f"exercise-{exercise.id}"))


@bp.post("/exercises/<int:exercise_id>/media")
@require_role("therapist", "admin")
def upload_own_media(exercise_id: int):
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise Invalid(errors={"file": [_("Choose a picture or a video.")]})
        exercise = media.store_upload(current_user, exercise_id, upload.stream, media.max_upload_bytes())
    except (Invalid, UnsupportedMedia, TooLarge) as exc:
        return _page({}, {}, {exercise_id: (exc.errors or {}).get("file") or [exc.detail]}), exc.status
    flash(_("Saved the file for “%(name)s”.", name=exercise.name), "success")
    return redirect(url_for("therapist.own_exercises_page", _anchor=f"exercise-{exercise.id}"))


@bp.post("/exercises/<int:exercise_id>/archive")
@require_role("therapist", "admin")
def archive_own_exercise(exercise_id: int):
    try:
        exercise = own_exercises.archive_own_exercise(current_user, exercise_id)
    except Conflict as exc:
        raise NotFound(exc.detail) from None  # the page only lists the clinic's own
    flash(_("Removed “%(name)s” from the library. Programs that have it keep it.", name=exercise.name), "success")
    return redirect(url_for("therapist.own_exercises_page"))
