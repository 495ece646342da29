"""Remote therapeutic monitoring (RTM) figures. The software reports; it does not bill.

Device-supply codes count distinct local dates with any logged data in back-to-back periods
of ``period_days`` (30) days from an anchor: the first day of data, or the program start (a
clinic setting). One day code applies per period (98977 and 98985 are either/or).
Management codes count the therapist's logged minutes per calendar month, and need at least
one real-time interactive contact in the month (98979 and 98980 are either/or; 98981 adds
each further 20 minutes). The bands come from the code table (:mod:`.rtm_codes`); see
CLINICAL.md and docs/clinical.md.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from .rtm_codes import RtmCodes, load_rtm_codes

Band = Literal["2-15", "16-30"]
PeriodStart = Literal["first_data_day", "program_start"]


@dataclass(frozen=True)
class MonitoringPeriod:
    """One device-supply period: ``start``..``end`` (inclusive), its days of data, and the
    one day code those days reach (None below the lowest band), with the reason."""

    number: int
    start: date
    end: date
    dates: tuple[date, ...]
    code: str | None
    band: str | None
    reason: str

    @property
    def count(self) -> int:
        return len(self.dates)

    def day_of_period(self, day: date) -> int | None:
        """1 on the period's first day; None outside the period."""
        return (day - self.start).days + 1 if self.start <= day <= self.end else None

    def to_dict(self) -> dict[str, object]:
        return {"number": self.number, "start": self.start.isoformat(),
                "end": self.end.isoformat(), "count": self.count, "code": self.code,
                "band": self.band, "reason": self.reason,
                "dates": [d.isoformat() for d in self.dates]}


@dataclass(frozen=True)
class CurrentPeriod:
    """The period holding ``today`` as the summary shows it (None: no period yet).

    ``to_dict`` keeps the keys clients read before periods existed (``count``,
    ``window_start``, ``window_end``, ``band``, ``codes``, ``dates``); the window is now the
    period."""

    today: date
    period: MonitoringPeriod | None
    anchor: PeriodStart

    def to_dict(self) -> dict[str, object]:
        p = self.period
        return {
            "count": p.count if p else 0,
            "window_start": (p.start if p else self.today).isoformat(),
            "window_end": (p.end if p else self.today).isoformat(),
            "band": p.band if p else None,
            "codes": [p.code] if p and p.code else [],
            "dates": [d.isoformat() for d in p.dates] if p else [],
            "period_number": p.number if p else None,
            "day_of_period": p.day_of_period(self.today) if p else None,
            "code": p.code if p else None,
            "reason": p.reason if p else "No days of data yet: no period has started.",
            "period_start": self.anchor,
        }


def period_anchor(data_days: Iterable[date], *, start: PeriodStart = "first_data_day",
                  program_start: date | None = None) -> date | None:
    """Where period 1 starts: the first day of data, or the program start (None when there
    is nothing to start from)."""
    if start == "program_start":
        return program_start
    return min(data_days, default=None)


