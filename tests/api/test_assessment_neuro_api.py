"""The neurological exam through the API: a reassessment with a new weakness raises a stored
alert at its tier, which stops the program; bad values are 422 naming ``data.<field>``."""
from __future__ import annotations

import pytest

from hep.models import Alert, Assessment, AuditEvent

SCREEN_CLEAR = {name: False for name in (
    "saddle_numbness", "bladder_or_bowel_change", "sexual_dysfunction", "progressive_weakness",
    "bilateral_leg_symptoms", "unexplained_weight_loss", "history_of_cancer", "fever_or_unwell",
    "constant_night_pain", "recent_significant_trauma")}
LEVELS = ("l2", "l3", "l4", "l5", "s1")
#: The first assessment: a left L5 radiculopathy (great-toe extension 4/5) is the baseline.
NEURO = {f"myotome_{lv}_{side}": 5 for lv in LEVELS for side in ("left", "right")} | {
    f"sensation_{lv}_{side}": "normal" for lv in LEVELS for side in ("left", "right")} | {
    "myotome_l5_left": 4, "sensation_l5_left": "reduced", "saddle_sensation": "normal",
    "reflex_patellar_left": "normal", "reflex_patellar_right": "normal",
    "reflex_achilles_left": "normal", "reflex_achilles_right": "normal",
    "babinski_left": "absent", "babinski_right": "absent", "clonus_left": "absent", "clonus_right": "absent",
    "heel_walking_left": "difficult", "heel_walking_right": "normal", "heel_raises_left": 20, "heel_raises_right": 25,
    "slr_angle_left": 40, "slr_angle_right": 80, "slr_symptoms_reproduced_left": True, "slr_crossed_left": False,
    "slump_left": "positive", "prone_knee_bend_left": "negative", "lateral_shift": "right",
    "working_classification": "radiculopathy", "pain_dominance": "leg", "back_pain_nprs": 3, "leg_pain_nprs": 7,
    "severity": 7, "pain_nature": "neuropathic", "sitting_hours_per_day": 8, "distance_per_week_km": 30,
    "heaviest_lift_kg": 140}
BASE = {"most_distal_symptom": "foot", "irritability": "moderate", **SCREEN_CLEAR}


def post(client, patient_id, day, data, kind="reassessment"):
    return client.post(f"/api/v1/patients/{patient_id}/assessments",
                       {"kind": kind, "assessed_on": day, "data": BASE | data})


@pytest.mark.parametrize("change, code, level", [
    ({"myotome_l4_left": 4}, "assessment_strength_drop", "urgent"),
    ({"myotome_l4_left": 4, "myotome_s1_left": 3}, "assessment_strength_drop_multiple", "emergency"),
    ({"babinski_right": "present"}, "assessment_new_babinski", "emergency"),
])
def test_a_new_deficit_on_reassessment_is_stored_and_stops(app, enrolled, therapist_api, change, code, level):
    _patient, patient_id, _ = enrolled
    first = post(therapist_api, patient_id, "2026-11-02", NEURO, kind="initial")
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["data"]["myotome_l5_left"] == 4
    # The baseline's L5 weakness, reduced sensation and difficult heel walking raise nothing.
    assert therapist_api.get(f"/api/v1/patients/{patient_id}/alerts").get_json() == []

    second = post(therapist_api, patient_id, "2026-11-16", NEURO | change)
    assert second.status_code == 201, second.get_json()
    alerts = therapist_api.get(f"/api/v1/patients/{patient_id}/alerts").get_json()
    assert [(a["code"], a["level"], a["status"], a["stops"]) for a in alerts] == [(code, level, "open", True)]
    assert alerts[0]["evidence"] == [f"assessment:{second.get_json()['id']}"]
    summary = therapist_api.get(f"/api/v1/patients/{patient_id}/summary").get_json()
    assert {r["status"] for r in summary["recommendations"]} == {"stop"}
    with app.app_context():
        row = Alert.get(Alert.code == code)
        assert (row.level, row.status) == (level, "open")
        assert AuditEvent.select().where(AuditEvent.action == "alert.raise").count() == 1

    compared = therapist_api.get(f"/api/v1/patients/{patient_id}/assessments/compare").get_json()
    changes = {c["name"]: c for c in compared["changes"]}
    name = next(iter(change))
    assert changes[name]["direction"] == "worse" and changes["myotome_l5_left"]["direction"] == "same"
    assert changes["myotome_l4_left"]["label"] == "L4 ankle dorsiflexion (Oxford 0-5), left"


def test_a_reflex_lost_alone_is_a_caution_that_does_not_stop(enrolled, therapist_api):
    _patient, patient_id, _ = enrolled
    assert post(therapist_api, patient_id, "2026-11-02", NEURO, kind="initial").status_code == 201
    assert post(therapist_api, patient_id, "2026-11-16", NEURO | {"reflex_achilles_left": "reduced"}).status_code == 201
    [alert] = therapist_api.get(f"/api/v1/patients/{patient_id}/alerts").get_json()
    assert (alert["code"], alert["level"], alert["stops"]) == ("assessment_reflex_lost", "caution", False)
    summary = therapist_api.get(f"/api/v1/patients/{patient_id}/summary").get_json()
    assert "stop" not in {r["status"] for r in summary["recommendations"]}


def test_bad_neuro_values_are_422_naming_each_field_and_save_nothing(app, enrolled, therapist_api):
    _patient, patient_id, _ = enrolled
    response = post(therapist_api, patient_id, "2026-11-02", NEURO | {
        "myotome_l4_left": 6, "reflex_patellar_right": "hyper", "slr_angle_left": 120, "babinski_left": True,
        "heel_raises_right": -1}, kind="initial")
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert {"data.myotome_l4_left", "data.reflex_patellar_right", "data.slr_angle_left", "data.babinski_left",
            "data.heel_raises_right"} == set(errors)
    assert "between 0 and 5" in errors["data.myotome_l4_left"][0]
    with app.app_context():
        assert Assessment.select().count() == 0 and Alert.select().count() == 0


def test_the_openapi_document_lists_the_assessment_fields_from_the_spec(api):
    document = api().get("/api/v1/openapi.json").get_json()
    data = document["components"]["schemas"]["AssessmentIn"]["properties"]["data"]
    assert data["additionalProperties"] is False
    assert data["properties"]["myotome_l4_left"]["maximum"] == 5
    assert data["properties"]["reflex_achilles_right"]["enum"] == ["normal", "reduced", "absent", "brisk"]
    assert "older assessments" in data["properties"]["hip_flexion_degrees"]["description"]
