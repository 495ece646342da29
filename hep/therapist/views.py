"""Therapist pages: sign in, patients needing attention, a patient's page and program editor."""
from __future__ import annotations

import segno
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from marshmallow import ValidationError

from hep.care import alerts
from hep.care.attention import FLAG_CODES, flag_label, patient_list
from hep.care.monitoring import monitoring_view
from hep.care.summary import summary_view
from hep.clinical.limits import DOSE_LIMITS
from hep.errors import Conflict, Invalid, Unauthorized
from hep.extensions import limiter, login_rate_limit
from hep.i18n import translate_message
from hep.library.catalog import DIRECTIONS, EQUIPMENT, IRRITABILITY, REGIONS
from hep.library.media import media_url
from hep.library.search import NO_EQUIPMENT, search_exercises
from hep.logbook.checkins import checkin_view, recent_checkins
from hep.logbook.completions import completion_view, recent_completions
from hep.models import Exercise, Patient
from hep.models.alerts import OUTCOMES
from hep.people import accounts, devices
from hep.people import patients as patient_service
from hep.people.access import therapist_alert, therapist_patient
from hep.people.auth import require_role
from hep.programs import templates
from hep.programs import versions as programs
from hep.push.subscriptions import last_timezone_change
from hep.schemas.logs import LogFilterQuery
from hep.schemas.people import PatientIn, PatientListQuery
from hep.schemas.programs import ProgramIn, TemplateIn
from hep.therapist import forms
from hep.therapist.dashboard import dashboard_charts

bp = Blueprint("therapist", __name__, url_prefix="/t")

#: Session key holding a join link just issued, shown once on the patient's page.
JOIN_LINK_KEY = "therapist_join_link"
#: More exercises than this and adherence tends to drop (the editor says so, gently).
SUGGESTED_MAX_EXERCISES = 4
#: The program editor's library filters (``GET /api/v1/exercises`` has the same).
LIBRARY_FILTERS = ("phase", "q", "region", "equipment", "direction", "irritability")
#: Log rows on the patient's page: the latest, or (filtered) the latest that match.
LOG_ROWS, LOG_ROWS_FILTERED = 30, 200
#: Morning check-ins on the patient's page when no days are chosen.
CHECKIN_ROWS = 14


@bp.context_processor
def labels() -> dict:
    """Translated names for the stored codes the pages show."""
    return {
        "phase_labels": {"calm": _("Calm the nervous system"), "exposure": _("Graded exposure"),
                         "load": _("Strength and load tolerance")},
        "side_labels": {"both": _("Both sides"), "left": _("Left"), "right": _("Right"),
                        "alternate": _("Alternate sides"), "none": _("Not sided")},
        "day_labels": {1: _("Mon"), 2: _("Tue"), 3: _("Wed"), 4: _("Thu"), 5: _("Fri"),
                       6: _("Sat"), 7: _("Sun")},
        "settled_labels": {"yes": _("Yes"), "partly": _("Partly"), "no": _("No")},
        "distal_labels": {"none": _("None"), "back": _("Back"), "buttock": _("Buttock"),
                          "thigh": _("Thigh"), "below_knee": _("Below the knee"), "foot": _("Foot")},
        "level_labels": {"emergency": _("Emergency"), "urgent": _("Urgent"), "warning": _("Check"),
                         "caution": _("Note"), "info": _("Note")},
        "outcome_labels": {"cleared": _("Cleared: no serious cause"), "referred": _("Referred for urgent care"),
                           "answered_in_error": _("Answered in error")},
        "field_labels": {"phase": _("Phase"), "notes": _("Notes"), "sets": _("Sets"), "reps": _("Reps"),
                         "hold_seconds": _("Hold (seconds)"), "rest_seconds": _("Rest (seconds)"),
                         "side": _("Side"), "load": _("Load"), "load_value": _("Weight"), "load_unit": _("Unit"),
                         "frequency_per_day": _("Times a day"), "days_of_week": _("Days"),
                         "pain_ceiling": _("Pain ceiling (0–10)")},
        "status_labels": {"progress": _("Progress"), "hold": _("Hold"), "regress": _("Regress"),
                          "stop": _("Stop")},
        **library_labels(),
    }


