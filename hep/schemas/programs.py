"""Programs and their versions."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from hep.clinical import LOAD_UNITS
from hep.clinical.limits import DOSE_LIMITS
from hep.library.catalog import PHASES, SIDES
from hep.schemas.fields import Instant, RecordId
from hep.schemas.library import ExerciseOut
from hep.schemas.logs import CheckInOut  # noqa: F401 (nested by name)


def _count(name: str, **kwargs) -> fields.Integer:
    """A whole-number dose field within the product's limits (``hep.clinical.limits``)."""
    return fields.Integer(strict=True, validate=validate.Range(*DOSE_LIMITS[name]), **kwargs)


class SelfProgressionIn(Schema):
    """How far the patient may progress one prescription on their own: up to ``reps_max``
    reps, ``reps_step`` at a time, and/or to the exercise's ``harder`` neighbour."""

    reps_max = _count("reps", metadata={"description": "The most reps the patient may reach on their own."})
    reps_step = fields.Integer(strict=True, validate=validate.Range(1, 10),
                               metadata={"description": "Reps added per step (default 2)."})
    to_harder = fields.Boolean(load_default=False,
                               metadata={"description": "May move to the library's harder neighbour."})

    @validates_schema
    def _something_allowed(self, data, **kwargs):
        if "reps_step" in data and "reps_max" not in data:
            raise ValidationError("Give the most reps with the step.", "reps_max")
        if "reps_max" not in data and not data.get("to_harder"):
            raise ValidationError("Give the most reps, allow the harder exercise, or send null.", "reps_max")


class PrescriptionIn(Schema):
    """One item of a program. Dose fields left out take the exercise's library default."""

    exercise_id = RecordId(required=True)
    sets = _count("sets")
    reps = _count("reps")
    hold_seconds = _count("hold_seconds")
    rest_seconds = _count("rest_seconds")
    side = fields.String(validate=validate.OneOf(SIDES))
    load = fields.String(allow_none=True, validate=validate.Length(max=100))
    load_value = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(min=0, max=1000, min_inclusive=False))
    load_unit = fields.String(allow_none=True, validate=validate.OneOf(LOAD_UNITS))
    frequency_per_day = _count("frequency_per_day")
    days_of_week = fields.List(
        fields.Integer(strict=True, validate=validate.Range(1, 7)),
        load_default=lambda: [1, 2, 3, 4, 5, 6, 7],
        validate=validate.Length(min=1, max=7),
    )
    pain_ceiling = _count("pain_ceiling", load_default=5)
    notes = fields.String(load_default="", validate=validate.Length(max=2000))
    self_progression = fields.Nested(
        SelfProgressionIn, allow_none=True, load_default=None,
        metadata={"description": "What the patient may progress on their own; null (default): not allowed."})

    @validates_schema
    def _load_with_its_unit(self, data, **kwargs):
        if (data.get("load_value") is None) != (data.get("load_unit") is None):
            missing = "load_unit" if data.get("load_unit") is None else "load_value"
            raise ValidationError("Give the weight and its unit (kg or lb) together.", missing)

    @validates_schema
    def _ceiling_above_dose(self, data, **kwargs):
        bounds, reps = data.get("self_progression"), data.get("reps")
        if bounds and "reps_max" in bounds:
            bounds.setdefault("reps_step", 2)
            if reps is not None and bounds["reps_max"] < reps:
                raise ValidationError({"self_progression": {"reps_max": ["The most reps is below the reps prescribed."]}})

    @validates("days_of_week")
    def _distinct_days(self, value, **kwargs):
        if len(set(value)) != len(value):
            raise ValidationError("List each weekday once.")


def _items(**kwargs) -> fields.List:
    """A program's items: 1 to 30 prescriptions."""
    return fields.List(fields.Nested(PrescriptionIn), validate=validate.Length(min=1, max=30), **kwargs)


class ProgramIn(Schema):
    """A new program version. With ``template_id`` it starts from that template of the
    clinic: ``phase``, ``notes`` and ``items`` given here replace the template's."""

    template_id = RecordId(metadata={"description": "Start from this template of the clinic."})
    phase = fields.String(validate=validate.OneOf(PHASES), metadata={"description": "Required without template_id."})
    # A rise of an exercise's weekly volume above the patient's cap, or of its load, is
    # refused with 409 and the figures unless this says the therapist confirmed it.
    confirm_volume_increase = fields.Boolean(load_default=False)
    notes = fields.String(validate=validate.Length(max=5000), metadata={"description": "Default: the template's, or empty."})
    items = _items(metadata={"description": "Required without template_id."})

    # Read from the body as sent, and also when other fields are wrong, so every missing
    # field is named at once and a field present but invalid keeps only its own message.
    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _program_or_template(self, data, original, **kwargs):
        given = original if isinstance(original, dict) else {}
        if "template_id" in given:
            return
        missing = {name: ["Missing data for required field."] for name in ("phase", "items") if name not in given}
        if missing:
            raise ValidationError(missing)


