"""Assessments, the fear hierarchy, exposure sessions, questionnaires, per-patient settings,
and the therapist's summary."""
from __future__ import annotations

import dataclasses
import typing

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from hep.clinical import ClinicalSettings, SettingsError
from hep.clinical.rules import Status
from hep.schemas.alerts import AlertOut
from hep.schemas.fields import ClientId, Instant, IsoDate, MappingOut, Real, RecordId

_rating = lambda **kw: fields.Integer(strict=True, validate=validate.Range(0, 100), **kw)  # noqa: E731


def _data_property(spec) -> dict:
    """One ``ASSESSMENT_FIELDS`` entry as JSON Schema (for the OpenAPI document only)."""
    kinds = {"bool": {"type": "boolean"}, "int": {"type": "integer", "minimum": spec.minimum, "maximum": spec.maximum},
             "choice": {"type": "string", "enum": list(spec.choices)},
             "multi": {"type": "array", "uniqueItems": True, "items": {"type": "string", "enum": list(spec.choices)}},
             "text": {"type": "string", "maxLength": spec.maximum},
             "list": {"type": "array", "minItems": spec.minimum, "maxItems": spec.maximum, "items": {"type": "string"}}}
    return {**kinds[spec.kind], "nullable": True, "description": spec.title + (" (older assessments)" if spec.legacy else "")}


def _data_schema() -> dict:
    from hep.clinical import ASSESSMENT_FIELDS

    return {"description": "The assessment's fields (hep.clinical.ASSESSMENT_FIELDS); null or absent: not assessed.",
            "properties": {spec.name: _data_property(spec) for spec in ASSESSMENT_FIELDS},
            "additionalProperties": False}


class AssessmentIn(Schema):
    kind = fields.String(load_default="initial", validate=validate.OneOf(("initial", "reassessment")))
    assessed_on = fields.Date(required=True)
    # Checked field by field against hep.clinical.ASSESSMENT_FIELDS (errors as data.<field>);
    # the OpenAPI document shows the same spec.
    data = fields.Dict(keys=fields.String(), required=True, metadata=_data_schema())


class AssessmentOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    assessed_on = fields.Date()
    data = fields.Dict()
    red_flags = fields.List(fields.String())
    created_at = Instant()


class FieldChangeOut(Schema):
    name = fields.String()
    label = fields.String()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    direction = fields.String()


class ComparisonOut(Schema):
    before = fields.Nested(AssessmentOut)
    after = fields.Nested(AssessmentOut)
    changes = fields.List(fields.Nested(FieldChangeOut))


class CompareQuery(Schema):
    before = RecordId()
    after = RecordId()


class HierarchyItemIn(Schema):
    activity = fields.String(required=True, validate=validate.Length(min=1, max=200))
    harm_rating = _rating(required=True)


class ExposureSessionIn(Schema):
    """Before the session: the feared outcome, how likely it is (0-100) and fear now; after it:
    whether the outcome happened, fear now, and whether a safety behaviour was used."""

    id = ClientId(required=True)
    performed_at = Instant(required=True)
    feared_outcome = fields.String(required=True, validate=validate.Length(min=1, max=500),
                                   metadata={"description": 'What the patient fears will happen ("my back will give way").'})
    prediction = _rating(required=True, metadata={"description": "How likely the feared outcome is, 0-100 %, asked before."})
    fear_before = _rating(required=True)
    outcome_happened = fields.Boolean(required=True)
    fear_after = _rating(required=True)
    safety_behaviour = fields.Boolean(required=True, metadata={
        "description": "Whether a safety behaviour (bracing, a brace, holding on, a pill first) was used."})
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class ExposureSessionOut(Schema):
    id = fields.String()
    item_id = fields.Integer(attribute="item_id")
    performed_at = Instant()
    feared_outcome = fields.String()
    prediction = fields.Integer(allow_none=True, metadata={"description": "null: stored before predictions were asked."})
    fear_before = fields.Integer()
    outcome_happened = fields.Boolean(allow_none=True)
    fear_after = fields.Integer()
    safety_behaviour = fields.Boolean(allow_none=True)
    note = fields.String()
    meaningful_change = fields.Boolean()
    expected_versus_actual = fields.String(metadata={"description": '"expected 70 % likely; it did not happen"'})


