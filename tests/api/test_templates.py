"""Program templates: shared within the clinic, validated with field names, a program can
start from one, and a template never holds (or exports) patient data."""
from __future__ import annotations

import pytest

from hep.models import Prescription, ProgramTemplate, ProgramVersion
from hep.people.accounts import create_or_update_therapist

from conftest import PASSWORD, exercise_id


def template_body(client, **extra):
    return {"name": "Acute sciatica, week 1", "phase": "calm", "notes": "Little and often.",
            "items": [{"exercise_id": exercise_id(client, "seated-sciatic-nerve-slider"), "sets": 2, "reps": 8},
                      {"exercise_id": exercise_id(client, "prone-on-elbows"), "hold_seconds": 30}], **extra}


def sign_in(app, api, email, clinic):
    with app.app_context():
        create_or_update_therapist(email, PASSWORD, email.split("@")[0].title(), clinic)
    client = api()
    assert client.post("/api/v1/auth/login", {"email": email, "password": PASSWORD}).status_code == 200
    return client


def test_a_template_is_shared_within_the_clinic_only(app, api, therapist_api):
    created = therapist_api.post("/api/v1/templates", template_body(therapist_api))
    assert created.status_code == 201, created.get_json()
    template = created.get_json()
    assert template["name"] == "Acute sciatica, week 1" and template["created_by"] == "Pat Therapist"
    assert [i["exercise_name"] for i in template["items"]] == ["Seated sciatic nerve slider",
                                                               "Lying face down on your elbows"]
    assert template["items"][0]["sets"] == 2 and template["items"][1]["hold_seconds"] == 30
    with app.app_context():
        stored = ProgramTemplate.get_by_id(template["id"])
        assert stored.clinic.name == "Clinic A" and stored.items[0]["reps"] == 8

    colleague = sign_in(app, api, "colleague@clinic.test", "Clinic A")
    assert [t["id"] for t in colleague.get("/api/v1/templates").get_json()] == [template["id"]]
    stranger = sign_in(app, api, "stranger@other.test", "Clinic B")
    assert stranger.get("/api/v1/templates").get_json() == []
    patient_id = stranger.post("/api/v1/patients", {"display_name": "B1", "timezone": "UTC"}).get_json()["id"]
    refused = stranger.post(f"/api/v1/patients/{patient_id}/program", {"template_id": template["id"]})
    assert refused.status_code == 404


@pytest.mark.parametrize(("body", "fields"), [
    ({}, {"name", "phase", "items"}),
    ({"name": "", "phase": "calm", "items": [{"exercise_id": 1}]}, {"name"}),
    ({"name": "x", "phase": "sprint", "items": [{"exercise_id": 1}]}, {"phase"}),
    ({"name": "x", "phase": "calm", "items": []}, {"items"}),
    ({"name": "x", "phase": "calm", "items": [{"exercise_id": 1, "reps": 0}]}, {"items"}),
    ({"name": "x", "phase": "calm", "items": [{"exercise_id": 999999}]}, {"items.0.exercise_id"}),
])
def test_bad_templates_are_422_naming_the_fields(app, therapist_api, body, fields):
    response = therapist_api.post("/api/v1/templates", body)
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert set(response.get_json()["errors"]) == fields
    with app.app_context():
        assert ProgramTemplate.select().count() == 0


def test_a_program_starts_from_a_template(app, therapist_api):
    template = therapist_api.post("/api/v1/templates", template_body(therapist_api)).get_json()
    patient_id = therapist_api.post("/api/v1/patients", {"display_name": "T1", "timezone": "UTC"}).get_json()["id"]
    url = f"/api/v1/patients/{patient_id}/program"
    started = therapist_api.post(url, {"template_id": template["id"]})
    assert started.status_code == 201, started.get_json()
    version = started.get_json()
    assert version["phase"] == "calm" and version["notes"] == "Little and often."
    assert [i["exercise_name"] for i in version["items"]] == ["Seated sciatic nerve slider", "Lying face down on your elbows"]
    # Fields the template leaves out come from the library, as for any program.
    assert version["items"][0]["reps"] == 8 and version["items"][1]["hold_seconds"] == 30
    with app.app_context():
        assert Prescription.select().join(ProgramVersion).where(ProgramVersion.id == version["id"]).count() == 2
    # Fields given replace the template's.
    again = therapist_api.post(url, {"template_id": template["id"], "notes": "Own words."})
    assert again.status_code == 201 and again.get_json()["notes"] == "Own words."
    assert therapist_api.post(url, {"template_id": 999999}).status_code == 404
    missing = therapist_api.post(url, {"notes": "no phase, no items"})
    assert missing.status_code == 422 and set(missing.get_json()["errors"]) == {"phase", "items"}


def test_templates_stay_out_of_a_patients_export_and_erasure(app, therapist_api):
    template = therapist_api.post("/api/v1/templates", template_body(therapist_api)).get_json()
    patient_id = therapist_api.post("/api/v1/patients", {"display_name": "Export Me", "timezone": "UTC"}).get_json()["id"]
    assert therapist_api.post(f"/api/v1/patients/{patient_id}/program", {"template_id": template["id"]}).status_code == 201
    export = therapist_api.get(f"/api/v1/patients/{patient_id}/export")
    assert export.status_code == 200
    assert not export.get_json()["tables"].get("program_template")
    assert "Acute sciatica, week 1" not in export.get_data(as_text=True)
    erased = therapist_api.post(f"/api/v1/patients/{patient_id}/erasure", {"confirm": "Export Me"})
    assert erased.status_code == 204
    with app.app_context():
        assert ProgramTemplate.get_by_id(template["id"]).name == "Acute sciatica, week 1"
