"""Why a patient needs the therapist's attention: the summary's alerts as list flags, and
the rows of the patient list (the JSON API's and the page's).

The list is read in a fixed number of statements however many patients and however long
their history: the patients, their stored unresolved alerts (with the prescriptions' names),
the day counts of :func:`hep.logbook.sessions.sessions_done`, and one grouped read each for
the current phase, whether they joined and their last active day. No clinical summary is
computed per patient: the stored alerts are what the summary raised.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import peewee as pw
from flask_babel import gettext as _

from hep.care.alerts import LEVEL_RANK, STATUS_RANK
from hep.logbook.sessions import sessions_done
from hep.models import Alert, CheckIn, Completion, Invite, Patient, Program, ProgramVersion, User
from hep.programs.versions import prescription_names
from hep.timeutil import today_in


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


def patients_by_attention(therapist) -> list[tuple[Patient, list[dict]]]:
    """The therapist's patients with their flags, most urgent first, then by name."""
    patients = list(Patient.of_therapist(therapist).order_by(Patient.display_name))
    flags = flags_of(patients)
    rows = [(p, flags[p.id]) for p in patients]
    rows.sort(key=lambda pair: min((LEVEL_RANK[f["level"]] for f in pair[1]), default=len(LEVEL_RANK)))
    return rows


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


def patient_list(therapist) -> list[dict]:
    """The patient list, most urgent first: :func:`patient_row` for each patient."""
    return patient_rows(patients_by_attention(therapist))


def patient_row(patient: Patient, flags: list[dict]) -> dict:
    """One patient as the list shows it: who, their flags, phase, whether they joined, their
    last active day, and today's sessions done of those targeted."""
    return patient_rows([(patient, flags)])[0]


def patient_rows(ranked: Sequence[tuple[Patient, list[dict]]]) -> list[dict]:
    """:func:`patient_row` of each (patient, flags), in order, with a fixed number of
    statements for all of them."""
    patients = [p for p, _f in ranked]
    todays = {p.id: today_in(p.timezone) for p in patients}
    counts = sessions_done(patients, set(todays.values())) if patients else {}
    versions = current_versions(patients)
    joined = joined_ids(patients)
    last = last_activities(patients)
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
            "last_activity": last.get(patient.id),
            "sessions_today": {"done": today.counted, "target": today.sessions_target},
        })
    return rows


def not_joined_flag() -> dict:
    """The flag of a patient who has not used a join link yet (no stored alert behind it)."""
    return {"code": "not_joined", "level": "caution", "alert_id": None, "label": _("Not joined yet"),
            "detail": _("The patient has not opened a join link yet.")}


def current_phases(patients: Sequence[Patient]) -> dict[int, str]:
    """The phase of each patient's current (latest) program version; patients without a
    program are left out."""
    return {pid: phase for pid, (phase, _by_patient) in current_versions(patients).items()}


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


def last_activities(patients: Sequence[Patient]) -> dict[int, date]:
    """Each patient's latest local day with a logged session or a check-in (patients with
    neither are left out)."""
    if not patients:
        return {}
    latest: dict[int, date] = {}
    for model, day in ((Completion, Completion.local_date), (CheckIn, CheckIn.date)):
        rows = (model.select(model.patient, pw.fn.MAX(day)).where(model.patient.in_(_ids(patients)))
                .group_by(model.patient).tuples())
        for pid, value in rows:
            value = day.python_value(value)  # SQLite gives an aggregate's date as text
            if value is not None and (pid not in latest or value > latest[pid]):
                latest[pid] = value
    return latest


def _ids(patients: Sequence[Patient]) -> list[int]:
    return sorted({p.id for p in patients})
