"""The patient's day."""
from __future__ import annotations

from flask_babel import get_locale
from flask_smorest import Blueprint

from hep.logbook.today import today_view
from hep.people.access import own_patient
from hep.people.auth import require_role
from hep.schemas.programs import TodayOut

bp = Blueprint("today", __name__, url_prefix="/api/v1", description="Today (patients)")


@bp.get("/today")
@require_role("patient")
@bp.response(200, TodayOut)
def today():
    """Today's exercises in the patient's time zone, with sessions done and targeted."""
    return today_view(own_patient(), str(get_locale()))
