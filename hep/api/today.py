"""The patient's day."""
from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from hep.api.common import replayed
from hep.errors import NotFound
from hep.logbook.today import today_view
from hep.people.access import own_patient
from hep.people.auth import require_role
from hep.programs import self_progress, versions
from hep.schemas.programs import ProgramVersionOut, StepIn, TodayOut

bp = Blueprint("today", __name__, url_prefix="/api/v1", description="Today (patients)")


@bp.get("/today")
@require_role("patient")
@bp.response(200, TodayOut)
def today():
    """Today's exercises in the patient's time zone, with sessions done and targeted."""
    return today_view(own_patient(), str(get_locale()))


@bp.post("/today/<int:prescription_id>/progress")
@require_role("patient")
@bp.arguments(StepIn)
@bp.response(201, ProgramVersionOut)
@replayed(bp, ProgramVersionOut)
def take_step(body, prescription_id: int):
    """Accept the step Today offers for a prescription (harder within the therapist's
    bounds while the recommendation is progress, or easier after pain above the ceiling):
    a new program version made by the patient. 201 new; 200 replay of the same id; 409
    with the ``reason`` when no such step is on offer, or above the weekly-volume cap."""
    version, created = self_progress.accept(own_patient(), current_user, prescription_id, body)
    return versions.version_view(version), 201 if created else 200


@bp.get("/program")
@require_role("patient")
@bp.response(200, ProgramVersionOut)
def own_program():
    """The patient's current program version with its ``changes`` against the one before
    and who made it (for "What changed"); 404 before any program."""
    version = versions.current_version(own_patient())
    if version is None:
        raise NotFound(_("No program yet."))
    return versions.version_view(version)
