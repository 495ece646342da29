"""The exercise library (therapists): the shipped one plus the clinic's own exercises, their
uploaded pictures and videos, and the one route that serves those files."""
from __future__ import annotations

from flask import send_file
from flask_login import current_user
from flask_smorest import Blueprint

from hep.library import media, own_exercises
from hep.library.search import search_exercises
from hep.library.views import library_exercise_view
from hep.people.auth import require_role
from hep.schemas.library import (
    ExerciseQuery,
    LibraryExerciseOut,
    MediaUploadIn,
    OwnExerciseChangeIn,
    OwnExerciseIn,
)

bp = Blueprint("exercises", __name__, url_prefix="/api/v1", description="Exercise library")

#: A stored file never changes (a new upload is a new name): browsers keep it a year, privately.
MEDIA_MAX_AGE = 365 * 24 * 3600


@bp.get("/exercises")
@require_role("therapist", "admin")
@bp.arguments(ExerciseQuery, location="query")
@bp.response(200, LibraryExerciseOut(many=True))
def list_exercises(query):
    """The shipped library plus the clinic's own exercises, filtered by phase, text, family,
    direction, irritability, region and equipment; each with its family, easier and harder
    neighbour (ids) and tags."""
    rows = search_exercises(current_user.clinic_id, query.get("phase"), query.get("q"), family=query.get("family"),
                            direction=query.get("direction"), irritability=query.get("irritability"),
                            region=query.get("region"), equipment=query.get("equipment"))
    return [library_exercise_view(e, current_user.locale) for e in rows]


@bp.post("/exercises")
@require_role("therapist", "admin")
@bp.arguments(OwnExerciseIn)
@bp.response(201, LibraryExerciseOut)
def create_exercise(body):
    """Add the clinic's own exercise (seen by the clinic's therapists only); its slug is made
    from the name, unique within the clinic. 422 names each invalid field."""
    exercise = own_exercises.create_own_exercise(current_user, body)
    return library_exercise_view(exercise, current_user.locale)


@bp.patch("/exercises/<int:exercise_id>")
@require_role("therapist", "admin")
@bp.arguments(OwnExerciseChangeIn)
@bp.response(200, LibraryExerciseOut)
def update_exercise(body, exercise_id):
    """Change the clinic's own exercise: only the fields given (its slug stays); 409 for the
    shipped library's, 404 for another clinic's."""
    exercise = own_exercises.update_own_exercise(current_user, exercise_id, body)
    return library_exercise_view(exercise, current_user.locale)


@bp.post("/exercises/<int:exercise_id>/archive")
@require_role("therapist", "admin")
@bp.response(200, LibraryExerciseOut)
def archive_exercise(exercise_id):
    """Take the clinic's own exercise out of the library (programs that prescribe it keep it);
    409 for the shipped library's."""
    exercise = own_exercises.archive_own_exercise(current_user, exercise_id)
    return library_exercise_view(exercise, current_user.locale)


@bp.post("/exercises/<int:exercise_id>/media")
@require_role("therapist", "admin")
@bp.arguments(MediaUploadIn, location="files")
@bp.response(201, LibraryExerciseOut)
def upload_media(files, exercise_id):
    """Upload the picture or the short video of the clinic's own exercise (multipart ``file``),
    replacing the one it had; the kind is read from the content. The exercise's ``image_url``
    or ``video_url`` then names it. Problems: 409 for the shipped library's exercises, 413 over
    ``HEP_MEDIA_MAX_MB``, 415 (naming ``file``) for anything but a PNG, JPEG, WebP or GIF
    picture or an MP4 or WebM video."""
    exercise = media.store_upload(current_user, exercise_id,
                                  stream=files["file"].stream, max_bytes=media.max_upload_bytes())
    return library_exercise_view(exercise, current_user.locale)


_MEDIA_CONTENT = {mimetype: {"schema": {"type": "string", "format": "binary"}}
                  for mimetype in sorted(set(media.MIMETYPES.values()))}


@bp.get("/media/<name>")
@require_role("therapist", "admin", "patient")
@bp.doc(responses={
    "200": {"description": "The file.", "content": _MEDIA_CONTENT},
    "206": {"description": "The part asked for with `Range`.", "content": _MEDIA_CONTENT},
    "304": {"description": "Not modified (`If-None-Match`)."},
})
def media_file(name):
    """A clinic's uploaded picture or video: for the clinic's staff, and for its patients
    whose current program prescribes the exercise (404 for anyone else). Answers `Range`
    requests (206; 416 outside the file) and carries an ETag and a long private `Cache-Control`."""
    path, mimetype = media.media_for(current_user, name)
    response = send_file(path, mimetype=mimetype, conditional=True, etag=name.split(".")[0],
                         max_age=MEDIA_MAX_AGE, last_modified=None)
    response.cache_control.public = False
    response.cache_control.private = True
    response.cache_control.immutable = True
    return response
