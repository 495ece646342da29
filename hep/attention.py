"""Why a patient needs the therapist's attention: the summary's alerts as list flags."""
from __future__ import annotations

from flask_babel import gettext as _

from hep.models import Patient
from hep.summary import summary_view

SEVERITY = {"emergency": 4, "urgent": 3, "warning": 2, "caution": 1, "info": 1}


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