def library_labels() -> dict:
    """Translated names of the library's regions, equipment and tags (the editor's filters)."""
    return {
        "region_labels": {"lumbar": _("Lower back"), "thoracic": _("Upper back"), "pelvis": _("Pelvis"),
                          "hip": _("Hip"), "leg": _("Leg"), "trunk": _("Trunk"), "whole-body": _("Whole body")},
        "equipment_labels": {"none": _("No equipment"), "chair": _("Chair"), "mat": _("Mat"), "wall": _("Wall"),
                             "step": _("Step"), "box": _("Box"), "blocks": _("Blocks"), "band": _("Elastic band"),
                             "kettlebell": _("Kettlebell"), "dumbbell": _("Dumbbell"), "towel": _("Towel"),
                             "pillow": _("Pillow"), "table": _("Table"), "bench": _("Bench"),
                             "jump-rope": _("Jump rope"), "light-object": _("Light object"), "barbell": _("Barbell"),
                             "trap-bar": _("Trap bar"), "bike": _("Bike"), "pool": _("Pool"), "cone": _("Cones"),
                             "car": _("Car")},
        "direction_labels": {"extension": _("Extension"), "flexion": _("Flexion"),
                             "lateral-shift": _("Lateral shift"), "none": _("No preference")},
        "irritability_labels": {"low": _("Low irritability"), "moderate": _("Moderate irritability"),
                                "high": _("High irritability")},
    }


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def login():
    error = None
    if request.method == "POST":
        try:
            result = accounts.sign_in(request.form.get("email", ""), request.form.get("password", ""))
        except Unauthorized as exc:
            error = exc.detail
        else:
            if result.next_step == "verify":
                target = request.args.get("next", "")
                return redirect(url_for("therapist.login_code", **({"next": target} if target else {})))
            if result.next_step == "enrol":
                return redirect(url_for("therapist.two_factor_setup"))
            return redirect(landing_page(result.user))
    return render_template("therapist/login.html", error=error), 401 if error else 200


def landing_page(user) -> str:
    """Where a signed-in staff member goes: the page they asked for, else their start page
    (admins, who have no patient list, the clinic's page)."""
    target = request.args.get("next", "")
    if target.startswith("/t/"):
        return target
    return url_for("therapist.admin" if user.role == "admin" else "therapist.patients")


@bp.post("/logout")
def logout():
    accounts.sign_out()
    return redirect(url_for("therapist.login"))


@bp.get("/sw.js")
def service_worker():
    """The staff service worker (scope ``/t/``): shows alert notices, caches nothing."""
    body = render_template("therapist/sw.js")
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/patients")
@require_role("therapist")
def patients():
    """The patient list, searched, filtered and sorted by the GET form's ``q``, ``flag`` and
    ``sort`` (the API's ``PatientListQuery``); a value it does not know is 422 with the
    whole list and the field marked."""
    try:
        listing = PatientListQuery().load(_list_args())
    except ValidationError as exc:
        return patients_page({}, {}, list_errors=forms.flatten(exc.messages)), 422
    return patients_page({}, {}, listing=listing), 200


def _list_args() -> dict:
    # Empty fields of the GET form mean "no filter", as an absent parameter does.
    return {k: v for k in ("q", "flag", "sort") if (v := request.args.get(k, "").strip())}


def patients_page(values: dict, errors: dict, listing: dict | None = None, list_errors: dict | None = None,
                   **extra) -> str:
    """The list page; ``values`` and ``errors`` are the add-a-patient form's."""
    listing = listing or PatientListQuery().load({})
    rows = patient_list(current_user, listing["q"], listing["flag"], listing["sort"])
    return render_template("therapist/patients.html", rows=rows, values=values, errors=errors,
                           zones=forms.COMMON_ZONES, listing=listing, list_errors=list_errors or {},
                           flag_options=[(code, flag_label(code)) for code in FLAG_CODES], **extra)


