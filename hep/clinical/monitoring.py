"""Remote therapeutic monitoring (RTM) day counts. The software reports; it does not bill.

US device-supply codes count distinct local dates with any logged data in a rolling 30-day
window: 98977 for 16-30 days and, from 2026, 98985 for 2-15 days (CLINICAL.md).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Band = Literal["2-15", "16-30"]
BAND_CODES: dict[Band, tuple[str, ...]] = {"2-15": ("98985",), "16-30": ("98977",)}


@dataclass(frozen=True)
class MonitoringDays:
    """Distinct data days in ``window_start``..``window_end`` and the RTM band they reach."""

    count: int
    window_start: date
    window_end: date
    band: Band | None
    codes: tuple[str, ...]
    dates: tuple[date, ...]

    def to_dict(self) -> dict[str, object]:
        return {"count": self.count, "window_start": self.window_start.isoformat(),
                "window_end": self.window_end.isoformat(), "band": self.band,
                "codes": list(self.codes), "dates": [d.isoformat() for d in self.dates]}


def monitoring_days(local_dates_with_data: Iterable[date], *, end: date,
                    window_days: int = 30) -> MonitoringDays:
    """Count distinct local dates in the ``window_days`` days ending at ``end`` (inclusive).

    Bands: fewer than 2 days -> None; 2-15 -> '2-15' (98985); 16 or more -> '16-30' (98977).
    """
    if window_days < 1:
        raise ValueError("window_days must be at least 1")
    start = end - timedelta(days=window_days - 1)
    days = tuple(sorted({d for d in local_dates_with_data if start <= d <= end}))
    count = len(days)
    band: Band | None = "16-30" if count >= 16 else "2-15" if count >= 2 else None
    return MonitoringDays(count=count, window_start=start, window_end=end, band=band,
                          codes=BAND_CODES[band] if band else (), dates=days)
