"""The patient's progress page data."""
from __future__ import annotations

from flask_babel import get_locale
from flask_smorest import Blueprint

from hep.care.schedule import schedule_view
from hep.library.views import card_view
from hep.logbook.progress import progress_view
from hep.models import EducationCard
from hep.people.access import own_patient
from hep.people.auth import require_role
from hep.schemas.logs import DaysQuery
from hep.schemas.progress import ProgressOut

bp = Blueprint("progress", __name__, url_prefix="/api/v1", description="Progress (patients)")


@bp.get("/progress")
@require_role("patient")
@bp.arguments(DaysQuery, location="query")
@bp.response(200, ProgressOut)
def progress(query):
    """Adherence calendar, streak, pain trend, questionnaires due and education cards."""
    patient = own_patient()
    locale = str(get_locale())
    view = progress_view(patient, query["days"])
    schedule = schedule_view(patient)
    view["questionnaires_due"] = [entry for entry in schedule if entry["due"]]
    view["questionnaires_schedule"] = sorted(schedule, key=lambda entry: entry["due_on"])
    view["education"] = [card_view(c, locale) for c in EducationCard.select().order_by(EducationCard.position)]
    return view
