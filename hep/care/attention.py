"""Why a patient needs the therapist's attention: the summary's alerts as list flags, and
the rows of the patient list (the JSON API's and the page's)."""
from __future__ import annotations

from flask_babel import gettext as _

from hep.care.alerts import LEVEL_RANK, alerts_of
from hep.logbook.sessions import sessions_done
from hep.models import CheckIn, Completion, Patient
from hep.people.patients import has_joined
from hep.programs.versions import current_version, prescription_names
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
    rows = [(p, patient_flags(p)) for p in Patient.of_therapist(therapist).order_by(Patient.display_name)]
    rows.sort(key=lambda pair: min((LEVEL_RANK[f["level"]] for f in pair[1]), default=len(LEVEL_RANK)))
    return rows


def patient_flags(patient: Patient) -> list[dict]:
    """The unresolved stored alerts as flags, most severe first: {code, level, label,
    detail, alert_id}; one per alert code (an assessment's findings under one label)."""
    labels = _labels()
    unresolved = alerts_of(patient, unresolved_only=True)
    names = prescription_names({a.prescription_id for a in unresolved})
    flags: dict[str, dict] = {}
    for alert in sorted(unresolved, key=lambda a: LEVEL_RANK[a.level]):
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
    ranked = patients_by_attention(therapist)
    todays = {p.id: today_in(p.timezone) for p, _f in ranked}
    counts = sessions_done([p for p, _f in ranked], set(todays.values()))
    return [patient_row(p, flags, counts[(p.id, todays[p.id])]) for p, flags in ranked]


def patient_row(patient: Patient, flags: list[dict], today=None) -> dict:
    """One patient as the list shows it: who, their flags, phase, whether they joined, their
    last active day, and today's sessions done of those targeted (``today``: the patient's
    :class:`~hep.logbook.sessions.DayCount`, counted here when not given)."""
    if today is None:
        day = today_in(patient.timezone)
        today = sessions_done([patient], [day])[(patient.id, day)]
    version = current_version(patient)
    joined = has_joined(patient)
    if not joined:  # said instead of "nothing flagged": the program has not reached the phone
        flags = [*flags, {"code": "not_joined", "level": "caution", "alert_id": None, "label": _("Not joined yet"),
                          "detail": _("The patient has not opened a join link yet.")}]
    return {
        "id": patient.id,
        "display_name": patient.display_name,
        "timezone": patient.timezone,
        "email": patient.email,
        "created_at": patient.created_at,
        "joined": joined,
        "phase": version.phase if version else None,
        "flags": flags,
        "last_activity": last_activity(patient),
        "sessions_today": {"done": today.counted, "target": today.sessions_target},
    }


def last_activity(patient: Patient):
    """The patient's latest local day with a logged session or a check-in, or None."""
    done = (Completion.select(Completion.local_date).where(Completion.patient == patient)
            .order_by(Completion.local_date.desc()).first())
    checked = (CheckIn.select(CheckIn.date).where(CheckIn.patient == patient)
               .order_by(CheckIn.date.desc()).first())
    days = [d for d in (done and done.local_date, checked and checked.date) if d]
    return max(days) if days else None
