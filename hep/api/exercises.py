"""The exercise library (therapists)."""
from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint

from hep.auth import require_role
from hep.library_views import exercise_view
from hep.models import Exercise
from hep.schemas.library import ExerciseOut, ExerciseQuery

bp = Blueprint("exercises", __name__, url_prefix="/api/v1", description="Exercise library")


@bp.get("/exercises")
@require_role("therapist", "admin")
@bp.arguments(ExerciseQuery, location="query")
@bp.response(200, ExerciseOut(many=True))
def list_exercises(query):
    """The shipped library plus the clinic's own exercises, filtered by phase and text."""
    rows = Exercise.visible_to(current_user.clinic_id)
    if query.get("phase"):
        rows = rows.where(Exercise.phase == query["phase"])
    if query.get("q"):
        term = f"%{query['q'].lower()}%"
        rows = rows.where(Exercise.name.ilike(term) | Exercise.summary.ilike(term) | Exercise.category.ilike(term))
    return [exercise_view(e, current_user.locale) for e in rows.order_by(Exercise.phase, Exercise.name)]
