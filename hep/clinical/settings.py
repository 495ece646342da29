"""Per-patient clinical thresholds, with the defaults from CLINICAL.md.

Every number a rule uses lives here, so a therapist can change it for one patient. The API
layer stores only the overrides (a JSON object) and rebuilds the settings with
:meth:`ClinicalSettings.from_overrides`, which rejects unknown keys, wrong types, values out of
range and inconsistent combinations with :class:`SettingsError`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any


class SettingsError(ValueError):
    """Invalid overrides; ``errors`` maps a field name (or ``_schema``) to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in sorted(errors.items())))
        self.errors = errors


# field -> (type, minimum, maximum); bounds inclusive.
_BOUNDS: dict[str, tuple[type, float, float]] = {
    "pain_during_progress_max": (int, 0, 10),
    "pain_during_regress_above": (int, 0, 10),
    "min_sessions": (int, 1, 14),
    "adherence_target_percent": (float, 0, 100),
    "min_reps_in_reserve": (int, 0, 10),
    "weekly_volume_increase_cap_percent": (float, 0, 100),
    "morning_pain_rise_points": (float, 0.5, 10),
    "lookback_days": (int, 14, 90),
    "exposure_fear_mastery_max": (int, 0, 100),
    "exposure_mastery_sessions": (int, 1, 20),
    "exposure_meaningful_change_points": (int, 1, 100),
    "no_logs_alert_days": (int, 1, 90),
    "low_adherence_alert_percent": (float, 0, 100),
}


@dataclass(frozen=True)
class ClinicalSettings:
    """Thresholds for one patient (defaults: CLINICAL.md).

    - pain during a session: ``<= pain_during_progress_max`` allows progress, above it up to
      ``pain_during_regress_above`` holds (4-5), above that regresses (> 5);
    - ``min_sessions``: sessions in the lookback window needed before progressing; also how
      many of the latest sessions the pain and effort rules look at;
    - ``min_reps_in_reserve``: progress only when effort (RPE) <= 10 - this value (2 -> RPE 8);
    - ``morning_pain_rise_points``: mean morning pain of the last 7 days minus the 7 days before
      that, at or above which morning pain counts as rising week on week;
    - ``lookback_days``: the window of local days the rules read (at least 14, two weeks);
    - exposure: an item is mastered when fear after is ``<= exposure_fear_mastery_max`` on the
      last ``exposure_mastery_sessions`` sessions; a change of more than
      ``exposure_meaningful_change_points`` is meaningful;
    - alerts: no logs for ``no_logs_alert_days`` days, adherence below
      ``low_adherence_alert_percent``.
    """

    pain_during_progress_max: int = 3
    pain_during_regress_above: int = 5
    min_sessions: int = 2
    adherence_target_percent: float = 80.0
    min_reps_in_reserve: int = 2
    weekly_volume_increase_cap_percent: float = 20.0
    morning_pain_rise_points: float = 1.0
    lookback_days: int = 14
    exposure_fear_mastery_max: int = 20
    exposure_mastery_sessions: int = 3
    exposure_meaningful_change_points: int = 20
    no_logs_alert_days: int = 3
    low_adherence_alert_percent: float = 50.0

    def __post_init__(self) -> None:
        errors = _validate(self.to_dict())
        if errors:
            raise SettingsError(errors)

    @property
    def max_effort_for_progress(self) -> int:
        """The highest RPE that still leaves ``min_reps_in_reserve`` reps in reserve."""
        return 10 - self.min_reps_in_reserve

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any] | None,
                       base: ClinicalSettings | None = None) -> ClinicalSettings:
        """Defaults (or ``base``) with ``overrides`` applied; raises :class:`SettingsError`."""
        base = base or cls()
        overrides = dict(overrides or {})
        errors: dict[str, list[str]] = {}
        known = {f.name for f in fields(cls)}
        for key in overrides:
            if key not in known:
                errors.setdefault(str(key), []).append("Unknown setting.")
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


def _validate(values: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, (kind, low, high) in _BOUNDS.items():
        value = values[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            errors[name] = ["Must be a number."]
        elif kind is int and not isinstance(value, int):
            errors[name] = ["Must be a whole number."]
        elif value != value or not low <= value <= high:
            errors[name] = [f"Must be between {low:g} and {high:g}."]
    if errors:
        return errors
    if values["pain_during_progress_max"] >= values["pain_during_regress_above"]:
        errors["pain_during_progress_max"] = [
            "Must be below pain_during_regress_above (the hold band would be empty)."]
    if values["low_adherence_alert_percent"] > values["adherence_target_percent"]:
        errors["low_adherence_alert_percent"] = ["Must not exceed adherence_target_percent."]
    return errors
