"""Therapist pages for clinical records: assessments and their comparison, the fear hierarchy,
the per-patient thresholds and outcome measures.

The same domain functions as the JSON API (``hep.api.clinical``) do the work; these views turn
form fields into their inputs and re-render with 422 and field messages when they refuse.
Ownership is checked first, so another therapist gets 404 whatever they post.
"""
from __future__ import annotations

import uuid
from dataclasses import fields
from datetime import UTC, date, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from hep.care import outcomes as outcome_measures
from hep.care import schedule
from hep.care.assessments import KINDS, assessments_of, comparison, create_assessment
from hep.care.exposure import add_item, add_session, hierarchy_view
from hep.care.thresholds import save_thresholds, settings_for
from hep.clinical import FIELDS_BY_NAME, ClinicalSettings, red_flags_present
from hep.errors import Conflict, Invalid, NotFound
from hep.i18n import translate_message
from hep.models import Patient
from hep.people.access import therapist_patient
from hep.people.auth import require_role
from hep.schemas.clinical import ExposureSessionIn, HierarchyItemIn
from hep.schemas.progress import ScheduleIn
from hep.therapist import assessment_form as af
from hep.therapist.forms import flatten, number
from hep.therapist.views import bp
from hep.timeutil import today_in


@bp.context_processor
def clinical_labels() -> dict:
    """Names for assessment kinds and change directions, and the form helpers."""
    return {
        "kind_labels": {"initial": _("Initial assessment"), "reassessment": _("Reassessment")},
        "direction_labels": {"better": _("Better"), "worse": _("Worse"), "same": _("Same"),
                             "changed": _("Changed")},
        "af": af,
    }


def red_flag_banner(data: dict) -> str | None:
    """The urgent message for a positive red-flag screen, or None."""
    flags = red_flags_present(data)
    if not flags:
        return None
    names = ", ".join(af.label(FIELDS_BY_NAME[f]) for f in flags)
    return _("Red-flag screen positive: %(flags)s — arrange urgent medical review.", flags=names)


@bp.get("/patients/<int:patient_id>/assessments")
@require_role("therapist")
def assessments(patient_id: int):
    """The patient's assessments, oldest first; one shown in full (``?show=``, default latest)."""
    patient = therapist_patient(patient_id)
    rows = assessments_of(patient)
    shown = rows[-1] if rows else None
    if request.args.get("show", type=int) is not None:
        shown = next((r for r in rows if r.id == request.args.get("show", type=int)), None) or abort(404)
    return render_template(
        "therapist/assessments.html", patient=patient, rows=rows, shown=shown,
        flags={r.id: red_flags_present(r.data) for r in rows}, sections=af.sections(),
        banner=red_flag_banner(shown.data) if shown else None)


@bp.route("/patients/<int:patient_id>/assessments/new", methods=["GET", "POST"])
@require_role("therapist")
def new_assessment(patient_id: int):
    """The structured assessment form; a reassessment starts from the latest one, except
    the red-flag screen, which is asked afresh every time."""
    patient = therapist_patient(patient_id)
    rows = assessments_of(patient)
    errors: dict[str, list[str]] = {}
    if request.method == "GET":
        kind = "reassessment" if rows else "initial"
        latest = dict(rows[-1].data) if rows else {}
        values = af.values_from_data({k: v for k, v in latest.items()
                                      if FIELDS_BY_NAME.get(k) and FIELDS_BY_NAME[k].section != "red_flags"})
        assessed_on = today_in(patient.timezone).isoformat()
    else:
        form = request.form
        kind, assessed_on = form.get("kind", ""), form.get("assessed_on", "").strip()
        values = af.values_from_form(form)
        data = af.data_from_form(form)
        try:
            day = date.fromisoformat(assessed_on)
        except ValueError:
            day = None
        try:
            row = create_assessment(patient, current_user, kind, day, data)
        except Invalid as exc:
            spec = {k.removeprefix("data."): v for k, v in exc.errors.items() if k.startswith("data.")}
            errors = {**af.field_errors(spec), **{k: v for k, v in exc.errors.items() if not k.startswith("data.")}}
        else:
            flash(_("Assessment saved."), "success")
            return redirect(url_for("therapist.assessments", patient_id=patient.id, show=row.id))
    return render_template(
        "therapist/assessment_form.html", patient=patient, kind=kind, assessed_on=assessed_on,
        values=values, errors=errors, sections=af.form_sections(), kinds=KINDS,
    ), 422 if errors else 200