class TemplateIn(Schema):
    """A program template: shared by the therapists of the clinic; no patient data."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    phase = fields.String(required=True, validate=validate.OneOf(PHASES))
    notes = fields.String(load_default="", validate=validate.Length(max=5000))
    items = _items(required=True)


class ApplyIn(Schema):
    """Apply the current recommendation for one prescription as a new program version."""

    # As for ProgramIn: a rise above the patient's weekly-volume cap, or of the load, is
    # refused with 409 and the figures unless the therapist confirmed it.
    confirm_volume_increase = fields.Boolean(load_default=False)


class SelfProgressionOut(Schema):
    reps_max = fields.Integer()
    reps_step = fields.Integer()
    to_harder = fields.Boolean()


class DoseOut(Schema):
    sets = fields.Integer()
    reps = fields.Integer()
    hold_seconds = fields.Integer()
    rest_seconds = fields.Integer()
    side = fields.String()
    load = fields.String(allow_none=True)
    load_value = fields.Float(allow_none=True)
    load_unit = fields.String(allow_none=True)
    frequency_per_day = fields.Integer()
    days_of_week = fields.List(fields.Integer())
    pain_ceiling = fields.Integer()
    notes = fields.String()
    self_progression = fields.Nested(SelfProgressionOut, allow_none=True)


class TemplateItemOut(DoseOut):
    """A template's item: the dose fields it sets (the rest come from the library)."""

    exercise_id = fields.Integer()
    exercise_name = fields.String(allow_none=True)


class TemplateOut(Schema):
    id = fields.Integer()
    name = fields.String()
    phase = fields.String()
    notes = fields.String()
    created_at = Instant()
    created_by = fields.String(allow_none=True)
    items = fields.List(fields.Nested(TemplateItemOut))


class PrescriptionOut(DoseOut):
    id = fields.Integer()
    exercise_id = fields.Integer()
    exercise_name = fields.String()
    position = fields.Integer()


class VersionChangeOut(Schema):
    """One difference from the previous version (``hep.programs.diff``)."""

    change = fields.String(metadata={"enum": ["added", "removed", "changed"]})
    exercise_id = fields.Integer(allow_none=True, metadata={"description": "None for the version's own phase or notes."})
    exercise_name = fields.String(allow_none=True)
    field = fields.String(allow_none=True, metadata={"description": "The changed field; None when an exercise was added or removed."})
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)


class ProgramVersionOut(Schema):
    id = fields.Integer()
    number = fields.Integer()
    phase = fields.String()
    notes = fields.String()
    created_at = Instant()
    created_by = fields.String(allow_none=True)
    created_by_role = fields.String(
        allow_none=True, metadata={"description": "therapist, admin or patient; None when the account is gone."})
    items = fields.List(fields.Nested(PrescriptionOut))
    changes = fields.List(fields.Nested(VersionChangeOut),
                          metadata={"description": "What changed against the previous version."})


class ProgramOut(Schema):
    current = fields.Nested(ProgramVersionOut, allow_none=True)
    history = fields.List(fields.Nested(ProgramVersionOut))


class OfferOut(Schema):
    """A step the patient may take on their own now (``hep.programs.self_progress``)."""

    direction = fields.String(metadata={"enum": ["harder", "easier"]})
    how = fields.String(metadata={"enum": ["reps", "hold", "exercise"]})
    exercise_id = fields.Integer()
    exercise_name = fields.String()
    reps = fields.Integer()
    hold_seconds = fields.Integer()


class TodayItemOut(Schema):
    prescription_id = fields.Integer()
    exercise = fields.Nested(ExerciseOut)
    dose = fields.Nested(DoseOut)
    done_today = fields.Integer()
    target_today = fields.Integer()
    offer = fields.Nested(OfferOut, allow_none=True,
                          metadata={"description": "The step on offer (accept it at POST /today/{prescription_id}/progress); null: none."})


class StepIn(Schema):
    """Accept the step on offer for one prescription."""

    id = fields.UUID(required=True, metadata={"description": "Client id: a replay returns the version made."})
    direction = fields.String(required=True, validate=validate.OneOf(["harder", "easier"]))


class TodayOut(Schema):
    date = fields.Date()
    timezone = fields.String()
    phase = fields.String(allow_none=True)
    version = fields.Integer(allow_none=True, metadata={
        "description": "The current program version's number; a new one is shown at GET /program."})
    notes = fields.String(metadata={"description": "The therapist's notes for the patient on the current program."})
    items = fields.List(fields.Nested(TodayItemOut))
    checkin_due = fields.Boolean()
    checkin_today = fields.Nested("CheckInOut", allow_none=True,
                                  metadata={"description": "This morning's check-in, to show or change"})
