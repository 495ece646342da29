"""Outcome measures: the instrument definitions offered, responses, scores and changes.

Definitions are data: the shipped ones in ``hep/library/instruments`` plus any YAML a clinic
drops into ``<instance>/instruments`` (a licensed instrument needs no code).
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from hep.clinical import Alert as Finding
from hep.clinical import Instrument, ScoringError, load_instruments, score
from hep.clinical.outcome_review import (
    NOT_IMPROVING,
    Administration,
    MeasureReview,
    activity_key,
    improved_codes,
    not_improving,
    review_outcomes,
)
from hep.clinical.settings import ClinicalSettings
from hep.errors import Invalid, NotFound
from hep.logbook.replay import body_hash, store_once
from hep.models import Patient, QuestionnaireResponse
from hep.people import audit
from hep.timeutil import from_storage, local_date, today_in

# How often a measure is offered again to the patient (days) unless the therapist set a
# schedule (hep.care.schedule); others are on request only.
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
    """What a client needs to show the questionnaire, in ``locale`` where the instrument's
    licence allows a translation and the file has one. ``language`` is the language of the
    texts; ``english_only`` is true when another language was asked for and none may be shown.
    Answer labels (``anchors``) are translated value by value."""
    lang = (locale or "en").split("_")[0].split("-")[0].lower()
    texts = inst.translations.get(lang, {}) if inst.translation_allowed else {}
    labels = texts.get("labels", {})
    translated_items = texts.get("items", {})

    def anchors(raw: Mapping[int, str]) -> dict[str, str]:
        return {str(k): labels.get(k, v) for k, v in raw.items()}

    view: dict[str, Any] = {
        "code": inst.code, "name": texts.get("title", inst.name), "version": inst.version,
        "instructions": texts.get("instructions", inst.instructions), "licence": inst.licence,
        "items": [{"id": i.id, "text": translated_items.get(i.id, i.text), "min": i.minimum,
                   "max": i.maximum, "anchors": anchors(i.anchors)} for i in inst.items],
        "language": lang if texts else "en",
        "english_only": lang != "en" and not texts,
        "translation_allowed": inst.translation_allowed,
    }
    if inst.patient_items:
        spec = inst.patient_items
        view["patient_items"] = {"min_count": spec.min_count, "max_count": spec.max_count,
                                 "min": spec.minimum, "max": spec.maximum,
                                 "prompt": texts.get("prompt", spec.prompt), "anchors": anchors(spec.anchors)}
    return view


def record_response(patient: Patient, code: str, body: Mapping[str, Any]) -> tuple[QuestionnaireResponse, bool]:
    """Score and store a response (422 naming the bad answers and any unanswered item as
    ``answers.<id>``, or ``items`` for the activities; replay rules by id)."""
    inst = instrument(code)
    if inst.patient_items:
        inst = _with_activities(inst, body.get("items"))
    try:
        result = score(inst, body["answers"])
        missing = [i.id for i in inst.items if str(i.id) not in {str(k) for k in body["answers"]}]
        if missing:
            raise ScoringError({i: [_("Choose an answer.")] for i in missing})
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

    row, created = store_once(QuestionnaireResponse, body["id"], digest,
                              lambda r: r.patient_id == patient.id, create)
    if created:
        from hep.care.summary import refresh_alerts

        refresh_alerts(patient)  # a response can raise or clear not_improving
    return row, created


def _with_activities(inst: Instrument, texts: Any) -> Instrument:
    """The instrument with the patient's named activities; 422 naming ``items`` (the count) or
    ``items.<index>`` (an empty or repeated activity: lines are matched by their text)."""
    if not texts:
        raise Invalid(errors={"items": [_("Name the activities you are rating.")]})
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for index, text in enumerate(texts):
        key = activity_key(text) if isinstance(text, str) else ""
        if key and key in seen:
            errors[f"items.{index}"] = [_("This activity is already in the list.")]
        seen.add(key)
    try:
        named = inst.with_patient_items(texts)
    except ScoringError as exc:
        for key, messages in exc.errors.items():
            errors.setdefault("items" if key == "_schema" else f"items.{int(key) - 1}", []).extend(messages)
    if errors:
        raise Invalid(errors=errors)
    return named


def history(patient: Patient) -> dict:
    """Responses per instrument, oldest first, with the change baseline -> latest (PSFS: per
    activity, see ``hep.clinical.outcome_review``)."""
    rows = list(QuestionnaireResponse.select().where(QuestionnaireResponse.patient == patient)
                .order_by(QuestionnaireResponse.recorded_at, QuestionnaireResponse.id))
    out: dict[str, dict] = {}
    for row in rows:
        entry = out.setdefault(row.instrument, {"responses": [], "change": None})
        entry["responses"].append({"id": row.id, "recorded_at": from_storage(row.recorded_at).isoformat(),
                                   "score": row.score, "items": row.items})
    found = review_outcomes(instruments(), _administrations(patient, rows))
    for code, entry in out.items():
        review = found.get(code)
        if review is not None and review.change is not None:
            entry["change"] = {"delta": review.change, "meaningful": review.meaningful,
                               "direction": review.direction}
    return out


def administrations(patient: Patient) -> dict[str, list[Administration]]:
    """The patient's stored responses per instrument, as the engine reads them (local dates)."""
    rows = (QuestionnaireResponse.select().where(QuestionnaireResponse.patient == patient)
            .order_by(QuestionnaireResponse.recorded_at, QuestionnaireResponse.id))
    return _administrations(patient, rows)


