"""A patient's clinical thresholds: the defaults of ``hep.clinical`` and the therapist's
overrides, stored as a JSON object on the patient."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hep.clinical import ClinicalSettings, SettingsError
from hep.errors import Invalid
from hep.models import Patient
from hep.people import audit


def settings_for(patient: Patient) -> ClinicalSettings:
    """The thresholds in force for ``patient``."""
    return ClinicalSettings.from_overrides(patient.clinical_settings or {})


def save_thresholds(patient: Patient, overrides: Mapping[str, Any]) -> ClinicalSettings:
    """Replace the patient's overrides (only values that differ from the defaults are kept).

    Raises ``Invalid`` naming each bad setting (the engine's messages); nothing is written then.
    """
    try:
        settings = ClinicalSettings.from_overrides(dict(overrides))
    except SettingsError as exc:
        raise Invalid(errors=exc.errors) from None
    Patient.update(clinical_settings=settings.overrides()).where(Patient.id == patient.id).execute()
    patient.clinical_settings = settings.overrides()
    audit.record("settings.update", patient=patient, overrides=settings.overrides())
    from hep.care.summary import refresh_alerts

    refresh_alerts(patient)
    return settings
