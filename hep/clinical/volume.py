"""Weekly volume of a dose, load (intensity) changes, and the per-patient cap on how fast the
volume may grow (CLINICAL.md: weekly volume = sets x reps x hold x sessions a day x days, times
the load where it is a weight; a rise of the load itself is flagged on its own, since 8 kg to
16 kg at half the reps is 0 % volume). The cap is a prompt for the therapist, not a law.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from .records import KG_PER_LB, Dose
from .settings import ClinicalSettings


def _load_kg(dose: Dose) -> Fraction | None:
    if dose.load_value is None:
        return None
    value = Fraction(str(dose.load_value))
    return value * Fraction(str(KG_PER_LB)) if dose.load_unit == "lb" else value


def _weekly(dose: Dose) -> Fraction:
    volume = Fraction(dose.sets * dose.reps * max(dose.hold_seconds, 1)
                      * dose.frequency_per_day * len(dose.days_of_week))
    load = _load_kg(dose)
    return volume * load if load else volume


def weekly_volume(dose: Dose) -> float:
    """Repetition-seconds per week: sets x reps x hold x sessions per day x days, times the
    load in kg where the dose has a weight (pounds converted; a zero load counts as none).

    A rep without a hold counts as one second, so adding a hold is a volume increase too.
    Without a load the result is a whole number.
    """
    value = _weekly(dose)
    return int(value) if value.denominator == 1 else float(value)


@dataclass(frozen=True)
class VolumeCheck:
    """Whether ``new`` stays within the cap; ``increase`` is a fraction (0.2 = +20 %).

    ``load_increase`` is the rise of the weight itself (kg before -> after) as a fraction, or
    None when either dose has no weight; ``load_rise`` is True when the weight rose (flagged on
    its own, whatever the volume did); ``allowed`` is False when either needs confirming."""

    allowed: bool
    old_volume: float
    new_volume: float
    increase: float
    cap_percent: float
    max_allowed_volume: float
    volume_allowed: bool = True
    old_load_kg: float | None = None
    new_load_kg: float | None = None
    load_increase: float | None = None
    load_rise: bool = False

    @property
    def increase_percent(self) -> float:
        return round(self.increase * 100, 1)

    def to_dict(self) -> dict[str, object]:
        return {"allowed": self.allowed, "volume_allowed": self.volume_allowed,
                "old_volume": self.old_volume, "new_volume": self.new_volume,
                "increase_percent": self.increase_percent, "cap_percent": self.cap_percent,
                "max_allowed_volume": self.max_allowed_volume,
                "old_load_kg": self.old_load_kg, "new_load_kg": self.new_load_kg,
                "load_increase_percent": (None if self.load_increase is None
                                          else round(self.load_increase * 100, 1)),
                "load_rise": self.load_rise}


def check_volume_increase(old_dose: Dose, new_dose: Dose,
                          settings: ClinicalSettings | float | None = None) -> VolumeCheck:
    """Compare two doses of the same exercise against the cap (``settings`` or a cap in
    percent; default ``weekly_volume_increase_cap_percent``, 20).

    Exactly the cap is allowed (+20 % passes, +21 % does not); the comparison is exact
    (rational arithmetic), so float rounding cannot flip a boundary. Decreases always pass.
    A weight that rises (or appears) is a load rise and needs confirming even when the volume
    is flat; a weight that falls or goes is not.
    """
    if settings is None or isinstance(settings, ClinicalSettings):
        cap_percent = (settings or ClinicalSettings()).weekly_volume_increase_cap_percent
    else:
        cap_percent = float(settings)
    old, new = _weekly(old_dose), _weekly(new_dose)
    cap = Fraction(str(cap_percent))
    limit = old * (100 + cap) / 100
    old_load, new_load = _load_kg(old_dose), _load_kg(new_dose)
    load_rise = bool(new_load) and (not old_load or new_load > old_load)
    load_increase = (float((new_load - old_load) / old_load)
                     if old_load and new_load is not None else None)
    volume_ok = new <= limit
    return VolumeCheck(
        allowed=volume_ok and not load_rise, old_volume=_plain(old), new_volume=_plain(new),
        increase=float((new - old) / old), cap_percent=cap_percent,
        max_allowed_volume=math.floor(limit),
        volume_allowed=volume_ok,
        old_load_kg=None if old_load is None else round(float(old_load), 3),
        new_load_kg=None if new_load is None else round(float(new_load), 3),
        load_increase=load_increase, load_rise=load_rise,
    )


@dataclass(frozen=True)
class ExerciseVolumeChange:
    """One exercise's change between two programs: ``check`` is None for a new or removed one."""

    key: object
    status: str  # 'changed', 'added', 'removed'
    check: VolumeCheck | None
    needs_confirmation: bool

    def to_dict(self) -> dict[str, object]:
        return {"exercise": self.key, "status": self.status,
                "needs_confirmation": self.needs_confirmation,
                **(self.check.to_dict() if self.check else {})}


def check_program_volume(before: Mapping[object, Dose], after: Mapping[object, Dose],
                         settings: ClinicalSettings | float | None = None
                         ) -> tuple[ExerciseVolumeChange, ...]:
    """Per exercise (keyed by e.g. the exercise id), the volume and load change between two
    versions of a program, for the API to answer "confirm" with the figures. An exercise that
    is new in ``after`` needs no confirmation (it has no volume to rise from); ordered by key."""
    changes = []
    for key in sorted(set(before) | set(after), key=repr):
        if key not in before:
            changes.append(ExerciseVolumeChange(key, "added", None, False))
        elif key not in after:
            changes.append(ExerciseVolumeChange(key, "removed", None, False))
        else:
            check = check_volume_increase(before[key], after[key], settings)
            changes.append(ExerciseVolumeChange(key, "changed", check, not check.allowed))
    return tuple(changes)


def _plain(value: Fraction) -> float:
    return int(value) if value.denominator == 1 else round(float(value), 3)
