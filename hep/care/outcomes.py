"""Outcome measures: the instrument definitions offered, responses, scores and changes.

Definitions are data: the shipped ones in ``hep/library/instruments`` plus any YAML a clinic
drops into ``<instance>/instruments`` (a licensed instrument needs no code).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from hep.clinical import Instrument, ScoringError, load_instruments, score, score_change
from hep.errors import Invalid, NotFound
from hep.logbook.replay import body_hash, store_once
from hep.models import Patient, QuestionnaireResponse
from hep.people import audit
from hep.timeutil import from_storage, utcnow

# How often a measure is offered again to the patient (days); others are on request only.
REPEAT_DAYS = {"psfs": 14, "nprs": 7, "fabq": 28, "ears": 28}


def instruments() -> dict[str, Instrument]:
    """Shipped plus instance instruments, loaded once per app."""
    cache = current_app.extensions.setdefault("hep.instruments", {})
    if "all" not in cache:
        extra = Path(current_app.config.get("INSTRUMENTS_PATH") or Path(current_app.instance_path, "instruments"))
        cache["all"] = load_instruments([extra] if extra.is_dir() else [])
    return cache["all"]


def instrument(code: str) -> Instrument:
    found = instruments().get(code)
    if found is None:
        raise NotFound(_("No such questionnaire."))
    return found


def definition(inst: Instrument, locale: str | None = None) -> dict:
    """What a client needs to show the questionnaire."""
    view: dict[str, Any] = {
        "code": inst.code, "name": inst.name, "version": inst.version,
        "instructions": inst.instructions, "licence": inst.licence,
        "items": [{"id": i.id, "text": i.text, "min": i.minimum, "max": i.maximum,
                   "anchors": {str(k): v for k, v in i.anchors.items()}} for i in inst.items],
    }
    if inst.patient_items:
        spec = inst.patient_items
        view["patient_items"] = {"min_count": spec.min_count, "max_count": spec.max_count,
                                 "min": spec.minimum, "max": spec.maximum, "prompt": spec.prompt,
                                 "anchors": {str(k): v for k, v in spec.anchors.items()}}
    return view


def record_response(patient: Patient, code: str, body: Mapping[str, Any]) -> tuple[QuestionnaireResponse, bool]:
    """Score and store a response (422 naming the bad answers; replay rules by id)."""
    inst = instrument(code)
    try:
        if inst.patient_items:
            if not body.get("items"):
                raise ScoringError({"items": [_("Name the activities you are rating.")]})
            inst = inst.with_patient_items(body["items"])
        result = score(inst, body["answers"])
    except ScoringError as exc:
        raise Invalid(errors={("answers." + k if k not in {"items", "_schema"} else k): v
                                   for k, v in exc.errors.items()}) from None
    digest = body_hash({"instrument": code, **body})

    def create() -> QuestionnaireResponse:
        row = QuestionnaireResponse.create(id=body["id"], patient=patient, instrument=code,
                                           answers=body["answers"], items=body.get("items"),
                                           score=result.to_dict(), request_hash=digest)
        audit.record("questionnaire.response", patient=patient, instrument=code)
        return row

    return store_once(QuestionnaireResponse, body["id"], digest, lambda r: r.patient_id == patient.id, create)


def history(patient: Patient) -> dict:
    """Responses per instrument, oldest first, with the change first -> latest."""
    rows = (QuestionnaireResponse.select().where(QuestionnaireResponse.patient == patient)
            .order_by(QuestionnaireResponse.recorded_at))
    out: dict[str, dict] = {}
    for row in rows:
        entry = out.setdefault(row.instrument, {"responses": [], "change": None})
        entry["responses"].append({"id": row.id, "recorded_at": from_storage(row.recorded_at).isoformat(),
                                   "score": row.score, "items": row.items})
    for code, entry in out.items():
        totals = [r["score"]["total"] for r in entry["responses"] if r["score"].get("total") is not None]
        inst = instruments().get(code)
        if inst and len(totals) >= 2:
            change = score_change(inst, totals[0], totals[-1])
            entry["change"] = {"delta": change.delta, "meaningful": change.meaningful,
                               "direction": change.direction}
    return out


def due_for(patient: Patient) -> list[dict]:
    """Measures to offer now: never answered, or last answered longer ago than REPEAT_DAYS."""
    last: dict[str, Any] = {}
    for row in QuestionnaireResponse.select().where(QuestionnaireResponse.patient == patient):
        if row.instrument not in last or row.recorded_at > last[row.instrument]:
            last[row.instrument] = row.recorded_at
    due = []
    for code, inst in instruments().items():
        every = REPEAT_DAYS.get(code)
        if every is None:
            continue
        answered = last.get(code)
        if answered is None or utcnow() - from_storage(answered) >= timedelta(days=every):
            due.append({"code": code, "name": inst.name})
    return due