@bp.get("/patients/<int:patient_id>/assessments/compare")
@require_role("therapist")
def compare_assessments_page(patient_id: int):
    """Two assessments side by side, by section (default: the first and the latest)."""
    patient = therapist_patient(patient_id)
    rows = assessments_of(patient)
    before = after = None
    table: list[dict] = []
    try:
        before, after, found = comparison(patient, request.args.get("before", type=int),
                                          request.args.get("after", type=int))
    except Conflict:
        found = []  # fewer than two assessments: the page says so
    table = af.comparison_table(found)
    return render_template("therapist/assessment_compare.html", patient=patient, rows=rows,
                           before=before, after=after, table=table)


@bp.route("/patients/<int:patient_id>/hierarchy", methods=["GET", "POST"])
@require_role("therapist")
def hierarchy(patient_id: int):
    """The fear hierarchy; forms add an activity (``action=add``) or record an exposure
    session for one item (``action=session``)."""
    patient = therapist_patient(patient_id)
    add_values: dict = {}
    add_errors: dict = {}
    session_values: dict = {}
    session_errors: dict = {}
    if request.method == "POST":
        form = request.form
        if form.get("action") == "session":
            item_id = number(form.get("item_id", ""))
            session_values = {k: form.get(k, "") for k in SESSION_FIELDS}
            session_errors = _record_session(patient, item_id, session_values)
            if not session_errors:
                return redirect(url_for("therapist.hierarchy", patient_id=patient.id, _anchor=f"item-{item_id}"))
            session_values["item_id"] = item_id
        else:
            add_values = {k: form.get(k, "").strip() for k in ("activity", "harm_rating")}
            add_errors = _add_item(patient, add_values)
            if not add_errors:
                return redirect(url_for("therapist.hierarchy", patient_id=patient.id))
    settings = settings_for(patient)
    return render_template(
        "therapist/hierarchy.html", patient=patient, items=hierarchy_view(patient, settings),
        settings=settings, add_values=add_values, add_errors=add_errors,
        session_values=session_values, session_errors=session_errors, new_id=lambda: str(uuid.uuid4()),
    ), 422 if add_errors or session_errors else 200


def _add_item(patient: Patient, values: dict) -> dict[str, list[str]]:
    """Validate with the API's schema and add the activity; the field errors, empty when added."""
    body = {k: v for k, v in {"activity": values["activity"] or None,
                              "harm_rating": number(values["harm_rating"])}.items() if v is not None}
    try:
        body = HierarchyItemIn().load(body)
    except ValidationError as exc:
        return {k: [af.message(m) for m in v] for k, v in flatten(exc.messages).items()}
    item = add_item(patient, body["activity"], body["harm_rating"])
    flash(_("Added “%(activity)s” to the hierarchy.", activity=item["activity"]), "success")
    return {}


#: The session form's fields, in the order asked (before the exposure, then after it).
SESSION_FIELDS = ("feared_outcome", "prediction", "fear_before", "outcome_happened", "fear_after",
                  "safety_behaviour", "note", "id")


def _record_session(patient: Patient, item_id, values: dict) -> dict[str, list[str]]:
    """Validate with the API's schema and store through ``add_session`` (replay-safe by the
    form's id, made when the form was shown)."""
    answers = {"yes": True, "no": False}
    body = {"id": values["id"], "performed_at": datetime.now(UTC).isoformat(),
            "note": values["note"].strip(),
            **({"feared_outcome": text} if (text := values["feared_outcome"].strip()) else {}),
            **{k: v for k in ("prediction", "fear_before", "fear_after") if (v := number(values[k])) is not None},
            **{k: answers[values[k]] for k in ("outcome_happened", "safety_behaviour") if values[k] in answers}}
    try:
        body = ExposureSessionIn().load(body)
    except ValidationError as exc:
        return {k: [af.message(m) for m in v] for k, v in flatten(exc.messages).items()}
    if not isinstance(item_id, int):
        raise NotFound(_("No such hierarchy item."))
    try:
        add_session(patient, item_id, body)
    except Conflict:
        # The same form sent twice: its first sending was stored.
        flash(_("This session was already recorded."), "success")
        return {}
    flash(_("Exposure session recorded."), "success")
    return {}


