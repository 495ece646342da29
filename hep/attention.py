"""Why a patient needs the therapist's attention, as flags for the patient list."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _

from hep.models import CheckIn, Completion, Patient
from hep.timeutil import today_in

SEVERITY = {"urgent": 3, "warning": 2, "info": 1}


def patient_flags(patient: Patient) -> list[dict]:
    """Flags, most severe first: {code, level, severity, label}."""
    today = today_in(patient.timezone)
    flags = []
    if CheckIn.select().where((CheckIn.patient == patient) & CheckIn.red_flag_change
                             & (CheckIn.date >= today - timedelta(days=14))).exists():
        flags.append(_flag("red_flag", "urgent", _("Red-flag answer in a check-in")))
    last = (Completion.select(Completion.local_date).where(Completion.patient == patient)
            .order_by(Completion.local_date.desc()).first())
    if last is not None and (today - last.local_date).days >= 3:
        flags.append(_flag("inactive", "warning", _("No exercise logged for %(n)s days", n=(today - last.local_date).days)))
    return sorted(flags, key=lambda f: -f["severity"])


def _flag(code: str, level: str, label: str) -> dict:
    return {"code": code, "level": level, "severity": SEVERITY[level], "label": label}
