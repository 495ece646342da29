"""Builders shared by the clinical unit tests (not collected: no test_ prefix)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hep.clinical import CheckInRecord, CompletionRecord, Dose

TZ = ZoneInfo("Europe/London")
TODAY = date(2025, 3, 20)  # a Thursday
DAILY = Dose(sets=3, reps=10, hold_seconds=0, frequency_per_day=1,
             days_of_week=frozenset(range(1, 8)))


def completion(cid: str, day: date, *, pain_during: int = 2, pain_after: int = 2,
               effort: int = 7, sets: int = 3, reps: int = 10, hour: int = 18,
               prescription_id: int = 1, tz: ZoneInfo = TZ) -> CompletionRecord:
    return CompletionRecord(cid, prescription_id, datetime.combine(day, time(hour), tz),
                            sets, reps, pain_during, pain_after, effort)


def checkin(cid: str, day: date, *, morning_pain: int = 2, settled: str = "yes",
            distal: str = "thigh", numb: bool = False, red: bool = False,
            back: int | None = None, leg: int | None = None, weak: bool = False,
            both: bool = False) -> CheckInRecord:
    return CheckInRecord(cid, day, morning_pain, settled, distal, numb, red,  # type: ignore[arg-type]
                         back_pain=back, leg_pain=leg, weakness_worse=weak, both_legs=both)


def ago(n: int) -> date:
    """The local day ``n`` days before TODAY."""
    return TODAY - timedelta(days=n)


def green_days(n: int = 13, end: date = TODAY - timedelta(days=1)) -> list[date]:
    """The ``n`` days ending ``end``, oldest first."""
    return [end - timedelta(days=n - 1 - i) for i in range(n)]


def green_logs(n: int = 13) -> tuple[list[CompletionRecord], list[CheckInRecord]]:
    """A daily session on each of the ``n`` days before TODAY, each followed by a settled,
    stable morning: every progress condition met."""
    days = green_days(n)
    comps = [completion(f"c{i:02d}", d) for i, d in enumerate(days)]
    checks = [checkin(f"k{i:02d}", d + timedelta(days=1)) for i, d in enumerate(days)]
    return comps, checks