class MasteryReasonOut(Schema):
    code = fields.String(validate=validate.OneOf(("sessions", "prediction_low", "prediction_fell", "outcome_absent",
                                                  "no_safety_behaviour", "fear_before_down")))
    met = fields.Boolean()
    detail = fields.String()
    values = fields.Dict(keys=fields.String())


class HierarchyItemOut(Schema):
    id = fields.Integer()
    activity = fields.String()
    harm_rating = fields.Integer()
    rank = fields.Integer()
    status = fields.String(validate=validate.OneOf(("not_started", "in_progress", "mastered")))
    mastered = fields.Boolean()
    reasons = fields.List(fields.Nested(MasteryReasonOut), metadata={"description": "Every mastery condition, met or not."})
    recent = fields.List(fields.Nested(ExposureSessionOut), metadata={"description": "The latest sessions, newest first."})
    sessions = fields.List(fields.Nested(ExposureSessionOut), metadata={"description": "Every session, oldest first."})


class NextExposureItemOut(Schema):
    id = fields.Integer()
    activity = fields.String()
    status = fields.String()
    reasons = fields.List(fields.Nested(MasteryReasonOut), metadata={"description": "The conditions not met yet."})


class ExposureSummaryOut(Schema):
    items = fields.Integer()
    not_started = fields.Integer()
    in_progress = fields.Integer()
    mastered = fields.Integer()
    next_item = fields.Nested(NextExposureItemOut, allow_none=True)
    last_session_at = Instant(allow_none=True)


class QuestionnaireResponseIn(Schema):
    id = ClientId(required=True)
    answers = fields.Dict(keys=fields.String(), values=fields.Integer(strict=True), required=True)
    items = fields.List(fields.String(validate=validate.Length(min=1, max=200)), load_default=None)


class ScoreOut(Schema):
    """A scored response (``hep.clinical.Score.to_dict``); None where answers are missing."""

    total = fields.Float(allow_none=True)
    subscales = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True))
    interpretation = fields.List(fields.String(), metadata={"description": '"<scale>:<label>" per cut-off met'})
    complete = fields.Boolean()


class QuestionnaireResponseOut(Schema):
    id = fields.String()
    instrument = fields.String()
    answers = fields.Dict(keys=fields.String(), values=fields.Integer())
    items = fields.List(fields.String(), allow_none=True)
    score = fields.Nested(ScoreOut)
    recorded_at = Instant()


_anchors = lambda: fields.Dict(keys=fields.String(), values=fields.String(),  # noqa: E731
                               metadata={"description": "value -> label"})


class QuestionnaireItemOut(Schema):
    id = fields.String()
    text = fields.String()
    min = fields.Integer()
    max = fields.Integer()
    anchors = _anchors()


class PatientItemsOut(Schema):
    """For templates such as PSFS: the patient names ``min_count``..``max_count`` activities
    and rates each ``min``..``max``."""

    min_count = fields.Integer()
    max_count = fields.Integer()
    min = fields.Integer()
    max = fields.Integer()
    prompt = fields.String()
    anchors = _anchors()


class QuestionnaireOut(Schema):
    """An instrument's definition as a client shows it (``hep.care.outcomes.definition``)."""

    code = fields.String()
    name = fields.String()
    version = fields.String()
    instructions = fields.String()
    licence = fields.String()
    items = fields.List(fields.Nested(QuestionnaireItemOut))
    patient_items = fields.Nested(PatientItemsOut, metadata={"description": "Only for templates the patient fills in."})
    language = fields.String(metadata={"description": "The language of the texts (a translation only where the licence allows)."})
    english_only = fields.Boolean(metadata={"description": "Another language was asked for; this one is shown in English only."})
    translation_allowed = fields.Boolean()


class ScoreChangeOut(Schema):
    delta = fields.Float()
    meaningful = fields.Boolean(allow_none=True, metadata={"description": "None: the instrument gives no minimal important change."})
    direction = fields.String(validate=validate.OneOf(("better", "worse", "same", "changed")))


class ResponseHistoryOut(Schema):
    id = fields.String()
    recorded_at = Instant()
    score = fields.Nested(ScoreOut)
    items = fields.List(fields.String(), allow_none=True)


class MeasureHistoryOut(Schema):
    responses = fields.List(fields.Nested(ResponseHistoryOut), metadata={"description": "Oldest first."})
    change = fields.Nested(ScoreChangeOut, allow_none=True, metadata={"description": "First -> latest total; None with fewer than two."})


