"""The JSON API under /api/v1: one module per resource, documented by flask-smorest."""
from __future__ import annotations

from flask import Flask

from hep.extensions import api


def register(app: Flask) -> None:
    from hep.api import (
        alerts,
        auth,
        checkins,
        clinical,
        completions,
        exercises,
        fhir,
        patients,
        progress,
        push,
        today,
    )

    for module in (auth, exercises, patients, today, completions, checkins, progress, clinical, alerts, push, fhir):
        api.register_blueprint(module.bp)