def _administrations(patient: Patient, rows) -> dict[str, list[Administration]]:
    """Stored responses (oldest first) per instrument, with the patient's local dates."""
    out: dict[str, list[Administration]] = {}
    for row in rows:
        out.setdefault(row.instrument, []).append(Administration(
            local_date(from_storage(row.recorded_at), patient.timezone), dict(row.answers or {}),
            tuple(row.items or ()), row.id))
    return out


def reviews(patient: Patient) -> dict[str, MeasureReview]:
    """Baseline, latest and change of each measure the patient answered."""
    return review_outcomes(instruments(), administrations(patient))


def outcomes_view(patient: Patient, found: dict[str, MeasureReview] | None = None) -> dict:
    """The summary's ``outcomes`` block: per instrument code, its review (see
    ``MeasureReview.to_dict``) with the instrument's name."""
    found = reviews(patient) if found is None else found
    known = instruments()
    return {code: {**review.to_dict(), "name": known[code].name} for code, review in found.items()}


def outcome_findings(patient: Patient, settings: ClinicalSettings) -> list[Finding]:
    """The ``not_improving`` review flag when it applies now; and, when a measure has improved,
    the open flag is cleared (the therapist still sees it, resolved with the reason)."""
    from hep.care import alerts as stored_alerts

    found = reviews(patient)
    better = improved_codes(found)
    if better:
        stored_alerts.clear(patient, NOT_IMPROVING,
                            "Cleared: improved meaningfully on " + ", ".join(c.upper() for c in better) + ".")
        return []
    flag = not_improving(found, instruments(), today=today_in(patient.timezone),
                         review_week=settings.not_improving_review_week)
    return [flag] if flag else []


def patient_activities(patient: Patient, inst: Instrument) -> list[dict]:
    """The activities to re-rate for an instrument with patient-named items (PSFS): the latest
    response's, in their order, each with its first and latest rating. Empty before the first
    response, and for instruments with fixed items."""
    if inst.patient_items is None:
        return []
    rows = administrations(patient).get(inst.code) or []
    found = review_outcomes({inst.code: inst}, {inst.code: rows}).get(inst.code)
    if found is None:
        return []
    lines = {activity_key(a.activity): a for a in found.activities}
    out = []
    for text in rows[-1].items:
        line = lines.get(activity_key(text))
        if line is not None:
            out.append({"activity": line.activity, "first_on": line.first_on,
                        "baseline": line.ratings[0], "latest": line.ratings[-1]})
    return out
