"""Next-morning check-ins."""
from __future__ import annotations

from flask_smorest import Blueprint

from hep.api.common import replayed
from hep.logbook.checkins import checkin_view, correct_checkin, record_checkin
from hep.people.access import own_patient
from hep.people.auth import require_role
from hep.schemas.logs import CheckInCorrectionIn, CheckInIn, CheckInOut

bp = Blueprint("checkins", __name__, url_prefix="/api/v1", description="Check-ins (patients)")


@bp.post("/checkins")
@require_role("patient")
@bp.arguments(CheckInIn)
@bp.response(201, CheckInOut)
@replayed(bp, CheckInOut)
def create_checkin(body):
    """Record the morning check-in; a red-flag answer comes back ``urgent`` with advice."""
    record, created = record_checkin(own_patient(), body)
    return checkin_view(record), 201 if created else 200


@bp.post("/checkins/<uuid:checkin_id>/corrections")
@require_role("patient")
@bp.arguments(CheckInCorrectionIn)
@bp.response(201, CheckInOut)
@replayed(bp, CheckInOut)
def correct_checkin_route(body, checkin_id):
    """Change a check-in's answers (for the same day); the original stays in the history."""
    record, created = correct_checkin(own_patient(), str(checkin_id), body)
    return checkin_view(record), 201 if created else 200
