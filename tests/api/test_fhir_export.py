"""GET /api/v1/patients/{id}/fhir: the patient's record as a FHIR R4 Bundle that the R4B
models of fhir.resources accept, with the codes, links and counts of what the database holds."""
from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

from fhir.resources.R4B.bundle import Bundle

from hep.models import AuditEvent, CheckIn, Completion, QuestionnaireResponse
from hep.people.accounts import create_or_update_therapist

from conftest import PASSWORD, exercise_id

CALM = {"settled": "yes", "distal_symptom": "thigh", "new_numbness_or_weakness": False, "red_flag_change": False}


def _session(prescription_id: int, hours_ago: float, during: int, after: int) -> dict:
    at = datetime.now(UTC) - timedelta(hours=hours_ago)
    return {"id": str(uuid.uuid4()), "prescription_id": prescription_id, "performed_at": at.isoformat(),
            "sets_done": 2, "reps_done": 8, "pain_during": during, "pain_after": after, "effort": 4, "note": ""}


def _history(enrolled, therapist_api):
    """Two program versions, three sessions (one corrected), two check-ins (one corrected),
    a PSFS and an NPRS response. Returns what was posted."""
    patient, patient_id, first = enrolled
    early = _session(first["items"][0]["id"], 30, 2, 1)
    assert patient.post("/api/v1/completions", early).status_code == 201
    second = therapist_api.post(f"/api/v1/patients/{patient_id}/program", {
        "phase": "exposure", "notes": "Add walking.", "confirm_volume_increase": True, "items": [
            {"exercise_id": first["items"][0]["exercise_id"], "sets": 3, "reps": 10, "days_of_week": [1, 3, 5]},
            {"exercise_id": exercise_id(therapist_api, "prone-on-elbows"), "sets": 2, "reps": 1, "hold_seconds": 45,
             "side": "left", "load": "band", "load_value": 2.5, "load_unit": "kg", "frequency_per_day": 2},
        ]}).get_json()
    sessions = [_session(second["items"][0]["id"], 3, 3, 2), _session(second["items"][1]["id"], 2, 1, 0)]
    for body in sessions:
        assert patient.post("/api/v1/completions", body).status_code == 201
    fix = {"id": str(uuid.uuid4()), "sets_done": 3, "reps_done": 10, "pain_during": 4, "pain_after": 3,
           "effort": 5, "note": "Felt tight"}
    assert patient.post(f"/api/v1/completions/{sessions[0]['id']}/corrections", fix).status_code == 201
    today = datetime.fromisoformat(patient.get("/api/v1/today").get_json()["date"]).date()
    yesterday = {"id": str(uuid.uuid4()), "date": (today - timedelta(days=1)).isoformat(), "morning_pain": 3,
                 "back_pain": 3, "leg_pain": 5, **CALM}
    this_morning = {"id": str(uuid.uuid4()), "date": today.isoformat(), "morning_pain": 4, "back_pain": 2, **CALM}
    for body in (yesterday, this_morning):
        assert patient.post("/api/v1/checkins", body).status_code == 201, body
    changed = {"id": str(uuid.uuid4()), "morning_pain": 2, "back_pain": 1, **CALM}
    assert patient.post(f"/api/v1/checkins/{this_morning['id']}/corrections", changed).status_code == 201
    psfs = {"id": str(uuid.uuid4()), "items": ["Sit through a film", "Lift my toddler", "Run 2 km"],
            "answers": {"1": 3, "2": 2, "3": 1}}
    assert patient.post("/api/v1/questionnaires/psfs/responses", psfs).status_code == 201
    assert patient.post("/api/v1/questionnaires/nprs/responses", {"id": str(uuid.uuid4()), "answers": {"1": 4}}).status_code == 201
    return {"first": first, "second": second, "early": early, "sessions": sessions, "fix": fix,
            "checkins": (yesterday, this_morning), "changed": changed, "psfs": psfs}


