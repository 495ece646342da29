"""When the patient is asked each outcome measure: the therapist's schedule per patient
(which questionnaires, every how many days), or the defaults (``outcomes.REPEAT_DAYS``).

A measure is due on the patient's local day of its last answer plus its interval, or today
when never answered; the app shows what is due now and when the others come.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _

from hep.care.outcomes import REPEAT_DAYS, instruments
from hep.errors import Invalid
from hep.models import Patient, QuestionnaireResponse
from hep.people import audit
from hep.timeutil import from_storage, local_date, today_in

#: The longest interval a therapist may set (a year).
MAX_EVERY_DAYS = 365


def schedule_of(patient: Patient) -> dict[str, int]:
    """The patient's schedule, {code: every_days}: the therapist's, else the defaults."""
    chosen = patient.questionnaire_schedule
    return dict(chosen) if chosen is not None else dict(REPEAT_DAYS)


def schedule_view(patient: Patient) -> list[dict]:
    """Each scheduled measure the instance offers, in the instruments' order:
    ``{code, name, every_days, last_answered_on, due_on, due}`` (dates local to the patient);
    two statements (the patient is loaded)."""
    schedule, known = schedule_of(patient), instruments()
    last: dict[str, Any] = {}
    rows = (QuestionnaireResponse.select(QuestionnaireResponse.instrument, QuestionnaireResponse.recorded_at)
            .where(QuestionnaireResponse.patient == patient.id).tuples())
    for code, at in rows:
        if code not in last or at > last[code]:
            last[code] = at
    today = today_in(patient.timezone)
    view = []
    for code, inst in known.items():
        every = schedule.get(code)
        if every is None:
            continue
        answered = local_date(from_storage(last[code]), patient.timezone) if code in last else None
        due_on = answered + timedelta(days=every) if answered else today
        view.append({"code": code, "name": inst.name, "every_days": every, "last_answered_on": answered,
                     "due_on": due_on, "due": due_on <= today})
    return view


def due_for(patient: Patient) -> list[dict]:
    """The measures due now (``schedule_view`` entries with ``due``)."""
    return [entry for entry in schedule_view(patient) if entry["due"]]


def set_schedule(patient: Patient, items: Iterable[Mapping[str, Any]]) -> list[dict]:
    """Replace the patient's schedule with ``items`` ({code, every_days}; an empty list asks
    nothing). Raises ``Invalid`` naming ``items.N.code`` for an instrument the instance does
    not offer or one listed twice; nothing is written then. Returns ``schedule_view``."""
    items, known = list(items), instruments()
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item["code"] not in known:
            errors[f"items.{i}.code"] = [_("No such questionnaire.")]
        elif item["code"] in seen:
            errors[f"items.{i}.code"] = [_("Listed twice.")]
        seen.add(item["code"])
    if errors:
        raise Invalid(_("Some questionnaires cannot be scheduled."), errors=errors)
    patient.questionnaire_schedule = {item["code"]: item["every_days"] for item in items}
    patient.save(only=[Patient.questionnaire_schedule])
    audit.record("questionnaire.schedule", patient=patient, schedule=patient.questionnaire_schedule)
    return schedule_view(patient)