def setting_labels() -> dict[str, str]:
    return {
        "pain_during_progress_max": _("Pain during: highest that still allows progress (0-10)"),
        "pain_during_regress_above": _("Pain during: regress above (0-10)"),
        "min_sessions": _("Sessions needed before progressing"),
        "adherence_target_percent": _("Adherence target (%)"),
        "min_reps_in_reserve": _("Reps in reserve needed to progress"),
        "weekly_volume_increase_cap_percent": _("Cap on the weekly volume increase (%)"),
        "dose_step_percent": _("Dose step when applying a progress or regress (%)"),
        "pain_after_progress_max": _("Pain after: highest that still allows progress (0-10)"),
        "pain_after_regress_above": _("Pain after: regress above (0-10)"),
        "progress_share_percent": _("Share of sessions within the progress lines needed to progress (%)"),
        "min_checkins": _("Morning check-ins needed before progressing"),
        "morning_rise_points": _("Morning rating above the patient's median that counts (points)"),
        "morning_reference_mornings": _("Mornings the median is taken over"),
        "morning_reference_min": _("Mornings needed before the median stands alone"),
        "window_days": _("Days the rules read (at most, since the current dose)"),
        "recent_days": _("Days that count as recent"),
        "trend_days": _("Days the pain trend is read over"),
        "trend_min_span_days": _("Days of sessions needed to call a trend"),
        "trend_slope_per_week": _("Pain rise that counts as a trend (points a week)"),
        "resolution_hold_days": _("Days of new data to hold after a resolved alert"),
        "no_checkin_alert_days": _("Alert after this many days of sessions without a check-in"),
        "exposure_prediction_mastery_max": _("Exposure: highest predicted likelihood that counts as mastered (%)"),
        "exposure_prediction_drop_points": _("Exposure: fall of the prediction needed for mastery (points)"),
        "exposure_mastery_window": _("Exposure: sessions the fall of the prediction is read over"),
        "exposure_mastery_min_sessions": _("Exposure: sessions with a prediction needed for mastery"),
        "exposure_fear_before_max": _("Exposure: highest fear before the latest session for mastery (0-100)"),
        "exposure_meaningful_change_points": _("Exposure: a fear change above this is meaningful (points)"),
        "no_logs_alert_days": _("Alert after this many days without logs"),
        "low_adherence_alert_percent": _("Alert when adherence falls below (%)"),
        "not_improving_review_week": _("Flag no meaningful improvement on any outcome measure by this week"),
    }


def _setting_value(text: str) -> int | float | str | None:
    text = text.strip().replace(",", ".")
    if not text:
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


@bp.route("/patients/<int:patient_id>/settings", methods=["GET", "POST"])
@require_role("therapist")
def clinical_settings(patient_id: int):
    """Every threshold with its value and default; saving stores only the overrides, like
    ``PUT /api/v1/patients/<id>/settings``."""
    patient = therapist_patient(patient_id)
    names = [f.name for f in fields(ClinicalSettings)]
    errors: dict[str, list[str]] = {}
    current = settings_for(patient).to_dict()
    values = {k: _plain(v) for k, v in current.items()}
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in names}
        overrides = {k: v for k in names if (v := _setting_value(values[k])) is not None}
        try:
            save_thresholds(patient, overrides)
        except Invalid as exc:
            errors = {k: [_setting_message(m) for m in v] for k, v in exc.errors.items()}
        else:
            flash(_("Thresholds saved."), "success")
            return redirect(url_for("therapist.clinical_settings", patient_id=patient.id))
    defaults = ClinicalSettings().to_dict()
    return render_template(
        "therapist/settings.html", patient=patient, names=names, values=values, errors=errors,
        defaults={k: _plain(v) for k, v in defaults.items()}, labels=setting_labels(),
        overridden=set(patient.clinical_settings or {}),
        steps={k: "any" if isinstance(v, float) else "1" for k, v in defaults.items()},
    ), 422 if errors else 200