def _by_type(bundle):
    out: dict[str, list] = {}
    for entry in bundle["entry"]:
        out.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    return out


def _ref(resource):
    return {"reference": "urn:uuid:" + resource["id"]}


def test_the_bundle_holds_the_record_and_validates(app, enrolled, therapist_api):
    _patient, patient_id, _ = enrolled
    posted = _history(enrolled, therapist_api)
    response = therapist_api.get(f"/api/v1/patients/{patient_id}/fhir")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/fhir+json"
    bundle = json.loads(response.get_data(as_text=True))
    parsed = Bundle.model_validate(bundle)  # the R4B models accept it
    assert parsed.type == "collection" and len(parsed.entry) == len(bundle["entry"])
    assert all(e["fullUrl"] == "urn:uuid:" + e["resource"]["id"] for e in bundle["entry"])
    assert len({e["fullUrl"] for e in bundle["entry"]}) == len(bundle["entry"])

    found = _by_type(bundle)
    assert Counter({k: len(v) for k, v in found.items()}) == Counter(
        Patient=1, CarePlan=2, ServiceRequest=4, Procedure=3, Observation=3 * 2 + 3 + 2, QuestionnaireResponse=2)
    patient = found["Patient"][0]
    assert patient["name"] == [{"text": "Jo Patient"}] and patient["extension"][0]["valueCode"] == "Europe/Madrid"

    # Program versions: the chain of CarePlans and their ServiceRequests.
    v1, v2 = found["CarePlan"]
    assert (v1["status"], v2["status"]) == ("revoked", "active")
    assert v2["replaces"] == [_ref(v1)] and "replaces" not in v1
    assert v1["period"]["end"] == v2["period"]["start"] and "end" not in v2["period"]
    requests = {r["id"]: r for r in found["ServiceRequest"]}
    for plan in (v1, v2):
        assert plan["subject"] == _ref(patient)
        for activity in plan["activity"]:
            request = requests[activity["reference"]["reference"].removeprefix("urn:uuid:")]
            assert request["basedOn"] == [_ref(plan)] and request["status"] == plan["status"]
    for request in requests.values():
        assert request["code"]["coding"] == [{"system": "http://snomed.info/sct", "code": "229065009",
                                              "display": "Exercise therapy"}]
    loaded = requests[v2["activity"][1]["reference"]["reference"].removeprefix("urn:uuid:")]
    assert loaded["code"]["text"] == posted["second"]["items"][1]["exercise_name"]
    assert loaded["patientInstruction"].startswith("2 sets × 1 reps; hold 45 s; side: left; load: 2.5 kg, band; 2 times a day")
    assert loaded["occurrenceTiming"]["repeat"]["frequency"] == 2
    weekly = requests[v2["activity"][0]["reference"]["reference"].removeprefix("urn:uuid:")]
    assert weekly["occurrenceTiming"]["repeat"]["dayOfWeek"] == ["mon", "wed", "fri"]

    # Sessions: the current record of each, the corrected one noted.
    procedures = found["Procedure"]
    assert [p["identifier"][0]["value"] for p in procedures] == [
        f"urn:uuid:{i}" for i in (posted["early"]["id"], posted["fix"]["id"], posted["sessions"][1]["id"])]
    assert all(p["status"] == "completed" for p in procedures)
    assert procedures[0]["basedOn"] == [_ref(requests[v1["activity"][0]["reference"]["reference"][9:]])]
    corrected = procedures[1]
    assert corrected["basedOn"] == [_ref(weekly)]
    assert [n["text"] for n in corrected["note"]][:2] == ["3 sets × 10 reps done, effort 5/10", "Felt tight"]
    assert "Corrected by the patient (1 correction)" in corrected["note"][2]["text"]
    with app.app_context():
        stored = Completion.get_by_id(posted["fix"]["id"])
        assert corrected["performedDateTime"] == stored.performed_at.replace(tzinfo=UTC).isoformat()

    # Pain ratings: LOINC 72514-3, survey, 0-10; sessions' ratings part of the Procedure,
    # check-ins' back and leg pain at their body sites.
    observations = found["Observation"]
    for obs in observations:
        assert obs["code"]["coding"][0]["system"] == "http://loinc.org" and obs["code"]["coding"][0]["code"] == "72514-3"
        assert obs["category"][0]["coding"][0]["code"] == "survey" and 0 <= obs["valueInteger"] <= 10
    from_sessions = [o for o in observations if "partOf" in o]
    assert len(from_sessions) == 6
    parts = {o["partOf"][0]["reference"] for o in from_sessions}
    assert parts == {"urn:uuid:" + p["id"] for p in procedures}
    assert sorted(o["valueInteger"] for o in from_sessions if o["partOf"] == [_ref(corrected)]) == [3, 4]
    morning = [o for o in observations if "partOf" not in o]
    sites = [(o["effectiveDateTime"], o.get("bodySite", {}).get("coding", [{}])[0].get("code"), o["valueInteger"])
             for o in morning]
    yesterday, today = (c["date"] for c in posted["checkins"])
    assert sites == [(yesterday, None, 3), (yesterday, "37822005", 3), (yesterday, "61685007", 5),
                     (today, None, 2), (today, "37822005", 1)]

    # Outcome measures.
    psfs, nprs = found["QuestionnaireResponse"]
    assert psfs["questionnaire"] == "urn:hep:questionnaire:psfs|1" and psfs["status"] == "completed"
    assert psfs["item"] == [{"linkId": str(n), "text": text, "answer": [{"valueInteger": value}]}
                            for n, (text, value) in enumerate(zip(posted["psfs"]["items"], (3, 2, 1), strict=True), 1)]
    assert nprs["item"][0]["answer"] == [{"valueInteger": 4}] and nprs["questionnaire"] == "urn:hep:questionnaire:nprs|1"

    with app.app_context():
        assert CheckIn.select().count() == 3 and QuestionnaireResponse.select().count() == 2
        event = AuditEvent.get(AuditEvent.action == "patient.fhir_export")
        assert event.patient_id == patient_id and event.detail == {"resources": len(bundle["entry"])}


