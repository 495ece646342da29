"""Weekly volume of a dose and the per-patient cap on how fast it may grow."""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from .records import Dose
from .settings import ClinicalSettings


def weekly_volume(dose: Dose) -> int:
    """Repetition-seconds per week: sets x reps x hold x sessions per day x days.

    A rep without a hold counts as one second, so adding a hold is a volume increase too.
    """
    return (dose.sets * dose.reps * max(dose.hold_seconds, 1)
            * dose.frequency_per_day * len(dose.days_of_week))


@dataclass(frozen=True)
class VolumeCheck:
    """Whether ``new`` stays within the cap; ``increase`` is a fraction (0.2 = +20 %)."""

    allowed: bool
    old_volume: int
    new_volume: int
    increase: float
    cap_percent: float
    max_allowed_volume: int

    def to_dict(self) -> dict[str, object]:
        return {"allowed": self.allowed, "old_volume": self.old_volume,
                "new_volume": self.new_volume, "increase_percent": round(self.increase * 100, 1),
                "cap_percent": self.cap_percent, "max_allowed_volume": self.max_allowed_volume}


def check_volume_increase(old_dose: Dose, new_dose: Dose,
                          settings: ClinicalSettings | None = None) -> VolumeCheck:
    """Compare two doses of the same exercise against ``weekly_volume_increase_cap_percent``.

    Exactly the cap is allowed (+20 % passes, +21 % does not); the comparison is exact
    (rational arithmetic), so float rounding cannot flip a boundary. Decreases always pass.
    """
    settings = settings or ClinicalSettings()
    old, new = weekly_volume(old_dose), weekly_volume(new_dose)
    cap = Fraction(str(settings.weekly_volume_increase_cap_percent))
    limit = old * (100 + cap) / 100
    return VolumeCheck(
        allowed=new <= limit, old_volume=old, new_volume=new,
        increase=float(Fraction(new - old, old)),
        cap_percent=settings.weekly_volume_increase_cap_percent,
        max_allowed_volume=math.floor(limit),
    )