def _plain(value: float) -> str:
    """80.0 -> "80", 1.5 -> "1.5"."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _setting_message(text: str) -> str:
    return translate_message(text, setting_labels())


@bp.get("/patients/<int:patient_id>/outcomes")
@require_role("therapist")
def outcomes(patient_id: int):
    """Each outcome measure's responses over time and the change baseline -> latest (PSFS:
    per activity), and the schedule of when the patient is asked each one."""
    return _outcomes_page(therapist_patient(patient_id))


@bp.post("/patients/<int:patient_id>/questionnaire-schedule")
@require_role("therapist")
def questionnaire_schedule(patient_id: int):
    """Save the schedule from the outcomes page: one "every N days" field per questionnaire,
    empty = not asked (``schedule.set_schedule``, as ``PUT .../questionnaire-schedule``)."""
    patient = therapist_patient(patient_id)
    typed = {code: request.form.get(code, "") for code in outcome_measures.instruments()}
    items = [{"code": code, "every_days": number(text)} for code, text in typed.items() if text.strip()]
    try:
        schedule.set_schedule(patient, ScheduleIn().load({"items": items})["items"])
    except ValidationError as exc:
        errors = flatten(exc.messages)
    except Invalid as exc:
        errors = exc.errors or {"items": [exc.detail]}
    else:
        flash(_("Questionnaire schedule saved."), "success")
        return redirect(url_for("therapist.outcomes", patient_id=patient.id))
    # Field errors by questionnaire code (the form has one field per code, not a list).
    by_code = {}
    for key, messages in errors.items():
        index = key.split(".")[1] if key.count(".") >= 1 else None
        code = items[int(index)]["code"] if index and index.isdigit() and int(index) < len(items) else None
        by_code.setdefault(code, []).extend(messages)
    return _outcomes_page(patient, schedule_errors=by_code, typed=typed), 422


def _outcomes_page(patient: Patient, schedule_errors: dict | None = None, typed: dict | None = None):
    known = outcome_measures.instruments()
    reviews = outcome_measures.reviews(patient)
    measures = []
    for code, entry in outcome_measures.history(patient).items():
        inst = known.get(code)
        names = {"total": _("Total"), **{s.code: s.name for s in (inst.subscales if inst else ())}}
        measures.append({
            "code": code, "name": inst.name if inst else code, "change": entry["change"],
            "activities": [a.to_dict() for a in reviews[code].activities] if code in reviews else [],
            "subscales": [s.code for s in inst.subscales] if inst else [], "names": names,
            "responses": [{**r, "when": datetime.fromisoformat(r["recorded_at"]),
                           "interpretation": [_interpretation(i, names) for i in r["score"].get("interpretation", [])]}
                          for r in entry["responses"]],
        })
    chosen = schedule.schedule_of(patient)
    rows = [{"code": code, "name": inst.name,
             "value": (typed if typed is not None else chosen).get(code, ""),
             "errors": (schedule_errors or {}).get(code, [])} for code, inst in known.items()]
    due = {entry["code"]: entry for entry in schedule.schedule_view(patient)}
    return render_template("therapist/outcomes.html", patient=patient, measures=measures, schedule_rows=rows,
                           due=due, schedule_errors=(schedule_errors or {}).get(None, []))


def _interpretation(text: str, names: dict) -> str:
    """``"work:return_to_work_risk"`` -> ``"Work: return-to-work risk"``."""
    labels = {"elevated": _("elevated"), "return_to_work_risk": _("return-to-work risk")}
    scale, _sep, label = text.partition(":")
    if not label:
        return text
    return f"{names.get(scale, scale)}: {labels.get(label, label.replace('_', ' '))}"


def outcome_rows(outcomes: dict) -> list[dict]:
    """The summary's ``outcomes`` block as the patient page's table rows: name, baseline,
    latest, change, meaningful (True / False / None) and readable labels. A measure without a
    total (FABQ) has a row per subscale."""
    known = outcome_measures.instruments()
    rows = []
    for code, review in outcomes.items():
        inst = known.get(code)
        names = {"total": _("Total"), **{s.code: s.name for s in (inst.subscales if inst else ())}}
        labels = [_interpretation(t, names) for t in review["labels"]]
        if review["baseline"] is not None or not review["scales"]:
            lines = [(review["name"], review)]
        else:
            lines = [(f"{review['name']} · {names.get(k, k)}", v) for k, v in review["scales"].items()]
        rows += [{"name": name, "code": code, "baseline": line["baseline"], "latest": line["latest"],
                  "change": line["change"], "meaningful": line["meaningful"], "labels": labels}
                 for name, line in lines]
    return rows
