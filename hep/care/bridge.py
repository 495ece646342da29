"""Reading the database into the plain records ``hep.clinical`` works on.

The one bridge between storage and the pure clinical engine: the care services call these,
then hand the records to ``hep.clinical``. Sessions logged against earlier versions of an
exercise are mapped onto the current prescription by the rule of
:func:`hep.logbook.sessions.counted_for`, the same one every session count uses.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from hep.clinical.records import CheckInRecord, CompletionRecord, Dose
from hep.logbook.sessions import Rx, counted_for
from hep.models import CheckIn, Completion, Patient, Prescription, Program, ProgramVersion
from hep.timeutil import from_storage, local_date


def engine_dose(values: Mapping[str, Any]) -> Dose:
    """The engine's ``Dose`` from dose fields (a prescription's, or a planned program item's)."""
    return Dose(sets=values["sets"], reps=values["reps"], hold_seconds=values["hold_seconds"],
                frequency_per_day=values["frequency_per_day"],
                days_of_week=frozenset(values["days_of_week"]),
                load_value=values.get("load_value"), load_unit=values.get("load_unit"))


#: The prescription fields the engine's ``Dose`` reads (and a dose change is judged on).
ENGINE_DOSE_FIELDS = ("sets", "reps", "hold_seconds", "frequency_per_day", "days_of_week", "load_value", "load_unit")


def dose(prescription: Prescription) -> Dose:
    return engine_dose({k: getattr(prescription, k) for k in ENGINE_DOSE_FIELDS})


def completion_record(row: Completion) -> CompletionRecord:
    return CompletionRecord(
        id=row.id, prescription_id=row.prescription_id, performed_at=from_storage(row.performed_at),
        sets_done=row.sets_done, reps_done=row.reps_done, pain_during=row.pain_during,
        pain_after=row.pain_after, effort=row.effort,
    )


def completions(patient: Patient, since: date) -> list[tuple[Completion, CompletionRecord]]:
    """Current (not superseded) completions on or after the local date ``since``."""
    rows = (Completion.current()
            .where((Completion.patient == patient) & (Completion.local_date >= since)))
    return [(row, completion_record(row)) for row in rows]


def completions_for_current(patient: Patient, since: date,
                            current: tuple[Prescription, ...]) -> list[CompletionRecord]:
    """The records since ``since`` that count for one of the ``current`` prescriptions,
    each re-keyed to it (sessions of dropped exercises are left out)."""
    version = [_rx(p) for p in current]
    logged = completions(patient, since)
    ids = {row.prescription_id for row, _r in logged}
    known = {p.id: _rx(p) for p in Prescription.select().where(Prescription.id.in_(sorted(ids)))} if ids else {}
    records = []
    for row, record in logged:
        target = counted_for(known[row.prescription_id], version)
        if target is not None:
            records.append(dataclasses.replace(record, prescription_id=target))
    return records


def _rx(p: Prescription) -> Rx:
    return Rx(p.id, p.version_id, p.exercise_id, p.side, p.position, p.frequency_per_day,
              frozenset(p.days_of_week or ()))


def checkins(patient: Patient, since: date) -> list[CheckInRecord]:
    rows = CheckIn.current().where((CheckIn.patient == patient) & (CheckIn.date >= since))
    return [
        CheckInRecord(id=r.id, date=r.date, morning_pain=r.morning_pain, settled=r.settled,
                      distal_symptom=r.distal_symptom,
                      new_numbness_or_weakness=r.new_numbness_or_weakness,
                      red_flag_change=r.red_flag_change, back_pain=r.back_pain, leg_pain=r.leg_pain,
                      weakness_worse=bool(r.weakness_worse))
        for r in rows
    ]


@dataclass(frozen=True)
class VersionPeriod:
    """A program version and the local days it was in effect (``end`` inclusive)."""

    version: ProgramVersion
    start: date
    end: date
    prescriptions: tuple[Prescription, ...]


def version_periods(patient: Patient, start: date, end: date) -> list[VersionPeriod]:
    """The program versions in effect between ``start`` and ``end``, clipped to that range.

    A version takes effect on the patient's local day it was created.
    """
    program = Program.get_or_none(Program.patient == patient)
    if program is None:
        return []
    versions = list(program.versions.order_by(ProgramVersion.number))
    periods = []
    for i, version in enumerate(versions):
        first = local_date(from_storage(version.created_at), patient.timezone)
        last = (local_date(from_storage(versions[i + 1].created_at), patient.timezone) - timedelta(days=1)
                if i + 1 < len(versions) else end)
        first, last = max(first, start), min(last, end)
        if first <= last:
            periods.append(VersionPeriod(version, first, last, tuple(version.ordered_prescriptions())))
    return periods


def dose_starts(periods: list[VersionPeriod]) -> dict[int, date]:
    """For each current prescription, the first local day of its current dose: the start of
    the unbroken run of versions that prescribe its exercise at the same dose. The rules
    read the evidence since then (a new exercise or a dose change starts afresh)."""
    if not periods:
        return {}

    def same(p: Prescription, q: Prescription) -> bool:
        return q.exercise_id == p.exercise_id and all(getattr(q, f) == getattr(p, f) for f in ENGINE_DOSE_FIELDS)

    starts = {}
    for p in periods[-1].prescriptions:
        start = periods[-1].start
        for period in reversed(periods[:-1]):
            if not any(same(p, q) for q in period.prescriptions):
                break
            start = period.start
        starts[p.id] = start
    return starts
