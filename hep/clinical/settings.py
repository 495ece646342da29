"""Per-patient clinical thresholds, with the defaults from CLINICAL.md.

Every number a rule uses lives here, so a therapist can change it for one patient. The API
layer stores only the overrides (a JSON object) and rebuilds the settings with
:meth:`ClinicalSettings.from_overrides`, which rejects unknown keys, wrong types, values out of
range and inconsistent combinations with :class:`SettingsError`. Keys that earlier versions
stored and that no longer exist (:data:`LEGACY_KEYS`) are mapped or dropped, never refused, so
stored overrides stay readable.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from .messages import Message


class SettingsError(ValueError):
    """Invalid overrides; ``errors`` maps a field name (or ``_schema``) to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in sorted(errors.items())))
        self.errors = errors


# field -> (type, minimum, maximum); bounds inclusive.
_BOUNDS: dict[str, tuple[type, float, float]] = {
    "pain_during_progress_max": (int, 0, 10),
    "pain_during_regress_above": (int, 0, 10),
    "pain_after_progress_max": (int, 0, 10),
    "pain_after_regress_above": (int, 0, 10),
    "progress_share_percent": (float, 0, 100),
    "min_sessions": (int, 1, 14),
    "min_checkins": (int, 1, 14),
    "adherence_target_percent": (float, 0, 100),
    "min_reps_in_reserve": (int, 0, 10),
    "weekly_volume_increase_cap_percent": (float, 0, 100),
    "dose_step_percent": (float, 1, 50),
    "morning_rise_points": (float, 0.5, 10),
    "morning_reference_mornings": (int, 3, 14),
    "morning_reference_min": (int, 1, 14),
    "window_days": (int, 3, 28),
    "recent_days": (int, 1, 14),
    "trend_days": (int, 7, 90),
    "trend_min_span_days": (int, 3, 90),
    "trend_slope_per_week": (float, 0.1, 10),
    "resolution_hold_days": (int, 0, 14),
    "exposure_prediction_mastery_max": (int, 0, 100),
    "exposure_prediction_drop_points": (int, 1, 100),
    "exposure_mastery_window": (int, 2, 20),
    "exposure_mastery_min_sessions": (int, 2, 20),
    "exposure_fear_before_max": (int, 0, 100),
    "exposure_meaningful_change_points": (int, 1, 100),
    "no_logs_alert_days": (int, 1, 90),
    "no_checkin_alert_days": (int, 1, 30),
    "low_adherence_alert_percent": (float, 0, 100),
    "not_improving_review_week": (int, 1, 52),
}

#: Keys stored by earlier versions: mapped to their successor, or None (dropped: the rule they
#: tuned is gone, and their old value would mean something else now).
#: ``lookback_days`` (14-90, the old window) becomes ``trend_days``; ``morning_pain_rise_points``
#: (a week-on-week rise of the mean) has no successor: the morning rule now compares each
#: morning with the patient's own median (``morning_rise_points``).
#: ``exposure_fear_mastery_max`` and ``exposure_mastery_sessions`` tuned mastery on fear after
#: alone; mastery now reads the patient's predictions (``exposure_prediction_*``).
LEGACY_KEYS: dict[str, str | None] = {
    "lookback_days": "trend_days",
    "morning_pain_rise_points": None,
    "exposure_fear_mastery_max": None,
    "exposure_mastery_sessions": None,
}


