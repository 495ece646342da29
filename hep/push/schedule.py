"""Which reminder slots fall due in a window of time (pure: no database, no clock).

A patient picks local times ("08:00", "18:30"), ISO week days and optional quiet hours, all
read in the patient's IANA zone. A *slot* is one of those times on one local date; the pair
(local_date, slot) names it uniquely within a schedule, so a caller can claim it exactly once
with a unique key.

Daylight-saving rules:

- a time that does not exist (inside the spring-forward gap) fires once, at the first valid
  instant after it: the moment the clocks jump;
- a time that happens twice (fall-back) fires once, at its first occurrence;
- quiet hours are compared with the slot's nominal local time; a quiet window whose start is
  after its end wraps past midnight (22:00-07:00), start inclusive, end exclusive; equal start
  and end mean no quiet hours.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hep.timeutil import zone as load_zone

_UTC = UTC


@dataclass(frozen=True)
class Schedule:
    """A patient's reminder settings. Times are "HH:MM" strings; days are ISO (1=Monday)."""

    times: tuple[str, ...]
    days: frozenset[int]
    timezone: str
    quiet_start: str | None = None
    quiet_end: str | None = None

    def __post_init__(self) -> None:
        times = tuple(sorted({_format(_parse_time(t)) for t in self.times}))
        days = frozenset(int(d) for d in self.days)
        if not days <= set(range(1, 8)):
            raise ValueError("days must be ISO week days 1..7")
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValueError("quiet_start and quiet_end go together")
        load_zone(self.timezone)  # raises ValueError for an unknown zone
        object.__setattr__(self, "times", times)
        object.__setattr__(self, "days", days)
        for name in ("quiet_start", "quiet_end"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _format(_parse_time(value)))

    def is_quiet(self, local: time) -> bool:
        """True if the local wall-clock time falls in the quiet hours."""
        if self.quiet_start is None or self.quiet_end is None:
            return False
        start, end = _parse_time(self.quiet_start), _parse_time(self.quiet_end)
        if start <= end:
            return start <= local < end
        return local >= start or local < end


@dataclass(frozen=True)
class Slot:
    """One reminder: ``slot`` o'clock on ``local_date``, due at the UTC instant ``due_at``."""

    local_date: date
    slot: str
    due_at: datetime


def due_slots(schedule: Schedule, start_utc: datetime, end_utc: datetime) -> list[Slot]:
    """The slots due in the half-open window (start_utc, end_utc], earliest first."""
    _require_aware(start_utc, end_utc)
    if end_utc <= start_utc:
        return []
    tz = load_zone(schedule.timezone)
    # A slot's instant is within a day of its local date's midnight whatever the offset, so
    # one extra local day on each side covers every slot that can land in the window.
    first = start_utc.astimezone(tz).date() - timedelta(days=1)
    last = end_utc.astimezone(tz).date() + timedelta(days=1)
    found = [
        slot
        for slot in _slots_between(schedule, tz, first, last)
        if start_utc < slot.due_at <= end_utc
    ]
    return sorted(found, key=lambda s: (s.due_at, s.local_date, s.slot))


def next_slot(schedule: Schedule, after_utc: datetime) -> Slot | None:
    """The first slot due strictly after ``after_utc`` (for display), or None if never."""
    _require_aware(after_utc)
    # Eight days cover a weekly pattern plus any DST shift.
    upcoming = due_slots(schedule, after_utc, after_utc + timedelta(days=8))
    return upcoming[0] if upcoming else None


def local_instant(local_date: date, local_time: time, tz: ZoneInfo) -> datetime:
    """The UTC instant a local wall-clock time names, by the DST rules above."""
    naive = datetime.combine(local_date, local_time)
    first = naive.replace(tzinfo=tz, fold=0).astimezone(_UTC)
    if first.astimezone(tz).replace(tzinfo=None) == naive:
        return first  # exists; fold=0 is the first of two occurrences at fall-back
    # In a gap, fold=1 maps to an instant before the jump and fold=0 to one after it; find the
    # jump itself: the earliest instant whose wall-clock time is not before ``naive``.
    low = int(naive.replace(tzinfo=tz, fold=1).timestamp())
    high = int(first.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, tz).replace(tzinfo=None) >= naive:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, _UTC)


def _slots_between(schedule: Schedule, tz: ZoneInfo, first: date, last: date) -> Iterable[Slot]:
    wanted = [(text, _parse_time(text)) for text in schedule.times]
    wanted = [(text, t) for text, t in wanted if not schedule.is_quiet(t)]
    day = first
    while day <= last:
        if day.isoweekday() in schedule.days:
            for text, local_time in wanted:
                yield Slot(day, text, local_instant(day, local_time, tz))
        day += timedelta(days=1)


def _parse_time(value: str | time) -> time:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    text = str(value)
    if len(text) != 5 or text[2] != ":" or not (text[:2] + text[3:]).isdigit():
        raise ValueError(f"time must be HH:MM, not {value!r}")
    hours, minutes = int(text[:2]), int(text[3:])
    if hours > 23 or minutes > 59:
        raise ValueError(f"time must be HH:MM, not {value!r}")
    return time(hours, minutes)


def _format(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def _require_aware(*instants: datetime) -> None:
    for instant in instants:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("window bounds must be aware datetimes")