class QuestionnaireHistoryOut(MappingOut):
    """Instrument code -> the patient's responses to it and the change first -> latest."""

    mapping_of = MeasureHistoryOut


class ChangeLineOut(Schema):
    """One line baseline -> latest (``hep.clinical.outcome_review.Change``)."""

    baseline = fields.Float(allow_none=True)
    latest = fields.Float(allow_none=True)
    change = fields.Float(allow_none=True)
    meaningful = fields.Boolean(allow_none=True, metadata={"description": "None: no change line, or fewer than two ratings."})
    direction = fields.String(allow_none=True)


class ActivityLineOut(ChangeLineOut):
    """A PSFS activity with its own line from the day it was first named."""

    activity = fields.String()
    first_on = IsoDate()
    ratings = fields.List(fields.Integer())
    in_baseline = fields.Boolean(metadata={"description": "Named at the first administration."})


class OutcomeOut(Schema):
    """One measure over time (``MeasureReview.to_dict``): the main line is the total, or for
    PSFS the mean over the re-rated baseline activities; ``meaningful`` also counts a single
    PSFS activity changing by 3; ``labels`` are the latest response's cut-off labels."""

    code = fields.String()
    name = fields.String()
    first_on = IsoDate()
    latest_on = IsoDate()
    count = fields.Integer()
    baseline = fields.Float(allow_none=True)
    latest = fields.Float(allow_none=True)
    change = fields.Float(allow_none=True)
    meaningful = fields.Boolean(allow_none=True)
    direction = fields.String(allow_none=True)
    improved = fields.Boolean(metadata={"description": "A meaningful change in the better direction."})
    labels = fields.List(fields.String(), metadata={"description": '"<scale>:<label>", e.g. "work:elevated"'})
    scales = fields.Dict(keys=fields.String(), values=fields.Nested(ChangeLineOut))
    activities = fields.List(fields.Nested(ActivityLineOut))
    reason = fields.String()


class ActivityOut(Schema):
    activity = fields.String()
    first_on = IsoDate()
    baseline = fields.Integer(metadata={"description": "The first rating."})
    latest = fields.Integer(metadata={"description": "The latest rating."})


class ActivitiesOut(Schema):
    """The activities the patient named last time, to re-rate (empty before the first time)."""

    activities = fields.List(fields.Nested(ActivityOut))


class SummaryQuery(Schema):
    days = fields.Integer(load_default=28, validate=validate.Range(1, 366))


# -- per-patient settings: generated from the engine's ClinicalSettings dataclass --------------

_WHOLE = {"invalid": "Must be a whole number.", "null": "Must be a number."}
_NUMBER = {"invalid": "Must be a number.", "null": "Must be a number."}


def _setting_fields(for_input: bool) -> dict[str, fields.Field]:
    """One field per ``ClinicalSettings`` field: ``int`` -> strict Integer, ``float`` -> a
    number (whole or not). Bounds and consistency stay in ``ClinicalSettings``."""
    hints = typing.get_type_hints(ClinicalSettings)
    out: dict[str, fields.Field] = {}
    for f in dataclasses.fields(ClinicalSettings):
        kind = hints[f.name]
        meta = {"description": f"Default {f.default:g}."}
        if kind is int:
            out[f.name] = (fields.Integer(strict=True, error_messages=_WHOLE, metadata=meta) if for_input
                           else fields.Integer(metadata=meta))
        elif kind is float:
            out[f.name] = Real(error_messages=_NUMBER, metadata=meta) if for_input else fields.Float(metadata=meta)
        else:
            raise TypeError(f"ClinicalSettings.{f.name}: no schema field for {kind!r}; add one here.")
    return out


class _SettingsIn(Schema):
    """The patient's threshold overrides, setting -> value (any subset; none = all defaults)."""

    error_messages = {"unknown": "Unknown setting.", "type": "Send an object of setting -> value."}
    body_required = True  # no body is refused, not read as {} (= reset all); hep.api.common.Parser

    @validates_schema(skip_on_field_errors=False)
    def _in_range(self, data, **_kwargs):
        # The engine's range and consistency checks, so one 422 names every bad setting
        # (unknown keys and wrong types above, bounds here). The service checks again.
        try:
            ClinicalSettings.from_overrides(data)
        except SettingsError as exc:
            raise ValidationError(exc.errors) from None