@bp.post("/patients")
@require_role("therapist")
def create_patient():
    values = {k: request.form.get(k, "").strip() for k in ("display_name", "timezone", "email")}
    try:
        body = PatientIn().load({**values, "email": values["email"] or None})
    except ValidationError as exc:
        return patients_page(values, forms.flatten(exc.messages)), 422
    patient = patient_service.create_patient(current_user, body["display_name"], body["timezone"], body["email"])
    _remember_join_link(patient)
    flash(_("Patient created. Share the join link below with them."), "success")
    return redirect(url_for("therapist.patient", patient_id=patient.id))


@bp.get("/patients/<int:patient_id>")
@require_role("therapist")
def patient(patient_id: int):
    """The patient's dashboard: open alerts, recommendations, charts, the program, then the
    log (filtered by the GET form ``?exercise=&from=&to=``; a bad filter is 422, unfiltered)."""
    from hep.therapist.clinical_views import outcome_rows  # that module registers on this bp
    from hep.therapist.message_views import messages_panel

    patient = therapist_patient(patient_id)
    summary = summary_view(patient)
    program = programs.program_view(patient)
    try:
        log_filter = LogFilterQuery().load(request.args)
        log_errors: dict[str, list[str]] = {}
    except ValidationError as exc:
        log_filter = {"exercise": None, "since": None, "until": None}
        log_errors = {k: [translate_message(m) for m in v] for k, v in forms.flatten(exc.messages).items()}
    filtered = any(log_filter.values())
    log = [completion_view(c) for c in recent_completions(
        patient, limit=LOG_ROWS_FILTERED if filtered else LOG_ROWS, exercise_id=log_filter["exercise"],
        since=log_filter["since"], until=log_filter["until"])]
    corrections = {row["supersedes_id"]: row for row in log if row["supersedes_id"]}
    return render_template(
        "therapist/patient.html", patient=patient, program=program,
        recent=log, corrections=corrections, checkins=[checkin_view(c) for c in recent_checkins(
            patient, LOG_ROWS_FILTERED if log_filter["since"] or log_filter["until"] else CHECKIN_ROWS,
            since=log_filter["since"], until=log_filter["until"])],
        log_filter=log_filter, log_errors=log_errors, log_filtered=filtered or bool(log_errors),
        log_limit=LOG_ROWS_FILTERED if filtered else LOG_ROWS, log_exercises=_prescribed_exercises(program),
        join_link=_pop_join_link(patient), joined=patient_service.has_joined(patient),
        summary=summary, alerts=summary["alerts"], monitoring=monitoring_view(patient),
        outcomes=outcome_rows(summary["outcomes"]), charts=dashboard_charts(patient, summary),
        devices=devices.active_devices(patient),
        timezone_change=last_timezone_change(patient),
        messages=messages_panel(patient),
    ), 422 if log_errors else 200


def _prescribed_exercises(program: dict) -> list[tuple[int, str]]:
    """(exercise id, name) of every exercise in any version of the program, by name: the log
    filter's choices."""
    names = {item["exercise_id"]: item["exercise_name"] for v in program["history"] for item in v["items"]}
    return sorted(names.items(), key=lambda pair: pair[1])


@bp.post("/alerts/<int:alert_id>/acknowledge")
@require_role("therapist")
def acknowledge_alert(alert_id: int):
    return _alert_step(alert_id, lambda alert, note: alerts.acknowledge(alert, current_user, note),
                       _("Alert acknowledged."))


@bp.post("/alerts/<int:alert_id>/resolve")
@require_role("therapist")
def resolve_alert(alert_id: int):
    outcome = request.form.get("outcome", "")
    if outcome not in OUTCOMES:
        raise Invalid(errors={"outcome": [_("Choose an outcome.")]})
    return _alert_step(alert_id, lambda alert, note: alerts.resolve(alert, current_user, note, outcome),
                       _("Alert resolved."))


def _alert_step(alert_id: int, step, done: str):
    """Acknowledge or resolve one of the therapist's alerts with the form's note, then back to
    the patient's alerts (a step already taken says so instead)."""
    alert = therapist_alert(alert_id)
    try:
        step(alert, request.form.get("note", "").strip()[:2000])
        flash(done, "success")
    except Conflict as exc:
        flash(exc.detail, "error")
    return redirect(url_for("therapist.patient", patient_id=alert.patient_id, _anchor="alerts"))


