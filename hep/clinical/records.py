"""The logs the clinical engine reads: a prescribed dose, completions and morning check-ins.

Plain frozen values, validated on construction (``ValueError`` with a readable message), so
every rule downstream can trust its input. The database layer builds them from its rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from hep.timeutil import local_date

from .limits import DOSE_LIMITS

Settled = Literal["yes", "partly", "no"]
LoadUnit = Literal["kg", "lb"]
AlertLevel = Literal["emergency", "urgent", "warning", "caution"]
#: The fewest sets that make a logged session a session done. A log with 0 sets (the
#: patient stopped before the first set, or logged only the pain) keeps its ratings for
#: the clinical rules but is no session: it counts for no target, adherence or streak.
MIN_SETS_FOR_SESSION = 1
#: Kilograms in one pound (exact by definition).
KG_PER_LB = 0.45359237
DistalSymptom = Literal["none", "back", "buttock", "thigh", "below_knee", "foot"]

#: The most distal symptom as an ordinal: a higher index is further down the leg.
DISTAL_ORDER: tuple[DistalSymptom, ...] = get_args(DistalSymptom)
SETTLED_CHOICES: tuple[Settled, ...] = get_args(Settled)
LOAD_UNITS: tuple[LoadUnit, ...] = get_args(LoadUnit)
ALERT_LEVELS: tuple[AlertLevel, ...] = get_args(AlertLevel)


def _check_int(name: str, value: object, low: int, high: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        upper = "" if high is None else f"..{high}"
        raise ValueError(f"{name} must be in {low}{upper}, got {value}")


@dataclass(frozen=True)
class Dose:
    """What one prescription asks for.

    ``frequency_per_day`` sessions on each ISO weekday in ``days_of_week`` (1 = Monday .. 7);
    each session is ``sets`` x ``reps``, each rep held ``hold_seconds`` (0 = no hold).
    ``load_value`` with ``load_unit`` (``kg`` or ``lb``) is an external weight; None for body
    weight, bands and the like (a free-text load stays outside the engine).
    """

    sets: int
    reps: int
    hold_seconds: int = 0
    frequency_per_day: int = 1
    days_of_week: frozenset[int] = frozenset(range(1, 8))
    load_value: float | None = None
    load_unit: LoadUnit | None = None

    def __post_init__(self) -> None:
        for name in ("sets", "reps", "hold_seconds", "frequency_per_day"):
            _check_int(name, getattr(self, name), *DOSE_LIMITS[name])
        days = frozenset(self.days_of_week)
        if not days or not days <= frozenset(range(1, 8)):
            raise ValueError(f"days_of_week must be a non-empty subset of 1..7, got {sorted(days)}")
        object.__setattr__(self, "days_of_week", days)
        if self.load_value is not None:
            if (isinstance(self.load_value, bool) or not isinstance(self.load_value, (int, float))
                    or not 0 <= self.load_value <= 1000 or self.load_value != self.load_value):
                raise ValueError(f"load_value must be a number in 0..1000, got {self.load_value!r}")
            if self.load_unit not in LOAD_UNITS:
                raise ValueError(f"load_unit must be one of {LOAD_UNITS}, got {self.load_unit!r}")
        elif self.load_unit is not None:
            raise ValueError("load_unit needs a load_value")

    @property
    def load_kg(self) -> float | None:
        """The external load in kilograms (pounds converted), or None."""
        if self.load_value is None:
            return None
        return float(self.load_value) * (KG_PER_LB if self.load_unit == "lb" else 1.0)

    def sessions_on(self, day: date) -> int:
        """Sessions prescribed on a local calendar day."""
        return self.frequency_per_day if day.isoweekday() in self.days_of_week else 0


@dataclass(frozen=True)
class CompletionRecord:
    """One logged session of one prescription.

    ``performed_at`` is an aware instant. Pain ratings are NPRS 0-10; ``effort`` is RPE 0-10,
    and reps in reserve ~= 10 - effort (Helms et al. 2016).
    """

    id: str
    prescription_id: int
    performed_at: datetime
    sets_done: int
    reps_done: int
    pain_during: int
    pain_after: int
    effort: int

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ValueError("id must be a non-empty string")
        if self.performed_at.tzinfo is None or self.performed_at.utcoffset() is None:
            raise ValueError("performed_at must be timezone-aware")
        _check_int("prescription_id", self.prescription_id, 0)
        _check_int("sets_done", self.sets_done, 0, 100)
        _check_int("reps_done", self.reps_done, 0, 1000)
        for name in ("pain_during", "pain_after", "effort"):
            _check_int(name, getattr(self, name), 0, 10)

    @property
    def reps_in_reserve(self) -> int:
        return 10 - self.effort

    @property
    def is_session(self) -> bool:
        """Counts as a session done (at least :data:`MIN_SETS_FOR_SESSION` sets)."""
        return self.sets_done >= MIN_SETS_FOR_SESSION

    def local_date(self, tz: ZoneInfo) -> date:
        return local_date(self.performed_at, tz)

    def sort_key(self) -> tuple[datetime, str]:
        """Chronological, ties broken by id, so results never depend on input order."""
        return (self.performed_at, self.id)


@dataclass(frozen=True)
class CheckInRecord:
    """The next-morning check-in; ``date`` is the patient-local morning it was answered for.

    ``morning_pain`` is the overall rating (kept for older clients); ``back_pain`` and
    ``leg_pain`` (0-10) are optional. ``weakness_worse`` ("new trouble lifting your foot,
    walking on your heels or toes, or tripping") and ``both_legs`` (symptoms in both legs) are
    emergencies like ``red_flag_change``; ``new_numbness_or_weakness`` is a warning.
    """

    id: str
    date: date
    morning_pain: int
    settled: Settled
    distal_symptom: DistalSymptom
    new_numbness_or_weakness: bool = False
    red_flag_change: bool = False
    back_pain: int | None = None
    leg_pain: int | None = None
    weakness_worse: bool = False
    both_legs: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ValueError("id must be a non-empty string")
        if isinstance(self.date, datetime) or not isinstance(self.date, date):
            raise ValueError("date must be a date (the local morning)")
        _check_int("morning_pain", self.morning_pain, 0, 10)
        if self.settled not in SETTLED_CHOICES:
            raise ValueError(f"settled must be one of {SETTLED_CHOICES}, got {self.settled!r}")
        if self.distal_symptom not in DISTAL_ORDER:
            raise ValueError(f"distal_symptom must be one of {DISTAL_ORDER}, got {self.distal_symptom!r}")
        for name in ("back_pain", "leg_pain"):
            if getattr(self, name) is not None:
                _check_int(name, getattr(self, name), 0, 10)
        for name in ("new_numbness_or_weakness", "red_flag_change", "weakness_worse", "both_legs"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be a boolean")

    @property
    def emergency(self) -> bool:
        """A red-flag answer: possible cauda equina, weakness getting worse, both legs."""
        return self.red_flag_change or self.weakness_worse or self.both_legs

    @property
    def distal_rank(self) -> int:
        """0 (none) .. 5 (foot): further down the leg is higher."""
        return DISTAL_ORDER.index(self.distal_symptom)

    @property
    def after_day(self) -> date:
        """The day whose activity this morning reports on."""
        return self.date - timedelta(days=1)

    def sort_key(self) -> tuple[date, str]:
        return (self.date, self.id)


@dataclass(frozen=True)
class OpenAlert:
    """A stored alert that is open (not yet resolved) for the patient, as the caller knows it.

    An ``emergency`` or ``urgent`` one stops every prescription until it is resolved. A level
    stored before the four tiers (``info``) reads as ``caution``.
    """

    level: AlertLevel
    code: str
    id: str | None = None
    date: date | None = None

    def __post_init__(self) -> None:
        if self.level == "info":
            object.__setattr__(self, "level", "caution")
        if self.level not in ALERT_LEVELS:
            raise ValueError(f"level must be one of {ALERT_LEVELS}, got {self.level!r}")
        if not isinstance(self.code, str) or not self.code:
            raise ValueError("code must be a non-empty string")

    @property
    def stops(self) -> bool:
        return self.level in ("emergency", "urgent")
