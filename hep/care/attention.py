"""Why a patient needs the therapist's attention: the summary's alerts as list flags, and
the rows of the patient list (the JSON API's and the page's), searched, filtered and sorted.

The list is read in a fixed number of statements however many patients and however long
their history: the patients, their stored unresolved alerts (with the prescriptions' names),
the day counts of :func:`hep.logbook.sessions.sessions_done`, and one grouped read each for
the current phase, whether they joined, their last logged day and last check-in, and their
unread messages. No clinical summary is computed per patient: the stored alerts are what the
summary raised. Search, flag filter and sort work on the rows in Python (names matched with
case and accents folded, which SQLite's LIKE cannot do beyond ASCII), so they add no statement.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

import peewee as pw
from flask_babel import gettext as _

from hep.care.alerts import LEVEL_RANK, STATUS_RANK
from hep.logbook.sessions import sessions_done
from hep.messages.threads import unread_counts
from hep.models import Alert, CheckIn, Completion, Invite, Patient, Program, ProgramVersion, User
from hep.programs.versions import prescription_names
from hep.timeutil import today_in

#: The flag codes a row can carry (the ``flag`` filter accepts these): the engine's alert
#: codes, an assessment's red flags under one code, a patient who has not joined, and one whose
#: current program version they made themselves.
FLAG_CODES = ("red_flag", "weakness_worse", "both_legs", "new_neuro_signs", "peripheralising",
              "regress_recommended", "low_adherence", "no_checkins", "no_logs", "no_recent_logs",
              "assessment_red_flag", "not_joined", "self_progressed")
#: The orders of the list: most urgent first (the default), latest activity first, by name.
SORTS = ("urgency", "last_activity", "name")


def _labels() -> dict[str, str]:
    return {
        "red_flag": _("Red-flag answer: contact now"),
        "weakness_worse": _("Weakness getting worse: contact now"),
        "both_legs": _("Symptoms in both legs: contact now"),
        "new_neuro_signs": _("New numbness or weakness"),
        "peripheralising": _("Symptoms spreading down the leg"),
        "regress_recommended": _("Regress proposed"),
        "low_adherence": _("Low adherence"),
        "no_checkins": _("No morning check-ins"),
        "no_logs": _("Nothing logged since joining"),
        "no_recent_logs": _("Nothing logged lately"),
    }


def flag_label(code: str) -> str:
    """The translated label of a flag code (as the list's flags show it)."""
    if code == "not_joined":
        return not_joined_flag()["label"]
    if code == "self_progressed":
        return self_progressed_flag()["label"]
    if code == "assessment_red_flag":
        return _("Red flag in assessment")
    return _labels().get(code, code.replace("_", " "))


def patients_flagged(therapist, q: str = "") -> list[tuple[Patient, list[dict]]]:
    """The therapist's patients whose name contains ``q`` (ignoring case and accents; all
    when empty), with their stored flags."""
    needle = folded(q.strip())
    patients = [p for p in Patient.of_therapist(therapist).order_by(Patient.display_name, Patient.id)
                if needle in folded(p.display_name)]
    flags = flags_of(patients)
    return [(p, flags[p.id]) for p in patients]


def patient_flags(patient: Patient) -> list[dict]:
    """The unresolved stored alerts as flags, most severe first: {code, level, label,
    detail, alert_id}; one per alert code (an assessment's findings under one label)."""
    return flags_of([patient])[patient.id]


def flags_of(patients: Sequence[Patient]) -> dict[int, list[dict]]:
    """:func:`patient_flags` of each patient, in two statements (the alerts, the names of
    their prescriptions)."""
    unresolved: dict[int, list[Alert]] = {p.id: [] for p in patients}
    if unresolved:
        for alert in Alert.select().where(Alert.patient.in_(_ids(patients)) & (Alert.status != "resolved")):
            unresolved[alert.patient_id].append(alert)
    names = prescription_names({a.prescription_id for alerts in unresolved.values() for a in alerts})
    labels = _labels()
    return {pid: _flags(alerts, names, labels) for pid, alerts in unresolved.items()}


def _flags(unresolved: list[Alert], names: dict[int, str], labels: dict[str, str]) -> list[dict]:
    # Most severe first; within a level the order of hep.care.alerts.alerts_of (open first,
    # newest first), so the flag of a code is the alert the summary shows first.
    ordered = sorted(unresolved, key=lambda a: (LEVEL_RANK[a.level], STATUS_RANK[a.status],
                                                -a.created_at.timestamp(), -a.id))
    flags: dict[str, dict] = {}
    for alert in ordered:
        code = "assessment_red_flag" if alert.code.startswith("assessment_") else alert.code
        if code in flags:
            continue
        name = names.get(alert.prescription_id)
        flags[code] = {"code": code, "level": alert.level, "alert_id": alert.id,
                       "label": labels.get(code, _("Red flag in assessment") if code == "assessment_red_flag"
                                           else code.replace("_", " ")),
                       "detail": alert.detail + (f" ({name})" if name else "")}
    return list(flags.values())


def patient_list(therapist, q: str = "", flag: str | None = None, sort: str = "urgency") -> list[dict]:
    """The therapist's patient list: :func:`patient_row` of each patient whose name contains
    ``q`` (ignoring case and accents) and, with ``flag``, who carries that flag code (one of
    :data:`FLAG_CODES`), in the order ``sort`` names (one of :data:`SORTS`): ``urgency``
    (most severe flag first), ``last_activity`` (latest first, never active last) or
    ``name``; ties by name. The caller validates ``flag`` and ``sort``."""
    rows = patient_rows(patients_flagged(therapist, q))
    if flag:
        rows = [row for row in rows if any(f["code"] == flag for f in row["flags"])]
    return sorted(rows, key=_ORDERS[sort])


def folded(text: str) -> str:
    """``text`` for matching and ordering names: case and accents folded away, so "angela"
    finds "Ángela" and she sorts among the A's, not after the Z's."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def _by_name(row: dict) -> tuple:
    return (folded(row["display_name"]), row["id"])


def _by_urgency(row: dict) -> tuple:
    return (min((LEVEL_RANK.get(f["level"], len(LEVEL_RANK)) for f in row["flags"]), default=len(LEVEL_RANK) + 1),
            *_by_name(row))


def _by_last_activity(row: dict) -> tuple:
    last = row["last_activity"]
    return (last is None, -(last.toordinal() if last else 0), *_by_name(row))


_ORDERS = {"urgency": _by_urgency, "last_activity": _by_last_activity, "name": _by_name}


def patient_row(patient: Patient, flags: list[dict]) -> dict:
    """One patient as the list shows it: who, their flags, phase, whether they joined, their
    last active day and last check-in day, and today's sessions done of those targeted."""
    return patient_rows([(patient, flags)])[0]


def patient_rows(ranked: Sequence[tuple[Patient, list[dict]]]) -> list[dict]:
    """:func:`patient_row` of each (patient, flags), in order, with a fixed number of
    statements for all of them."""
    patients = [p for p, _f in ranked]
    todays = {p.id: today_in(p.timezone) for p in patients}
    counts = sessions_done(patients, set(todays.values())) if patients else {}
    versions = current_versions(patients)
    joined = joined_ids(patients)
    last = last_days(patients)
    unread = unread_counts(patients, "therapist")
    rows = []
    for patient, flags in ranked:
        today = counts[(patient.id, todays[patient.id])]
        if patient.id not in joined:  # said instead of "nothing flagged": the program has not reached the phone
            flags = [*flags, not_joined_flag()]
        phase, self_progressed = versions.get(patient.id, (None, False))
        if self_progressed:
            flags = [*flags, self_progressed_flag()]
        rows.append({
            "id": patient.id,
            "display_name": patient.display_name,
            "timezone": patient.timezone,
            "email": patient.email,
            "created_at": patient.created_at,
            "joined": patient.id in joined,
            "phase": phase,
            "self_progressed": self_progressed,
            "flags": flags,
            "last_activity": last.activity.get(patient.id),
            "last_checkin": last.checkin.get(patient.id),
            "sessions_today": {"done": today.counted, "target": today.sessions_target},
            "unread_messages": unread[patient.id],
        })
    return rows


def not_joined_flag() -> dict:
    """The flag of a patient who has not used a join link yet (no stored alert behind it)."""
    return {"code": "not_joined", "level": "caution", "alert_id": None, "label": _("Not joined yet"),
            "detail": _("The patient has not opened a join link yet.")}


def current_versions(patients: Sequence[Patient]) -> dict[int, tuple[str, bool]]:
    """Each patient's current (latest) program version as (phase, made by the patient
    through a self-progression step), in one statement; patients without a program are left out."""
    if not patients:
        return {}
    rows = (ProgramVersion.select(Program.patient, ProgramVersion.number, ProgramVersion.phase, User.role)
            .join(Program).switch(ProgramVersion)
            .join(User, pw.JOIN.LEFT_OUTER, on=(ProgramVersion.created_by == User.id))
            .where(Program.patient.in_(_ids(patients))).tuples())
    latest: dict[int, tuple[int, str, bool]] = {}
    for pid, number, phase, role in rows:
        if pid not in latest or number > latest[pid][0]:
            latest[pid] = (number, phase, role == "patient")
    return {pid: (phase, by_patient) for pid, (_n, phase, by_patient) in latest.items()}


def self_progressed_flag() -> dict:
    """The flag of a patient whose current program version they made themselves (a step
    inside the therapist's bounds, or easier after pain): for the therapist to review."""
    return {"code": "self_progressed", "level": "caution", "alert_id": None, "label": _("Changed by the patient"),
            "detail": _("The patient took a step on their own; the program's history shows what changed.")}


def joined_ids(patients: Sequence[Patient]) -> set[int]:
    """The ids of the patients who have used one of their join links."""
    if not patients:
        return set()
    return {pid for (pid,) in Invite.select(Invite.patient).distinct()
            .where(Invite.patient.in_(_ids(patients)) & Invite.used_at.is_null(False)).tuples()}


class LastDays(NamedTuple):
    """Per patient id: the latest local day with a logged session or a check-in
    (``activity``), and the latest check-in day (``checkin``); patients without one are left out."""

    activity: dict[int, date]
    checkin: dict[int, date]


def last_days(patients: Sequence[Patient]) -> LastDays:
    """:class:`LastDays` of the patients, in two grouped statements."""
    found = LastDays({}, {})
    if not patients:
        return found
    for model, day in ((Completion, Completion.local_date), (CheckIn, CheckIn.date)):
        rows = (model.select(model.patient, pw.fn.MAX(day)).where(model.patient.in_(_ids(patients)))
                .group_by(model.patient).tuples())
        for pid, value in rows:
            value = day.python_value(value)  # SQLite gives an aggregate's date as text
            if value is None:
                continue
            if model is CheckIn:
                found.checkin[pid] = value
            if pid not in found.activity or value > found.activity[pid]:
                found.activity[pid] = value
    return found


def _ids(patients: Sequence[Patient]) -> list[int]:
    return sorted({p.id for p in patients})