@bp.post("/patients/<int:patient_id>/invites")
@require_role("therapist")
def new_invite(patient_id: int):
    patient = therapist_patient(patient_id)
    _remember_join_link(patient)
    flash(_("New join link created. Earlier links no longer work."), "success")
    return redirect(url_for("therapist.patient", patient_id=patient.id, _anchor="join-link"))


def _remember_join_link(patient: Patient) -> None:
    # Only the token's hash is stored, so the URL can be shown once, right after issuing it.
    url, _invite = patient_service.issue_invite(patient, current_user)
    session[JOIN_LINK_KEY] = {"patient_id": patient.id, "url": url}


def _pop_join_link(patient: Patient) -> dict | None:
    link = session.get(JOIN_LINK_KEY)
    if not link or link.get("patient_id") != patient.id:
        return None
    session.pop(JOIN_LINK_KEY)
    svg = segno.make(link["url"]).svg_inline(scale=4, light="#fff", title=_("QR code of the join link"))
    # segno writes the SVG itself: module paths, our fixed colours, and the title XML-escaped; the
    # URL is only encoded in the modules, never written as text.
    return {"url": link["url"], "qr_svg": Markup(svg)}  # nosec B704


@bp.route("/patients/<int:patient_id>/program", methods=["GET", "POST"])
@require_role("therapist")
def program_editor(patient_id: int):
    """Edit the program: every save is a new version through ``programs.assign``.

    Buttons other than "save" only re-render the draft (add ticked exercises, drop ones
    ticked for removal, move one up or down, filter the library) so nothing typed is lost
    without JavaScript. The library search is a GET (``?phase=&q=&region=&equipment=&direction=
    &irritability=``, and ``template_id`` to start from a template) until there is a draft to
    carry; on a draft its fields post as ``library_<name>``.
    """
    patient = therapist_patient(patient_id)
    program = programs.program_view(patient)
    errors: dict[str, list[str]] = {}
    volume_changes: list[dict] = []
    if request.method == "GET":
        template_id = forms.number(request.args.get("template_id"))
        if isinstance(template_id, int):
            template = templates.template_for(current_user, template_id)
            phase, notes, rows = template.phase, template.notes, _template_rows(template.items)
        else:
            current = program["current"]
            phase, notes = (current["phase"], current["notes"]) if current else ("calm", "")
            rows = forms.rows_from_version(current)
        library_filter = {name: request.args.get(name, "") for name in LIBRARY_FILTERS}
    else:
        form = request.form
        phase, notes = form.get("phase", ""), form.get("notes", "")
        rows = forms.rows_from_form(form)
        rows += _new_rows(rows, forms.added_ids(form))
        library_filter = {name: form.get(f"library_{name}", "") for name in LIBRARY_FILTERS}
        if form.get("action") == "save_template":
            errors, template = _save_template(phase, notes, rows, form.get("template_name", ""))
            if template is not None:
                # The editor reopens on the template just saved: the draft, as it was.
                return redirect(url_for("therapist.program_editor", patient_id=patient.id, template_id=template.id))
        if form.get("action") in {"save", "confirm"}:
            try:
                errors = _save(patient, phase, notes, rows, confirmed=form.get("action") == "confirm")
            except programs.VolumeIncrease as exc:
                volume_changes = exc.changes
            else:
                if not errors:
                    # The top of the patient's page, where the "Saved" message shows.
                    return redirect(url_for("therapist.patient", patient_id=patient.id))
    names, media = _exercise_names({row["exercise_id"] for row in rows})
    return render_template(
        "therapist/program_editor.html", patient=patient, program=program, phase=phase,
        notes=notes, rows=rows, names=names, media=media, errors=errors, volume_changes=volume_changes,
        errors_for=lambda name, nested=True: forms.errors_for(errors, name, nested),
        library=_library(library_filter), library_filter=library_filter, moved=forms.moved_index(request.form),
        regions=REGIONS, equipment=(NO_EQUIPMENT, *EQUIPMENT), directions=DIRECTIONS, irritabilities=IRRITABILITY,
        chosen={row["exercise_id"] for row in rows}, all_days=forms.ALL_DAYS,
        phases=programs.PHASES, suggested_max=SUGGESTED_MAX_EXERCISES, dose_limits=DOSE_LIMITS,
        templates=templates.templates_of(current_user), template_name=request.form.get("template_name", ""),
        draft=request.method == "POST",
    ), 422 if errors else 409 if volume_changes else 200


