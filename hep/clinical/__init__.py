"""The pure clinical engine: pain-monitoring rules, adherence, alerts, volume caps, RTM day
counts, graded exposure, structured assessments and outcome-measure scoring.

No Flask, no database: plain frozen values in, plain frozen values out. Views and tasks import
this package; it never imports them.
"""
from .adherence import Adherence, WeekAdherence, combined_adherence, session_adherence
from .alerts import Alert, alert_level, alerts_for, red_flag_alerts
from .assessment import (
                         ASSESSMENT_FIELDS,
                         CAUDA_EQUINA_FLAGS,
                         EMERGENCY_FLAGS,
                         FIELDS_BY_NAME,
                         SECTIONS,
                         FieldChange,
                         FieldSpec,
                         RedFlagItem,
                         RedFlagScreen,
                         classify_red_flags,
                         compare_assessments,
                         red_flags_present,
                         validate_assessment,
)
from .exposure import (
    Condition,
    ExposureSession,
    HierarchyItem,
    Mastery,
    expected_versus_actual,
    mastery,
    meaningful_change,
    next_item,
    rank_hierarchy,
)
from .instruments import (
                         Instrument,
                         InstrumentError,
                         Item,
                         PatientItems,
                         Score,
                         ScoreChange,
                         ScoringError,
                         load_instruments,
                         parse_instrument,
                         score,
                         score_change,
)
from .monitoring import (
                         CurrentPeriod,
                         ManagementMonth,
                         MonitoringPeriod,
                         current_period,
                         management_month,
                         monitoring_periods,
                         period_anchor,
)
from .outcome_review import Administration, MeasureReview, not_improving, review_measure, review_outcomes
from .records import (
                         ALERT_LEVELS,
                         DISTAL_ORDER,
                         LOAD_UNITS,
                         SETTLED_CHOICES,
                         CheckInRecord,
                         CompletionRecord,
                         Dose,
                         OpenAlert,
                         local_date,
)
from .rtm_codes import RtmCodes, RtmCodesError, load_rtm_codes
from .rules import DistalMove, Reason, Recommendation, centralisation, distal_moves, recommend
from .settings import ClinicalSettings, SettingsError
from .summary import PainPoint, PatientSummary, pain_series, patient_summary
from .volume import ExerciseVolumeChange, VolumeCheck, check_program_volume, check_volume_increase, weekly_volume

__all__ = [
    "ALERT_LEVELS", "Administration", "MeasureReview", "not_improving", "review_measure",
    "review_outcomes", "LOAD_UNITS", "DistalMove", "ExerciseVolumeChange", "OpenAlert", "alert_level",
    "check_program_volume", "distal_moves", "EMERGENCY_FLAGS", "RedFlagItem", "RedFlagScreen",
    "classify_red_flags",
    "ASSESSMENT_FIELDS", "CAUDA_EQUINA_FLAGS", "DISTAL_ORDER", "FIELDS_BY_NAME", "SECTIONS",
    "SETTLED_CHOICES", "Adherence", "Alert", "CheckInRecord", "ClinicalSettings",
    "CompletionRecord", "Condition", "Dose", "ExposureSession", "FieldChange", "FieldSpec", "HierarchyItem",
    "Instrument", "InstrumentError", "Item", "Mastery",
    "CurrentPeriod", "ManagementMonth", "MonitoringPeriod", "RtmCodes", "RtmCodesError",
    "PainPoint",
    "PatientItems", "PatientSummary", "Reason", "Recommendation", "Score", "ScoreChange",
    "ScoringError", "SettingsError", "VolumeCheck", "WeekAdherence", "alerts_for",
    "centralisation", "check_volume_increase", "combined_adherence", "compare_assessments",
    "expected_versus_actual",
    "load_instruments", "local_date", "mastery", "meaningful_change",
    "current_period", "management_month", "monitoring_periods", "period_anchor",
    "load_rtm_codes",
    "next_item", "pain_series", "parse_instrument", "patient_summary", "rank_hierarchy",
    "recommend", "red_flag_alerts", "red_flags_present", "score", "score_change",
    "session_adherence", "validate_assessment", "weekly_volume",
]