SettingsIn = _SettingsIn.from_dict(_setting_fields(for_input=True), name="SettingsIn")
ClinicalSettingsOut = Schema.from_dict(_setting_fields(for_input=False), name="ClinicalSettingsOut")


class SettingsOut(Schema):
    settings = fields.Nested(ClinicalSettingsOut, metadata={"description": "Every threshold in force."})
    overrides = fields.Nested(ClinicalSettingsOut, metadata={"description": "Only those set for this patient."})


# -- the therapist's summary (hep.care.summary.summary_view) ------------------------------------


def _one_of(literal) -> validate.OneOf:
    return validate.OneOf(typing.get_args(literal))


class AdherenceWeekOut(Schema):
    iso_year = fields.Integer()
    iso_week = fields.Integer()
    start = IsoDate()
    end = IsoDate()
    prescribed_sessions = fields.Integer()
    completed_sessions = fields.Integer()
    percent = fields.Float(allow_none=True)


class PrescriptionAdherenceOut(Schema):
    start = IsoDate()
    end = IsoDate()
    prescribed_sessions = fields.Integer()
    completed_sessions = fields.Integer()
    session_percent = fields.Float(allow_none=True, metadata={"description": "None: nothing prescribed."})
    dose_percent = fields.Float(allow_none=True)
    weeks = fields.List(fields.Nested(AdherenceWeekOut))


class AdherenceOut(Schema):
    session_percent = fields.Float(allow_none=True)
    prescriptions = fields.Dict(keys=fields.String(metadata={"description": "prescription id"}),
                                values=fields.Nested(PrescriptionAdherenceOut))


class PainPointOut(Schema):
    date = IsoDate()
    pain_during_mean = fields.Float(allow_none=True)
    pain_during_max = fields.Integer(allow_none=True)
    pain_after_max = fields.Integer(allow_none=True)
    morning_pain = fields.Integer(allow_none=True)
    distal_symptom = fields.String(allow_none=True)
    back_pain = fields.Integer(allow_none=True, metadata={"description": "Morning back pain (0-10), when rated."})
    leg_pain = fields.Integer(allow_none=True, metadata={"description": "Morning leg pain (0-10), when rated."})


class MonitoringDaysOut(Schema):
    """The current RTM 30-day period (the window is the period, not a rolling 30 days)."""

    count = fields.Integer(metadata={"description": "Days of data in the current period."})
    window_start = IsoDate(metadata={"description": "The current period's first day."})
    window_end = IsoDate(metadata={"description": "The current period's last day."})
    band = fields.String(allow_none=True, metadata={"description": "Day band reached, e.g. 16-30."})
    codes = fields.List(fields.String())
    dates = fields.List(IsoDate())
    period_number = fields.Integer(allow_none=True)
    day_of_period = fields.Integer(allow_none=True)
    code = fields.String(allow_none=True, metadata={"description": "The one day code that applies."})
    reason = fields.String()
    period_start = fields.String(metadata={"description": "first_data_day or program_start."})


class ReasonOut(Schema):
    rule = fields.String()
    status = fields.String(validate=_one_of(Status))
    detail = fields.String()
    evidence = fields.List(fields.String())
    values = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True),
                         metadata={"description": "The figures the rule compared."})


class RecommendationOut(Schema):
    prescription_id = fields.Integer(allow_none=True)
    exercise_name = fields.String(allow_none=True)
    status = fields.String(validate=_one_of(Status))
    reasons = fields.List(fields.Nested(ReasonOut))


class SummaryOut(Schema):
    start = IsoDate()
    end = IsoDate()
    phase = fields.String(allow_none=True)
    adherence = fields.Nested(AdherenceOut)
    pain_series = fields.List(fields.Nested(PainPointOut))
    monitoring_days = fields.Nested(MonitoringDaysOut)
    alerts = fields.List(fields.Nested(AlertOut))
    recommendations = fields.List(fields.Nested(RecommendationOut))
    exposure = fields.Nested(ExposureSummaryOut)
    settings = fields.Nested(ClinicalSettingsOut)
    outcomes = fields.Dict(keys=fields.String(), values=fields.Nested(OutcomeOut),
                           metadata={"description": "Instrument code -> the measure over time."})
