"""Logging completions, with replay-safe client ids, and correcting them."""
from __future__ import annotations

from flask_smorest import Blueprint

from hep.api.common import replayed
from hep.logbook import completions
from hep.people.access import own_patient
from hep.people.auth import require_role
from hep.schemas.logs import CompletionIn, CompletionOut, CorrectionIn, DaysQuery

bp = Blueprint("completions", __name__, url_prefix="/api/v1", description="Completions (patients)")


@bp.post("/completions")
@require_role("patient")
@bp.arguments(CompletionIn)
@bp.response(201, CompletionOut)
@replayed(bp, CompletionOut)
def create_completion(body):
    """Log a completion. 201 new; 200 identical replay; 409 same id with another body."""
    record, created = completions.record_completion(own_patient(), body)
    return completions.completion_view(record), 201 if created else 200


@bp.post("/completions/<uuid:completion_id>/corrections")
@require_role("patient")
@bp.arguments(CorrectionIn)
@bp.response(201, CompletionOut)
@replayed(bp, CompletionOut)
def correct_completion(body, completion_id):
    """Correct a completion; the original stays in the history, marked superseded."""
    record, created = completions.correct_completion(own_patient(), str(completion_id), body)
    return completions.completion_view(record), 201 if created else 200


@bp.get("/completions")
@require_role("patient")
@bp.arguments(DaysQuery, location="query")
@bp.response(200, CompletionOut(many=True))
def list_completions(query):
    """Own completions of the last ``days`` days, originals and corrections alike."""
    return [completions.completion_view(c) for c in completions.recent_completions(own_patient(), days=query["days"])]