def monitoring_periods(data_days: Iterable[date], *, anchor: date | None, today: date,
                       codes: RtmCodes | None = None) -> tuple[MonitoringPeriod, ...]:
    """Every period from ``anchor`` up to the one holding ``today``, oldest first.

    Days of data are counted once each; days before the anchor or after today are not
    counted. No anchor, or an anchor after today: no periods."""
    codes = codes or default_codes()
    if anchor is None or anchor > today:
        return ()
    length = codes.period_days
    days = sorted({d for d in data_days if anchor <= d <= today})
    periods = []
    for index in range((today - anchor).days // length + 1):
        start = anchor + timedelta(days=index * length)
        end = start + timedelta(days=length - 1)
        in_period = tuple(d for d in days if start <= d <= end)
        periods.append(_period(index + 1, start, end, in_period, codes))
    return tuple(periods)


def current_period(data_days: Iterable[date], *, today: date,
                   start: PeriodStart = "first_data_day", program_start: date | None = None,
                   codes: RtmCodes | None = None) -> CurrentPeriod:
    """The period holding ``today`` (see :func:`monitoring_periods`)."""
    data_days = list(data_days)
    anchor = period_anchor(data_days, start=start, program_start=program_start)
    periods = monitoring_periods(data_days, anchor=anchor, today=today, codes=codes)
    return CurrentPeriod(today=today, period=periods[-1] if periods else None, anchor=start)


def _period(number: int, start: date, end: date, days: tuple[date, ...],
            codes: RtmCodes) -> MonitoringPeriod:
    band = codes.day_band(len(days))
    span = f"period {number} ({start.isoformat()} to {end.isoformat()})"
    if band is None:
        lowest = min(b.low for b in codes.day_bands)
        reason = (f"{len(days)} day(s) of data in {span}: below the {lowest} days no "
                  f"device-supply code needs.")
        return MonitoringPeriod(number, start, end, days, None, None, reason)
    label = f"{band.low}-{band.high}" if band.high is not None else f"{band.low}+"
    others = [b.code for b in codes.day_bands if b is not band]
    either_or = f"; either/or with {', '.join(others)}" if others else ""
    reason = f"{len(days)} days of data in {span}: {band.describe('days')}{either_or}."
    return MonitoringPeriod(number, start, end, days, band.code, label, reason)


def month_bounds(day: date) -> tuple[date, date]:
    """The first day of ``day``'s calendar month and the first day of the next."""
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class ManagementMonth:
    """One calendar month of logged management time and the codes it reaches."""

    month: date  # the first of the month
    minutes: int
    interactive_contact: bool
    codes: tuple[str, ...]
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {"month": self.month.strftime("%Y-%m"), "minutes": self.minutes,
                "interactive_contact": self.interactive_contact, "codes": list(self.codes),
                "reasons": list(self.reasons)}


def management_month(entries: Iterable[tuple[date, int, bool]], *, month: date,
                     codes: RtmCodes | None = None) -> ManagementMonth:
    """The management codes for ``month`` from time-log entries ``(day, minutes,
    interactive_contact)``; entries outside the calendar month are ignored.

    The base code is the one minute band reached (either/or); the add-on counts each further
    full ``each_minutes`` beyond the base band's minimum. Without an interactive contact, when
    the table requires one, no code applies."""
    codes = codes or default_codes()
    first, following = month_bounds(month)
    inside = [(d, m, c) for d, m, c in entries if first <= d < following]
    minutes = sum(m for _, m, _ in inside)
    contact = any(c for _, _, c in inside)
    label = first.strftime("%Y-%m")
    band = codes.minute_band(minutes)
    if band is None:
        lowest = min(b.low for b in codes.minute_bands)
        return ManagementMonth(first, minutes, contact, (), (
            f"{minutes} minute(s) logged in {label}: below the {lowest} minutes no "
            f"management code needs.",))
    if codes.interactive_contact_required and not contact:
        return ManagementMonth(first, minutes, contact, (), (
            f"{minutes} minutes logged in {label} but no real-time interactive contact: "
            f"no management code applies.",))
    others = [b.code for b in codes.minute_bands if b is not band]
    reasons = [f"{minutes} minutes logged in {label} with an interactive contact: "
               f"{band.describe('minutes')}"
               + (f"; either/or with {', '.join(others)}." if others else ".")]
    found = [band.code]
    add_on = codes.add_on
    if add_on and add_on.base == band.code:
        units = (minutes - band.low) // add_on.each_minutes
        if units:
            found.extend([add_on.code] * units)
            reasons.append(f"{add_on.code} x{units}: each further full {add_on.each_minutes} "
                           f"minutes after the first {band.low}.")
    return ManagementMonth(first, minutes, contact, tuple(found), tuple(reasons))


_DEFAULT: list[RtmCodes] = []


def default_codes() -> RtmCodes:
    """The shipped table, loaded once (callers with a clinic's table pass it in)."""
    if not _DEFAULT:
        _DEFAULT.append(load_rtm_codes())
    return _DEFAULT[0]