def test_two_exports_of_the_same_data_are_identical(app, enrolled, therapist_api):
    _patient, patient_id, _ = enrolled
    _history(enrolled, therapist_api)
    first = therapist_api.get(f"/api/v1/patients/{patient_id}/fhir").get_data()
    second = therapist_api.get(f"/api/v1/patients/{patient_id}/fhir").get_data()
    assert first == second
    with app.app_context():
        assert AuditEvent.select().where(AuditEvent.action == "patient.fhir_export").count() == 2


def test_only_the_patients_therapist_gets_it(app, api, enrolled):
    patient, patient_id, _ = enrolled
    with app.app_context():
        create_or_update_therapist("other@clinic.test", PASSWORD, "Other", "Clinic B")
    other = api()
    assert other.post("/api/v1/auth/login", {"email": "other@clinic.test", "password": PASSWORD}).status_code == 200
    refused = other.get(f"/api/v1/patients/{patient_id}/fhir")
    assert refused.status_code == 404 and refused.headers["Content-Type"] == "application/problem+json"
    assert patient.get(f"/api/v1/patients/{patient_id}/fhir").status_code == 403
    with app.app_context():
        assert AuditEvent.select().where(AuditEvent.action == "patient.fhir_export").count() == 0


def test_a_patient_without_a_program_is_a_bundle_of_one(app, therapist_api):
    created = therapist_api.post("/api/v1/patients", {"display_name": "New", "timezone": "UTC",
                                                      "email": "new@example.test"}).get_json()
    bundle = json.loads(therapist_api.get(f"/api/v1/patients/{created['id']}/fhir").get_data(as_text=True))
    Bundle.model_validate(bundle)
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Patient"]
    assert bundle["entry"][0]["resource"]["telecom"] == [{"system": "email", "value": "new@example.test"}]
