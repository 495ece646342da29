"""Session and dose adherence for one prescription, counted in the patient's own days.

session adherence = completed sessions / prescribed sessions, where a local day counts at most
the sessions prescribed on it (extra sessions never make up for missed ones), so the ratio is
always 0..1. Days are the patient's calendar days in their IANA zone: DST changes and zones on
either side of UTC only move which day an instant falls on, never the arithmetic.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from .records import CompletionRecord, Dose


class _SessionRatio:
    """``ratio`` and ``percent`` of completed over prescribed sessions (None if none prescribed)."""

    prescribed_sessions: int
    completed_sessions: int

    @property
    def ratio(self) -> float | None:
        return _ratio(self.completed_sessions, self.prescribed_sessions)

    @property
    def percent(self) -> float | None:
        return None if self.ratio is None else round(self.ratio * 100, 1)


@dataclass(frozen=True)
class WeekAdherence(_SessionRatio):
    """One ISO week (``iso_year``, ``iso_week``) clipped to the requested period."""

    iso_year: int
    iso_week: int
    start: date
    end: date
    prescribed_sessions: int
    completed_sessions: int


@dataclass(frozen=True)
class Adherence(_SessionRatio):
    """Adherence over the local dates ``start``..``end`` inclusive.

    ``ratio``/``percent`` are None when nothing was prescribed in the period (undefined, not
    perfect). ``dose_ratio`` compares performed sets x reps (capped at the prescribed amount per
    counted session) with the prescribed amount; ``performed_reps`` is uncapped.
    ``evidence`` holds the ids of the completions counted.
    """

    start: date
    end: date
    prescribed_sessions: int
    completed_sessions: int
    prescribed_reps: int
    performed_reps: int
    dose_ratio: float | None
    weeks: tuple[WeekAdherence, ...]
    evidence: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat(), "end": self.end.isoformat(),
            "prescribed_sessions": self.prescribed_sessions,
            "completed_sessions": self.completed_sessions,
            "session_percent": self.percent,
            "dose_percent": None if self.dose_ratio is None else round(self.dose_ratio * 100, 1),
            "weeks": [{"iso_year": w.iso_year, "iso_week": w.iso_week, "start": w.start.isoformat(),
                       "end": w.end.isoformat(), "prescribed_sessions": w.prescribed_sessions,
                       "completed_sessions": w.completed_sessions, "percent": w.percent}
                      for w in self.weeks],
        }


def _ratio(done: int, prescribed: int) -> float | None:
    return None if prescribed == 0 else min(done, prescribed) / prescribed


def session_adherence(dose: Dose, completions: Iterable[CompletionRecord], *, start: date,
                      end: date, tz: ZoneInfo, today: date | None = None) -> Adherence:
    """Adherence to ``dose`` over local dates ``start``..``end`` (inclusive) in zone ``tz``.

    ``completions`` should be this prescription's; any outside the period, and logs that are
    no session (``CompletionRecord.is_session``: 0 sets), are ignored. When
    ``today`` falls in the period, that day is still in progress: it counts only the sessions
    already done (it can raise adherence, never lower it). ``start > end`` -> ``ValueError``.
    """
    if start > end:
        raise ValueError("start must not be after end")
    per_day: dict[date, list[CompletionRecord]] = {}
    for record in sorted(completions, key=CompletionRecord.sort_key):
        day = record.local_date(tz)
        if start <= day <= end and record.is_session:
            per_day.setdefault(day, []).append(record)

    unit = dose.sets * dose.reps
    prescribed = completed = performed = counted_reps = 0
    evidence: list[str] = []
    weeks: list[WeekAdherence] = []
    day = start
    while day <= end:
        done = per_day.get(day, [])
        target = dose.sessions_on(day)
        if today is not None and day == today:
            target = min(target, len(done))
        counted = done[:target]
        prescribed += target
        completed += len(counted)
        evidence.extend(r.id for r in counted)
        counted_reps += sum(min(r.sets_done * r.reps_done, unit) for r in counted)
        performed += sum(r.sets_done * r.reps_done for r in done)
        weeks.append(_add_day(weeks, day, target, len(counted)))
        day += timedelta(days=1)
    prescribed_reps = prescribed * unit
    return Adherence(
        start=start, end=end, prescribed_sessions=prescribed, completed_sessions=completed,
        prescribed_reps=prescribed_reps, performed_reps=performed,
        dose_ratio=None if prescribed_reps == 0 else counted_reps / prescribed_reps,
        weeks=tuple(weeks),
        evidence=tuple(evidence),
    )


def _add_day(weeks: list[WeekAdherence], day: date, target: int, done: int) -> WeekAdherence:
    """Fold one day into its ISO week: pops the week it extends, returns the new one."""
    iso = day.isocalendar()
    if weeks and (weeks[-1].iso_year, weeks[-1].iso_week) == (iso.year, iso.week):
        week = weeks.pop()
        return replace(week, end=day, prescribed_sessions=week.prescribed_sessions + target,
                       completed_sessions=week.completed_sessions + done)
    return WeekAdherence(iso.year, iso.week, day, day, target, done)


def combined_adherence(parts: Iterable[Adherence]) -> tuple[int, int, float | None]:
    """(prescribed, completed, percent) summed over several prescriptions' adherence."""
    prescribed = completed = 0
    for part in parts:
        prescribed += part.prescribed_sessions
        completed += part.completed_sessions
    ratio = _ratio(completed, prescribed)
    return prescribed, completed, None if ratio is None else round(ratio * 100, 1)
