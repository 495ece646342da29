"""The exercise library (therapists)."""
from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint

from hep.library.search import search_exercises
from hep.library.views import library_exercise_view
from hep.people.auth import require_role
from hep.schemas.library import ExerciseQuery, LibraryExerciseOut

bp = Blueprint("exercises", __name__, url_prefix="/api/v1", description="Exercise library")


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
