"""The JSON API under /api/v1: one module per resource, documented by flask-smorest."""
from __future__ import annotations

from flask import Flask

from hep.extensions import api


def register(app: Flask) -> None:
    from hep.api import (
        account,
        alerts,
        auth,
        checkins,
        clinic,
        clinical,
        completions,
        devices,
        exercises,
        fhir,
        messages,
        monitoring,
        patient_data,
        patients,
        progress,
        push,
        templates,
        today,
    )

    for module in (auth, account, exercises, patients, templates, today, completions, checkins, progress, clinical, alerts,
                   push, devices, patient_data, fhir, monitoring, messages, clinic):
        api.register_blueprint(module.bp)
