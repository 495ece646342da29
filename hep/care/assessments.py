"""Structured assessments and reassessments (the fields of ``hep.clinical.assessment``)."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _

from hep.clinical import FIELDS_BY_NAME, compare_assessments, red_flags_present, validate_assessment
from hep.errors import Conflict, Invalid, NotFound
from hep.models import Assessment, Patient, User
from hep.people import audit

KINDS = ("initial", "reassessment")


def assessments_of(patient: Patient) -> list[Assessment]:
    """The patient's assessments, oldest first."""
    return list(Assessment.select().where(Assessment.patient == patient)
                .order_by(Assessment.assessed_on, Assessment.id))


def create_assessment(patient: Patient, by: User, kind: str, assessed_on: date | None,
                      data: Mapping[str, Any]) -> Assessment:
    """Record an assessment; raises ``Invalid`` naming every bad field at once
    (``data.<field>``, ``kind``, ``assessed_on``: None when the date could not be read), and
    writes nothing then. A positive red-flag screen is written to the audit trail."""
    errors = {f"data.{k}": v for k, v in validate_assessment(dict(data)).items()}
    if kind not in KINDS:
        errors["kind"] = [_("Choose initial assessment or reassessment.")]
    if assessed_on is None:
        errors["assessed_on"] = [_("Enter the date of the assessment.")]
    if errors:
        raise Invalid(errors=errors)
    row = Assessment.create(patient=patient, created_by=by.id, kind=kind, assessed_on=assessed_on,
                            data=dict(data))
    audit.record("assessment.create", patient=patient, assessment=row.id,
                 red_flags=list(red_flags_present(row.data)))
    from hep.care.summary import refresh_alerts

    refresh_alerts(patient)
    return row


def assessment_view(row: Assessment) -> dict:
    return {"id": row.id, "kind": row.kind, "assessed_on": row.assessed_on, "data": row.data,
            "red_flags": list(red_flags_present(row.data)), "created_at": row.created_at}


def comparison(patient: Patient, before_id: int | None = None, after_id: int | None = None):
    """(before, after, changes) of two assessments; default the first and the latest.

    Raises ``NotFound`` for an id that is not the patient's and ``Conflict`` when there are
    fewer than two to compare.
    """
    rows = assessments_of(patient)
    by_id = {r.id: r for r in rows}
    if any(i is not None and i not in by_id for i in (before_id, after_id)):
        raise NotFound(_("No such assessment."))
    if len(rows) < 2 and (before_id is None or after_id is None):
        raise Conflict(_("Compare needs two assessments."))
    before = by_id[before_id] if before_id is not None else rows[0]
    after = by_id[after_id] if after_id is not None else rows[-1]
    return before, after, compare_assessments(before.data, after.data)


def change_view(change) -> dict:
    return {"name": change.name, "label": FIELDS_BY_NAME[change.name].title, "before": change.before,
            "after": change.after, "direction": change.direction}
