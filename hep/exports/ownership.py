"""Which rows are a patient's: found by walking the models' foreign keys.

The roots are the patient's row and the patient's own account (``User``). A row of any model
in ``hep.models.ALL_MODELS`` is the patient's when one of its foreign keys points at a row
that is (directly, or through a chain: completion -> prescription -> program version ->
program -> patient). References to the row's own table are not followed (a correction
belongs to whoever owns the row it corrects, through its own keys). Staff, clinics and the
library are never reached: a foreign key is followed from the referencing row only.
"""
from __future__ import annotations

import peewee as pw

from hep.models import ALL_MODELS, Patient, User

ROOTS = (Patient, User)


def owned_models() -> list[type[pw.Model]]:
    """The models that can hold a patient's rows, referenced models first."""
    owned: list[type[pw.Model]] = []
    for model in pw.sort_models(ALL_MODELS):
        if model in ROOTS or any(fk.rel_model in owned for fk in _foreign_keys(model)):
            owned.append(model)
    return owned


def owned_rows(patient: Patient) -> dict[type[pw.Model], pw.Select]:
    """For each model of :func:`owned_models`, a query of the primary keys of the rows that
    are ``patient``'s (subqueries, evaluated by the database), referenced models first."""
    keys: dict[type[pw.Model], pw.Select] = {
        Patient: Patient.select(Patient.id).where(Patient.id == patient.id),
        User: User.select(User.id).where(User.id == patient.user_id),
    }
    for model in owned_models():
        if model in keys:
            continue
        conditions = [fk.in_(_referenced(fk, keys)) for fk in _foreign_keys(model) if fk.rel_model in keys]
        pk = model._meta.primary_key
        keys[model] = model.select(pk).where(_any(conditions))
    return {model: keys[model] for model in owned_models()}


def _foreign_keys(model: type[pw.Model]) -> list[pw.ForeignKeyField]:
    return [f for f in model._meta.sorted_fields
            if isinstance(f, pw.ForeignKeyField) and f.rel_model is not model]


def _referenced(fk: pw.ForeignKeyField, keys: dict) -> pw.Select:
    """The values ``fk`` holds when it points at an owned row (its target column may not be
    the primary key)."""
    rel = fk.rel_model
    if fk.rel_field is rel._meta.primary_key:
        return keys[rel]
    return rel.select(fk.rel_field).where(rel._meta.primary_key.in_(keys[rel]))


def _any(conditions: list) -> pw.Expression:
    expression = conditions[0]
    for condition in conditions[1:]:
        expression = expression | condition
    return expression
