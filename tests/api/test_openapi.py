"""The OpenAPI document covers every JSON route, and the Out schemas dump what the services
return: the same JSON as before they existed, so no client loses a field."""
from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from hep.care import outcomes
from hep.care.summary import summary_view
from hep.care.thresholds import settings_for
from hep.models import Exercise, Patient

API_DIR = Path(__file__).resolve().parents[2] / "hep" / "api"
# Write routes that take no body: the rest must document one.
BODILESS = {"auth.logout", "account.setup", "devices.sign_out_device",
            "monitoring.delete_time_log", "exercises.archive_exercise", "clinic.disable_therapist",
            "clinic.enable_therapist"}


def _api_routes(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api-docs."):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method.lower(), path, rule.endpoint


def _json_schema(part: dict) -> dict | None:
    content = part.get("content", {})
    # JSON, FHIR's JSON (application/fhir+json) for the FHIR export, the monthly CSV, an upload
    # (multipart/form-data) or a clinic's uploaded picture or video (binary).
    media = next((value for kind, value in content.items() if kind.startswith(("image/", "video/"))), None)
    return (content.get("application/json") or content.get("application/fhir+json")
            or content.get("text/csv") or content.get("multipart/form-data") or media or {}).get("schema")


def _refs(node):
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_every_api_route_is_documented_with_its_schemas(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    routes = list(_api_routes(app))
    assert len(routes) >= 35
    problems = []
    for method, path, endpoint in routes:
        op = spec["paths"].get(path, {}).get(method)
        if op is None:
            problems.append(f"{method.upper()} {path}: not in the document")
            continue
        success = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        if not success:
            problems.append(f"{method.upper()} {path}: no success response")
        for code, response in success.items():
            if code != "204" and _json_schema(response) is None:
                problems.append(f"{method.upper()} {path}: {code} has no schema")
        takes_body = method in {"post", "put", "patch", "delete"} and endpoint not in BODILESS
        body = _json_schema(op.get("requestBody", {}))
        if takes_body and body is None:
            problems.append(f"{method.upper()} {path}: no requestBody schema")
        if not takes_body and "requestBody" in op:
            problems.append(f"{method.upper()} {path}: documents a body it does not read")
    assert problems == []
    components = spec["components"]["schemas"]
    missing = {ref for ref in _refs(spec) if ref.startswith("#/components/schemas/")
               and ref.rsplit("/", 1)[1] not in components}
    assert missing == set()


def test_api_views_parse_bodies_only_through_schemas():
    for module in API_DIR.glob("*.py"):
        text = module.read_text(encoding="utf-8")
        assert "get_json" not in text and "request.json" not in text and "request.form" not in text, module.name


def test_replays_are_documented_as_200_with_the_same_schema(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/completions", "/api/v1/completions/{completion_id}/corrections",
                 "/api/v1/checkins", "/api/v1/hierarchy/{item_id}/sessions",
                 "/api/v1/patients/{patient_id}/hierarchy/{item_id}/sessions",
                 "/api/v1/questionnaires/{code}/responses", "/api/v1/push/subscriptions"):
        op = spec["paths"][path]["post"]
        assert _json_schema(op["responses"]["200"]) == _json_schema(op["responses"]["201"]), path


def _as_served(app, value):
    """``value`` as the view used to send it raw (Flask's JSON provider, then parsed)."""
    return json.loads(app.json.dumps(value))


def test_the_summary_dump_is_the_service_view_unchanged(app, demo_therapist):
    therapist = demo_therapist
    listed = therapist.get("/api/v1/patients").get_json()[0]
    assert set(listed["flags"][0]) == {"code", "level", "label", "detail", "alert_id"}
    patient_id = listed["id"]
    served = therapist.get(f"/api/v1/patients/{patient_id}/summary?days=21").get_json()
    with app.test_request_context():
        raw = _as_served(app, summary_view(Patient.get_by_id(patient_id), 21))
    # Stored alerts carry instants, which the schema writes as ISO 8601 (app.json would not).
    assert [a["id"] for a in served.pop("alerts")] == [a["id"] for a in raw.pop("alerts")]
    assert served == raw
    served["alerts"] = therapist.get(f"/api/v1/patients/{patient_id}/summary?days=21").get_json()["alerts"]
    # What the therapist's clients read, present and filled in the demo.
    assert {"start", "end", "phase", "adherence", "pain_series", "monitoring_days", "alerts",
            "recommendations", "settings", "exposure"} <= set(served)
    assert served["adherence"]["prescriptions"] and served["adherence"]["session_percent"] is not None
    week = next(iter(served["adherence"]["prescriptions"].values()))["weeks"][0]
    assert {"iso_year", "iso_week", "start", "end", "prescribed_sessions", "completed_sessions", "percent"} <= set(week)
    assert {"date", "pain_during_mean", "pain_during_max", "pain_after_max", "morning_pain",
            "distal_symptom"} <= set(served["pain_series"][0])
    assert {"count", "window_start", "window_end", "band", "codes", "dates"} <= set(served["monitoring_days"])
    assert {"id", "level", "code", "status", "detail", "evidence", "created_at", "prescription_id",
            "exercise_name", "stops"} <= set(served["alerts"][0])
    rec = served["recommendations"][0]
    assert {"prescription_id", "exercise_name", "status", "reasons"} <= set(rec)
    assert {"rule", "status", "detail", "evidence", "values"} <= set(rec["reasons"][0])


def test_the_settings_dump_and_body(app, enrolled, therapist_api):
    _patient, patient_id, _ = enrolled
    url = f"/api/v1/patients/{patient_id}/settings"
    with app.app_context():
        before = {"settings": settings_for(Patient.get_by_id(patient_id)).to_dict(), "overrides": {}}
    assert therapist_api.get(url).get_json() == _as_served(app, before)
    saved = therapist_api.put(url, {"min_sessions": 4, "morning_rise_points": 1.5,
                                    "adherence_target_percent": 75})
    assert saved.status_code == 200
    with app.app_context():
        patient = Patient.get_by_id(patient_id)
        after = {"settings": settings_for(patient).to_dict(), "overrides": patient.clinical_settings}
    assert saved.get_json() == therapist_api.get(url).get_json() == _as_served(app, after)
    assert saved.get_json()["overrides"] == {"min_sessions": 4, "morning_rise_points": 1.5,
                                             "adherence_target_percent": 75.0}
    # Refusals name each bad setting at once; nothing is written.
    bad = therapist_api.put(url, {"nope": 1, "min_sessions": 2.5, "window_days": 200,
                                  "morning_rise_points": "2"})
    assert bad.status_code == 422 and bad.headers["Content-Type"] == "application/problem+json"
    assert bad.get_json()["errors"] == {"nope": ["Unknown setting."], "min_sessions": ["Must be a whole number."],
                                        "window_days": ["Must be between 3 and 28."],
                                        "morning_rise_points": ["Must be a number."]}
    clash = therapist_api.put(url, {"pain_during_progress_max": 6})
    assert clash.status_code == 422 and list(clash.get_json()["errors"]) == ["pain_during_progress_max"]
    not_object = therapist_api.put(url, [1, 2])
    assert not_object.status_code == 422
    assert not_object.get_json()["errors"] == {"_schema": ["Send an object of setting -> value."]}
    no_body = therapist_api.request("PUT", url)  # not read as {}, which would reset every threshold
    assert no_body.status_code == 422 and no_body.get_json()["errors"] == not_object.get_json()["errors"]
    with app.app_context():
        assert Patient.get_by_id(patient_id).clinical_settings == after["overrides"]


def test_the_questionnaire_dumps_are_the_service_views_unchanged(app, enrolled, therapist_api):
    patient, patient_id, _ = enrolled
    listed = patient.get("/api/v1/questionnaires").get_json()
    psfs = patient.get("/api/v1/questionnaires/psfs").get_json()
    with app.test_request_context():
        raw = [outcomes.definition(i, "en") for i in outcomes.instruments().values()]
        assert listed == _as_served(app, raw)
        assert psfs == _as_served(app, outcomes.definition(outcomes.instrument("psfs"), "en"))
    # What the patient app's questionnaire view reads.
    nprs = next(q for q in listed if q["code"] == "nprs")
    assert {"code", "name", "instructions", "items"} <= set(nprs)
    assert {"id", "text", "min", "max", "anchors"} <= set(nprs["items"][0])
    assert "patient_items" not in nprs and {"min_count", "max_count", "min", "max", "prompt"} <= set(psfs["patient_items"])

    body = {"id": str(uuid.uuid4()), "items": ["Sit through a film", "Lift my toddler", "Run 2 km"],
            "answers": {"1": 3, "2": 2, "3": 1}}
    assert patient.post("/api/v1/questionnaires/psfs/responses", body).status_code == 201
    later = {**body, "id": str(uuid.uuid4()), "answers": {"1": 7, "2": 6, "3": 5}}
    assert patient.post("/api/v1/questionnaires/psfs/responses", later).status_code == 201
    assert patient.post("/api/v1/questionnaires/nprs/responses", {"id": str(uuid.uuid4()), "answers": {"1": 4}}).status_code == 201
    history = therapist_api.get(f"/api/v1/patients/{patient_id}/questionnaires").get_json()
    with app.app_context():
        assert history == _as_served(app, outcomes.history(Patient.get_by_id(patient_id)))
    assert set(history) == {"psfs", "nprs"} and history["nprs"]["change"] is None
    assert history["psfs"]["change"] == {"delta": 4.0, "meaningful": True, "direction": "better"}
    first = history["psfs"]["responses"][0]
    assert set(first) == {"id", "recorded_at", "score", "items"} and first["items"] == body["items"]
    assert set(first["score"]) == {"total", "subscales", "interpretation", "complete"}


def test_the_library_default_doses_are_dumped_whole(app, therapist_api):
    served = {row["slug"]: row["default_dose"] for row in therapist_api.get("/api/v1/exercises").get_json()}
    with app.app_context():
        stored = {e.slug: e.default_dose for e in Exercise.select()}
    assert served == stored and all(served.values())


def test_every_error_is_documented_as_problem_json(app):
    """Declared once (hep.schemas.docs): every operation's errors are problem+json, with the
    statuses its decorators can answer, whatever route is added later."""
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    assert set(spec["components"]["schemas"]["ProblemOut"]["required"]) == {"type", "title", "status"}
    for method, path, endpoint in _api_routes(app):
        op = spec["paths"][path][method]
        errors = {code: r for code, r in op["responses"].items() if code == "default" or code >= "4"}
        assert "default" in errors, (method, path)
        for code, response in errors.items():
            name = response["$ref"].rsplit("/", 1)[1]
            content = spec["components"]["responses"][name]["content"]
            assert list(content) == ["application/problem+json"], (method, path, code)
        view = app.view_functions[endpoint]
        assert ("401" in errors and "403" in errors) == hasattr(view, "required_roles"), (method, path)
        assert op.get("x-roles", []) == list(getattr(view, "required_roles", []))
        assert ("404" in errors) == ("{" in path), (method, path)
        assert ("400" in errors) == (method in {"post", "put", "patch", "delete"}), (method, path)


def test_fuzzing_findings_answer_as_documented(app, enrolled, therapist_api):
    """What schemathesis found (tests/api/test_fuzz.py), each answered with its documented
    4xx problem instead of a server error; nothing is stored."""
    patient, patient_id, program = enrolled
    # An id past what a primary key holds: 404 in a path, 422 in a body (not a database overflow).
    assert therapist_api.get(f"/api/v1/patients/{2**63}").status_code == 404
    assert therapist_api.get("/api/v1/patients/0").status_code == 404
    body = {"id": str(uuid.uuid4()), "prescription_id": -(2**90), "performed_at": "2026-01-01T10:00:00+00:00",
            "sets_done": 1, "reps_done": 1, "pain_during": 1, "pain_after": 1, "effort": 1}
    refused = patient.post("/api/v1/completions", body)
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["prescription_id"]
    # An instant whose UTC time falls outside datetime's years.
    item = therapist_api.post(f"/api/v1/patients/{patient_id}/hierarchy", {"activity": "Bend", "harm_rating": 50})
    session = {"id": str(uuid.uuid4()), "performed_at": "0001-01-01T00:01:00+02:00", "feared_outcome": "It hurts",
               "prediction": 10, "fear_before": 1, "outcome_happened": False, "fear_after": 0, "safety_behaviour": False}
    refused = patient.post(f"/api/v1/hierarchy/{item.get_json()['id']}/sessions", session)
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"performed_at": ["Use a date and time between the years 1900 and 2999."]}
    # A list with item errors and its own error: the index keys are text, so JSON can sort them.
    range_1_7 = "Must be greater than or equal to 1 and less than or equal to 7."
    refused = patient.put("/api/v1/reminders", {"enabled": True, "times": ["8 am"], "days": [4, 4, 8]})
    assert refused.status_code == 422 and refused.headers["Content-Type"] == "application/problem+json"
    assert refused.get_json()["errors"] == {"times": {"0": ["Use a 24-hour time such as 08:00."]},
                                            "days": {"2": [range_1_7], "_schema": ["Each day only once."]}}
    with app.app_context():
        from hep.models import Completion, ExposureSession

        assert Completion.select().count() == 0 and ExposureSession.select().count() == 0