def _save(patient: Patient, phase: str, notes: str, rows: list[dict], *, confirmed: bool) -> dict[str, list[str]]:
    """Validate with the API's schema and assign; the field errors, empty when saved.
    Raises ``programs.VolumeIncrease`` when the increase needs confirming first."""
    try:
        body = ProgramIn().load(forms.payload(phase, notes, rows))
        version = programs.assign(patient, current_user, body["phase"], body.get("notes", ""), body["items"],
                                  confirm_volume_increase=confirmed)
    except ValidationError as exc:
        return forms.flatten(exc.messages)
    except Invalid as exc:
        return exc.errors or {"items": [exc.detail]}
    flash(_("Saved version %(n)s of the program.", n=version.number), "success")
    return {}


def _save_template(phase: str, notes: str, rows: list[dict], name: str):
    """Validate the draft with the API's ``TemplateIn`` and save it for the clinic: (field
    errors, None) or ({}, the template)."""
    try:
        body = TemplateIn().load({**forms.payload(phase, notes, rows), "name": name.strip()})
        template = templates.create_template(current_user, body["name"], body["phase"], body["notes"], body["items"])
    except ValidationError as exc:
        return forms.flatten(exc.messages), None
    except Invalid as exc:
        return exc.errors or {"items": [exc.detail]}, None
    flash(_("Saved as the template “%(name)s”, shared with your clinic.", name=template.name), "success")
    return {}, template


def _template_rows(items: list[dict]) -> list[dict]:
    """Editor rows from a template's items, at the library's defaults where they say nothing."""
    ids = {item["exercise_id"] for item in items}
    found = {e.id: e for e in Exercise.visible_to(current_user.clinic_id).where(Exercise.id.in_(ids))}
    return forms.rows_from_template(items, found)


def _new_rows(rows: list[dict], ids: list[int]) -> list[dict]:
    """Rows at the library's default dose for ticked exercises not already in the draft."""
    have = {row["exercise_id"] for row in rows}
    wanted = [i for i in dict.fromkeys(ids) if i not in have]
    if not wanted:
        return []
    found = {e.id: e for e in Exercise.visible_to(current_user.clinic_id).where(Exercise.id.in_(wanted))}
    return [forms.row_from_library(found[i]) for i in wanted if i in found]


def _exercise_names(ids: set) -> tuple[dict, dict]:
    """The visible exercises' localised names and drawings (media paths), by id."""
    numeric = [i for i in ids if isinstance(i, int)]
    if not numeric:
        return {}, {}
    rows = list(Exercise.visible_to(current_user.clinic_id).where(Exercise.id.in_(numeric)))
    return {e.id: e.localised(str(get_locale()))["name"] for e in rows}, {e.id: e.media for e in rows if e.media}


def _library(chosen: dict[str, str]) -> list[dict]:
    """The visible library, filtered like ``GET /api/v1/exercises`` (values outside the
    known codes are ignored, as the select lists offer none)."""
    def known(name: str, codes) -> str | None:
        return chosen[name] if chosen[name] in codes else None

    locale = str(get_locale())
    found = search_exercises(current_user.clinic_id, chosen["phase"], chosen["q"][:100],
                             region=known("region", REGIONS), equipment=known("equipment", (NO_EQUIPMENT, *EQUIPMENT)),
                             direction=known("direction", DIRECTIONS), irritability=known("irritability", IRRITABILITY))
    return [{"id": e.id, "phase": e.phase, "category": e.category, "media": e.media, "image_url": media_url(e.image),
             "regions": e.regions or [], "equipment": e.equipment or [], **e.localised(locale)} for e in found]