@dataclass(frozen=True)
class ClinicalSettings:
    """Thresholds for one patient (defaults and sources: CLINICAL.md, docs/clinical.md).

    The window: the rules read every session and morning since the current dose, at most
    ``window_days`` (7) local days ending today; ``recent_days`` (3) of those are "recent".

    - pain during a session: ``<= pain_during_progress_max`` (3) allows progress, above it up to
      ``pain_during_regress_above`` (5) holds when recent, above that (> 5) regresses on two
      sessions in the window (or once with an unsettled morning after it) and holds once;
    - pain after a session: the same with ``pain_after_progress_max`` (3) and
      ``pain_after_regress_above`` (5);
    - ``progress_share_percent`` (80): share of the window's sessions that must be at or under
      the progress lines (during and after) to progress;
    - ``min_sessions`` (3) and ``min_checkins`` (3): logged at the current dose before
      progressing;
    - ``min_reps_in_reserve`` (2): on loaded exercises, progress only when effort (RPE) <= 10 -
      this value (2 -> RPE 8);
    - the morning rating: ``morning_rise_points`` (2) or more above the median of the previous
      ``morning_reference_mornings`` (7) mornings, once holds; on two mornings in a row, or on
      3 of the last 5, regresses. With fewer than ``morning_reference_min`` (5) previous
      mornings (the first week), the reference is the median of those there are and the
      baseline (e.g. the assessment's rating) when one is given;
    - trends: a least-squares slope of pain during or after of at least
      ``trend_slope_per_week`` (1.0 point a week) over the sessions of the last ``trend_days``
      (14), spanning at least ``trend_min_span_days`` (10), holds;
    - ``resolution_hold_days`` (3): days of new data after a resolved alert during which
      nothing progresses;
    - ``weekly_volume_increase_cap_percent`` (20): the weekly-volume rise that needs the
      therapist's confirmation;
    - ``dose_step_percent`` (10): applying a progress (or regress) to an exercise with no harder
      (or easier) neighbour raises (or lowers) its hold, or its reps, by this share
      (``hep.clinical.dose_step``);
    - exposure (hep.clinical.exposure): an item is mastered when, over its latest
      ``exposure_mastery_window`` (3) sessions with a prediction (at least
      ``exposure_mastery_min_sessions``, 2), the predicted likelihood of the feared outcome fell
      by ``exposure_prediction_drop_points`` (20) or more to at most
      ``exposure_prediction_mastery_max`` (25), and in the latest session the outcome did not
      happen, no safety behaviour was used and fear before was at most
      ``exposure_fear_before_max`` (50); a fear change of more than
      ``exposure_meaningful_change_points`` (20) within a session is meaningful;
    - alerts: no logs for ``no_logs_alert_days`` (3) days, sessions but no check-in for
      ``no_checkin_alert_days`` (3) days (this also holds), adherence below
      ``low_adherence_alert_percent`` (50);
    - outcome measures: ``not_improving`` (caution) when no measure with a meaningful-change
      line has improved meaningfully ``not_improving_review_week`` (6) weeks after the first
      one was answered.
    """

    pain_during_progress_max: int = 3
    pain_during_regress_above: int = 5
    pain_after_progress_max: int = 3
    pain_after_regress_above: int = 5
    progress_share_percent: float = 80.0
    min_sessions: int = 3
    min_checkins: int = 3
    adherence_target_percent: float = 80.0
    min_reps_in_reserve: int = 2
    weekly_volume_increase_cap_percent: float = 20.0
    dose_step_percent: float = 10.0
    morning_rise_points: float = 2.0
    morning_reference_mornings: int = 7
    morning_reference_min: int = 5
    window_days: int = 7
    recent_days: int = 3
    trend_days: int = 14
    trend_min_span_days: int = 10
    trend_slope_per_week: float = 1.0
    resolution_hold_days: int = 3
    exposure_prediction_mastery_max: int = 25
    exposure_prediction_drop_points: int = 20
    exposure_mastery_window: int = 3
    exposure_mastery_min_sessions: int = 2
    exposure_fear_before_max: int = 50
    exposure_meaningful_change_points: int = 20
    no_logs_alert_days: int = 3
    no_checkin_alert_days: int = 3
    low_adherence_alert_percent: float = 50.0
    not_improving_review_week: int = 6

    def __post_init__(self) -> None:
        errors = _validate(self.to_dict())
        if errors:
            raise SettingsError(errors)

    @property
    def max_effort_for_progress(self) -> int:
        """The highest RPE that still leaves ``min_reps_in_reserve`` reps in reserve."""
        return 10 - self.min_reps_in_reserve

    @property
    def lookback_days(self) -> int:
        """The days of history the rules may read (the trend window); kept for callers that
        size their queries by it."""
        return max(self.trend_days, self.window_days)

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any] | None,
                       base: ClinicalSettings | None = None) -> ClinicalSettings:
        """Defaults (or ``base``) with ``overrides`` applied; raises :class:`SettingsError`.

        Legacy keys (:data:`LEGACY_KEYS`) are mapped to their successor unless the successor
        is given too, or dropped."""
        base = base or cls()
        overrides = _upgrade(dict(overrides or {}))
        errors: dict[str, list[str]] = {}
        known = {f.name for f in fields(cls)}
        for key in overrides:
            if key not in known:
                errors.setdefault(str(key), []).append(Message("unknown_setting"))
        merged = base.to_dict() | {k: v for k, v in overrides.items() if k in known}
        for key, messages in _validate(merged).items():
            errors.setdefault(key, []).extend(messages)
        if errors:
            raise SettingsError(errors)
        values = {k: (float(v) if _BOUNDS[k][0] is float else v) for k, v in merged.items()}
        return replace(base, **values)

    def to_dict(self) -> dict[str, int | float]:
        """All settings as a JSON-ready dict."""
        return asdict(self)

    def overrides(self) -> dict[str, int | float]:
        """Only the settings that differ from the defaults (what the API layer stores)."""
        default = ClinicalSettings().to_dict()
        return {k: v for k, v in self.to_dict().items() if default[k] != v}


def _upgrade(overrides: dict[str, Any]) -> dict[str, Any]:
    for old, new in LEGACY_KEYS.items():
        if old not in overrides:
            continue
        value = overrides.pop(old)
        if new is not None and new not in overrides:
            overrides[new] = value
    return overrides


def _validate(values: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, (kind, low, high) in _BOUNDS.items():
        value = values[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            errors[name] = [Message("number")]
        elif kind is int and not isinstance(value, int):
            errors[name] = [Message("whole_number")]
        elif value != value or not low <= value <= high:
            errors[name] = [Message("between", low=low, high=high)]
    if errors:
        return errors
    for kind in ("during", "after"):
        if values[f"pain_{kind}_progress_max"] >= values[f"pain_{kind}_regress_above"]:
            errors[f"pain_{kind}_progress_max"] = [Message("hold_band_empty", other=f"pain_{kind}_regress_above")]
    if values["low_adherence_alert_percent"] > values["adherence_target_percent"]:
        errors["low_adherence_alert_percent"] = [Message("not_above_setting", other="adherence_target_percent")]
    if values["recent_days"] > values["window_days"]:
        errors["recent_days"] = [Message("not_above_setting", other="window_days")]
    if values["trend_min_span_days"] >= values["trend_days"]:
        errors["trend_min_span_days"] = [Message("below_setting", other="trend_days")]
    if values["morning_reference_min"] > values["morning_reference_mornings"]:
        errors["morning_reference_min"] = [Message("not_above_setting", other="morning_reference_mornings")]
    if values["exposure_mastery_min_sessions"] > values["exposure_mastery_window"]:
        errors["exposure_mastery_min_sessions"] = [Message("not_above_setting", other="exposure_mastery_window")]
    return errors
