"""The one count of sessions done, per patient and local day.

Every screen that says how many sessions were done reads :func:`sessions_done`: the
patient's Today and Progress, the therapist's patient list, and the reminder skip. The
clinical summary maps its records with the same :func:`counted_for` rule.

A session counts for the prescription of the program version *in effect on the local day it
was done* (a version takes effect on the patient's local day it was created). A session
logged against another version of the same exercise (logged offline before a dose change
arrived, say) counts for that day's prescription of the exercise. Corrections replace the
session they correct, so each session counts once. A log with no set done is no session
(``hep.clinical.records.MIN_SETS_FOR_SESSION``, the rule adherence uses too).
"""
from __future__ import annotations

import bisect
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import peewee as pw

from hep.clinical.records import MIN_SETS_FOR_SESSION
from hep.models import Completion, Patient, Prescription, Program, ProgramVersion
from hep.timeutil import from_storage, local_date

CHUNK = 500  # ids per IN (...) list: well under every database's parameter limit


@dataclass(frozen=True)
class Rx:
    """The parts of a prescription the count needs."""

    id: int
    version_id: int
    exercise_id: int
    side: str
    position: int
    frequency_per_day: int
    days_of_week: frozenset[int]

    def sessions_on(self, day: date) -> int:
        return self.frequency_per_day if day.isoweekday() in self.days_of_week else 0


@dataclass(frozen=True)
class DayCount:
    """One patient's local day: what was prescribed and what was done.

    ``done`` and ``target`` are keyed by the prescription ids of ``version_id`` (the version
    in effect that day; None before the first). ``done`` may exceed ``target`` (extra
    sessions); :attr:`counted` caps each prescription at its target.
    """

    patient_id: int
    day: date
    version_id: int | None
    target: Mapping[int, int] = field(default_factory=dict)
    done: Mapping[int, int] = field(default_factory=dict)

    @property
    def sessions_target(self) -> int:
        return sum(self.target.values())

    @property
    def counted(self) -> int:
        """Sessions done that count towards the target (extras make up for nothing)."""
        return sum(min(self.done.get(rx, 0), wanted) for rx, wanted in self.target.items())

    @property
    def all_done(self) -> bool:
        """Something was prescribed and every prescription was done as often as asked."""
        return bool(self.target) and self.counted >= self.sessions_target


def counted_for(logged: Rx, version: Sequence[Rx]) -> int | None:
    """The prescription of ``version`` a session logged against ``logged`` counts for.

    The same prescription if it is in the version; else the version's prescription of the
    same exercise (the same side first, then the first by position); None when the version
    no longer has the exercise.
    """
    same_exercise = [rx for rx in version if rx.exercise_id == logged.exercise_id]
    if not same_exercise:
        return None
    for rx in same_exercise:
        if rx.id == logged.id:
            return rx.id
    same_side = [rx for rx in same_exercise if rx.side == logged.side]
    return min(same_side or same_exercise, key=lambda rx: rx.position).id


def sessions_done(patients: Iterable[Patient | int], days: Iterable[date]) -> dict[tuple[int, date], DayCount]:
    """A :class:`DayCount` for every (patient, local day) asked for, in four queries a chunk
    of patients (however many days): versions, their prescriptions, the sessions logged that
    day, and the prescriptions those sessions were logged against."""
    ids = sorted({p if isinstance(p, int) else p.id for p in patients})
    wanted = sorted(set(days))
    result: dict[tuple[int, date], DayCount] = {}
    for chunk in _chunks(ids, CHUNK):
        result.update(_count_chunk(chunk, wanted))
    return result


