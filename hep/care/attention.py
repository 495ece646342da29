"""Why a patient needs the therapist's attention: the summary's alerts as list flags, and
the rows of the patient list (the JSON API's and the page's)."""
from __future__ import annotations

from flask_babel import gettext as _

from hep.care.summary import summary_view
from hep.logbook.sessions import sessions_done
from hep.models import CheckIn, Completion, Patient
from hep.people.patients import has_joined
from hep.programs.versions import current_version
from hep.timeutil import today_in

SEVERITY = {"urgent": 3, "warning": 2, "info": 1}


def _labels() -> dict[str, str]:
    return {
        "red_flag_change": _("Red-flag answer: contact now"),
        "assessment_red_flag": _("Red flag in assessment"),
        "new_numbness_or_weakness": _("New numbness or weakness"),
        "regress_recommended": _("Regress proposed"),
        "low_adherence": _("Low adherence"),
        "no_recent_logs": _("Nothing logged lately"),
    }


def patients_by_attention(therapist) -> list[tuple[Patient, list[dict]]]:
    """The therapist's patients with their flags, most urgent first, then by name."""
    rows = [(p, patient_flags(p)) for p in Patient.of_therapist(therapist).order_by(Patient.display_name)]
    rows.sort(key=lambda pair: -max((f["severity"] for f in pair[1]), default=0))
    return rows


def patient_flags(patient: Patient) -> list[dict]:
    """Flags, most severe first: {code, level, severity, label, detail}; one per alert code."""
    labels = _labels()
    flags: dict[str, dict] = {}
    for alert in summary_view(patient, days=14)["alerts"]:
        code = alert["code"]
        if code in flags:
            continue
        detail = alert["detail"] + (f" ({alert['exercise_name']})" if alert.get("exercise_name") else "")
        flags[code] = {"code": code, "level": alert["level"], "severity": SEVERITY[alert["level"]],
                       "label": labels.get(code, code.replace("_", " ")), "detail": detail}
    return sorted(flags.values(), key=lambda f: -f["severity"])


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
    return {
        "id": patient.id,
        "display_name": patient.display_name,
        "timezone": patient.timezone,
        "email": patient.email,
        "created_at": patient.created_at,
        "joined": has_joined(patient),
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
