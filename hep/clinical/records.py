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
DistalSymptom = Literal["none", "back", "buttock", "thigh", "below_knee", "foot"]

#: The most distal symptom as an ordinal: a higher index is further down the leg.
DISTAL_ORDER: tuple[DistalSymptom, ...] = get_args(DistalSymptom)
SETTLED_CHOICES: tuple[Settled, ...] = get_args(Settled)


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
    """

    sets: int
    reps: int
    hold_seconds: int = 0
    frequency_per_day: int = 1
    days_of_week: frozenset[int] = frozenset(range(1, 8))

    def __post_init__(self) -> None:
        for name in ("sets", "reps", "hold_seconds", "frequency_per_day"):
            _check_int(name, getattr(self, name), *DOSE_LIMITS[name])
        days = frozenset(self.days_of_week)
        if not days or not days <= frozenset(range(1, 8)):
            raise ValueError(f"days_of_week must be a non-empty subset of 1..7, got {sorted(days)}")
        object.__setattr__(self, "days_of_week", days)

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

    def local_date(self, tz: ZoneInfo) -> date:
        return local_date(self.performed_at, tz)

    def sort_key(self) -> tuple[datetime, str]:
        """Chronological, ties broken by id, so results never depend on input order."""
        return (self.performed_at, self.id)


@dataclass(frozen=True)
class CheckInRecord:
    """The next-morning check-in; ``date`` is the patient-local morning it was answered for."""

    id: str
    date: date
    morning_pain: int
    settled: Settled
    distal_symptom: DistalSymptom
    new_numbness_or_weakness: bool = False
    red_flag_change: bool = False

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
        for name in ("new_numbness_or_weakness", "red_flag_change"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be a boolean")

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