def _count_chunk(patient_ids: Sequence[int], days: Sequence[date]) -> dict[tuple[int, date], DayCount]:
    # (effective local day, version id) per patient, in creation order.
    effective: dict[int, list[tuple[date, int]]] = defaultdict(list)
    rows = (ProgramVersion.select(ProgramVersion.id, ProgramVersion.created_at, Program.patient,
                                  Patient.timezone)
            .join(Program).join(Patient)
            .where(Program.patient.in_(list(patient_ids)))
            .order_by(ProgramVersion.number).tuples())
    for version_id, created_at, patient_id, tz in rows:
        effective[patient_id].append((local_date(from_storage(created_at), tz), version_id))

    in_effect = {(pid, day): _version_on(effective.get(pid, []), day) for pid in patient_ids for day in days}
    version_ids = {v for v in in_effect.values() if v is not None}
    by_version: dict[int, list[Rx]] = defaultdict(list)
    for rx in _prescriptions(Prescription.version.in_(sorted(version_ids))) if version_ids else ():
        by_version[rx.version_id].append(rx)

    logged: dict[tuple[int, date], list[tuple[int, int]]] = defaultdict(list)
    if days and version_ids:
        counts = (Completion.current()
                  .select(Completion.patient, Completion.prescription, Completion.local_date,
                          pw.fn.COUNT(Completion.id))
                  .where(Completion.patient.in_(list(patient_ids)) & Completion.local_date.in_(list(days))
                         & (Completion.sets_done >= MIN_SETS_FOR_SESSION))
                  .group_by(Completion.patient, Completion.prescription, Completion.local_date)
                  .tuples())
        for pid, rx_id, day, count in counts:
            logged[(pid, _as_date(day))].append((rx_id, count))
    known = {rx.id: rx for rxs in by_version.values() for rx in rxs}
    missing = {rx_id for pairs in logged.values() for rx_id, _n in pairs} - set(known)
    if missing:
        known.update((rx.id, rx) for rx in _prescriptions(Prescription.id.in_(sorted(missing))))

    return {
        (pid, day): count_day(pid, day, version_id, by_version.get(version_id, []),
                              [(known[rx_id], count) for rx_id, count in logged.get((pid, day), ())])
        for (pid, day), version_id in in_effect.items()
    }


def count_day(patient_id: int, day: date, version_id: int | None, version: Sequence[Rx],
              logged: Iterable[tuple[Rx, int]]) -> DayCount:
    """The :class:`DayCount` of one local day from the prescriptions of the version in effect
    and the sessions logged that day (the prescription each was logged against, how many):
    the rule of :func:`sessions_done`, for callers that read the rows themselves."""
    done: dict[int, int] = defaultdict(int)
    for logged_rx, count in logged:
        target_rx = counted_for(logged_rx, version)
        if target_rx is not None:
            done[target_rx] += count
    target = {rx.id: n for rx in version if (n := rx.sessions_on(day))}
    return DayCount(patient_id, day, version_id, target, dict(done))


def rx_of(prescription: Prescription) -> Rx:
    """The :class:`Rx` of a loaded prescription."""
    return Rx(prescription.id, prescription.version_id, prescription.exercise_id, prescription.side,
              prescription.position, prescription.frequency_per_day, frozenset(prescription.days_of_week or ()))


def _version_on(effective: list[tuple[date, int]], day: date) -> int | None:
    """The latest version that took effect on or before ``day``."""
    index = bisect.bisect_right([d for d, _v in effective], day)
    return effective[index - 1][1] if index else None


def _prescriptions(where) -> Iterator[Rx]:
    query = (Prescription.select(Prescription.id, Prescription.version, Prescription.exercise,
                                 Prescription.side, Prescription.position,
                                 Prescription.frequency_per_day, Prescription.days_of_week)
             .where(where).tuples())
    for rx_id, version_id, exercise_id, side, position, per_day, weekdays in query:
        yield Rx(rx_id, version_id, exercise_id, side, position, per_day,
                 frozenset(json.loads(weekdays) if isinstance(weekdays, str) else weekdays or ()))


def _as_date(value) -> date:
    # SQLite hands back aggregate-query dates as text.
    return date.fromisoformat(value) if isinstance(value, str) else value


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for index in range(0, len(items), size):
        yield items[index:index + size]
