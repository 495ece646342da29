"""The clinical API: the demo's summary, red flags, settings, assessments, exposure and
questionnaires; asserted on what the therapist sees and what is stored."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

from hep.demo import prepare
from hep.models import Assessment, ExposureSession, Patient, QuestionnaireResponse


def test_demo_summary_has_each_recommendation_with_reasons(app, demo_therapist):
    therapist = demo_therapist
    patient = therapist.get("/api/v1/patients").get_json()[0]
    assert any(flag["code"] == "regress_recommended" for flag in patient["flags"])
    summary = therapist.get(f"/api/v1/patients/{patient['id']}/summary?days=28").get_json()
    by_status = {r["status"]: r for r in summary["recommendations"]}
    assert set(by_status) == {"progress", "hold", "regress"}
    for rec in summary["recommendations"]:
        assert rec["exercise_name"] and rec["reasons"]
        assert all(reason["rule"] and reason["detail"] for reason in rec["reasons"])
    assert by_status["regress"]["reasons"][0]["rule"] == "pain_during_above_regress"
    assert by_status["regress"]["reasons"][0]["evidence"]  # the logs it used
    assert 80 <= summary["adherence"]["session_percent"] <= 100
    assert summary["monitoring_days"]["band"] == "16-30"
    assert summary["pain_series"] and summary["alerts"][0]["code"] == "regress_recommended"
    page = therapist.get(f"/t/patients/{patient['id']}").get_data(as_text=True)
    assert "Sit to stand" in page and "Pain during reached 6/10" in page and "RTM band 16-30" in page
    # The demo's fear hierarchy: one item mastered, one under way, one not started.
    exposure = summary["exposure"]
    assert (exposure["mastered"], exposure["in_progress"], exposure["not_started"]) == (1, 1, 1)
    assert exposure["next_item"]["activity"] == "Lift a laundry basket"
    assert {r["code"] for r in exposure["next_item"]["reasons"]} >= {"no_safety_behaviour", "prediction_low"}
    # A second run of the demo reuses the patient, history and hierarchy.
    with app.test_request_context():
        prepare("http://127.0.0.1:5000")
        assert Patient.select().count() == 1
        assert ExposureSession.select().count() == 5


def test_red_flag_checkin_raises_an_urgent_alert(enrolled, therapist_api):
    patient, patient_id, _ = enrolled
    day = patient.get("/api/v1/today").get_json()["date"]
    response = patient.post("/api/v1/checkins", {
        "id": str(uuid.uuid4()), "date": day, "morning_pain": 4, "settled": "partly",
        "distal_symptom": "thigh", "new_numbness_or_weakness": False, "red_flag_change": True})
    assert response.get_json()["urgent"] is True
    summary = therapist_api.get(f"/api/v1/patients/{patient_id}/summary").get_json()
    # an emergency since the IFOMPT tiers: the therapist is told at once, the program stops
    assert summary["alerts"][0]["level"] == "emergency" and summary["alerts"][0]["code"] == "red_flag"
    listed = therapist_api.get("/api/v1/patients").get_json()
    assert listed[0]["flags"][0]["code"] == "red_flag"
    page = therapist_api.get("/t/patients").get_data(as_text=True)
    assert "Red-flag answer" in page


def test_settings_overrides_are_validated_and_used(app, enrolled, therapist_api):
    _patient, patient_id, _ = enrolled
    bad = therapist_api.put(f"/api/v1/patients/{patient_id}/settings", {"pain_during_progress_max": 11, "nope": 1})
    assert bad.status_code == 422 and {"pain_during_progress_max", "nope"} <= set(bad.get_json()["errors"])
    good = therapist_api.put(f"/api/v1/patients/{patient_id}/settings", {"pain_during_progress_max": 2})
    assert good.status_code == 200 and good.get_json()["settings"]["pain_during_progress_max"] == 2
    with app.app_context():
        assert Patient.get_by_id(patient_id).clinical_settings == {"pain_during_progress_max": 2}
    assert therapist_api.get(f"/api/v1/patients/{patient_id}/summary").get_json()["settings"]["pain_during_progress_max"] == 2


SCREEN_CLEAR = {name: False for name in (
    "saddle_numbness", "bladder_or_bowel_change", "sexual_dysfunction", "progressive_weakness",
    "bilateral_leg_symptoms", "unexplained_weight_loss", "history_of_cancer", "fever_or_unwell",
    "constant_night_pain", "recent_significant_trauma")}


def test_assessments_compare_side_by_side(app, enrolled, therapist_api):
    _patient, patient_id, _ = enrolled
    url = f"/api/v1/patients/{patient_id}/assessments"
    first = therapist_api.post(url, {"assessed_on": "2026-11-01", "data": {
        "most_distal_symptom": "below_knee", "irritability": "high", **SCREEN_CLEAR}})
    assert first.status_code == 201, first.get_json()
    bad = therapist_api.post(url, {"assessed_on": "2026-11-20", "data": {"irritability": "extreme", "made_up": 1}})
    assert bad.status_code == 422 and {"data.irritability", "data.made_up"} <= set(bad.get_json()["errors"])
    second = therapist_api.post(url, {"kind": "reassessment", "assessed_on": "2026-11-22", "data": {
        "most_distal_symptom": "buttock", "irritability": "low", **SCREEN_CLEAR}})
    assert second.status_code == 201
    compared = therapist_api.get(url + "/compare").get_json()
    changes = {c["name"]: c for c in compared["changes"]}
    assert changes["most_distal_symptom"]["direction"] == "better"
    assert changes["irritability"]["before"] == "high" and changes["irritability"]["after"] == "low"
    with app.app_context():
        assert Assessment.select().count() == 2
    assert not therapist_api.get(f"/api/v1/patients/{patient_id}/summary").get_json()["alerts"]


def test_a_cauda_equina_sign_in_an_assessment_is_an_emergency_that_stops(enrolled, therapist_api):
    _patient, patient_id, _ = enrolled
    created = therapist_api.post(f"/api/v1/patients/{patient_id}/assessments", {
        "assessed_on": "2026-11-20", "data": {"most_distal_symptom": "foot", "irritability": "high",
                                              **SCREEN_CLEAR, "saddle_numbness": True}})
    assert created.get_json()["red_flags"] == ["saddle_numbness"]
    summary = therapist_api.get(f"/api/v1/patients/{patient_id}/summary").get_json()
    alert = summary["alerts"][0]
    assert (alert["level"], alert["code"], alert["status"]) == ("emergency", "assessment_saddle_numbness", "open")
    assert {r["status"] for r in summary["recommendations"]} == {"stop"}


def test_fear_hierarchy_and_exposure_sessions(app, enrolled, therapist_api):
    patient, patient_id, _ = enrolled
    url = f"/api/v1/patients/{patient_id}/hierarchy"
    for activity, rating in (("Lift a laundry basket", 70), ("Bend to tie shoes", 30)):
        assert therapist_api.post(url, {"activity": activity, "harm_rating": rating}).status_code == 201
    items = patient.get("/api/v1/hierarchy").get_json()
    assert [i["activity"] for i in items] == ["Bend to tie shoes", "Lift a laundry basket"]
    assert [i["status"] for i in items] == ["not_started", "not_started"]
    shoes = items[0]["id"]
    for prediction, before, after in ((70, 60, 30), (50, 40, 15), (30, 30, 10), (20, 25, 10)):
        body = {"id": str(uuid.uuid4()), "performed_at": datetime.now(UTC).isoformat(),
                "feared_outcome": "My back will give way", "prediction": prediction,
                "fear_before": before, "outcome_happened": False, "fear_after": after,
                "safety_behaviour": False}
        assert patient.post(f"/api/v1/hierarchy/{shoes}/sessions", body).status_code == 201
    assert patient.post(f"/api/v1/hierarchy/{shoes}/sessions", body).status_code == 200  # replay
    items = therapist_api.get(url).get_json()
    assert [i["status"] for i in items] == ["mastered", "not_started"]
    assert items[0]["mastered"] is True and all(r["met"] for r in items[0]["reasons"])
    assert items[0]["sessions"][0]["meaningful_change"] is True
    assert [s["expected_versus_actual"] for s in items[0]["recent"][:2]] == [
        "expected 20 % likely; it did not happen", "expected 30 % likely; it did not happen"]
    with app.app_context():
        assert ExposureSession.select().count() == 4


def test_questionnaires_score_and_show_change(app, enrolled, therapist_api):
    patient, patient_id, _ = enrolled
    codes = {q["code"] for q in patient.get("/api/v1/questionnaires").get_json()}
    assert {"psfs", "fabq", "nprs", "ears"} <= codes
    assert {"psfs", "nprs"} <= {q["code"] for q in patient.get("/api/v1/progress").get_json()["questionnaires_due"]}
    psfs = {"id": str(uuid.uuid4()), "items": ["Sit through a film", "Lift my toddler", "Run 2 km"],
            "answers": {"1": 3, "2": 2, "3": 1}}
    first = patient.post("/api/v1/questionnaires/psfs/responses", psfs)
    assert first.status_code == 201 and first.get_json()["score"]["total"] == 2
    later = {**psfs, "id": str(uuid.uuid4()), "answers": {"1": 7, "2": 6, "3": 5}}
    assert patient.post("/api/v1/questionnaires/psfs/responses", later).status_code == 201
    bad = patient.post("/api/v1/questionnaires/nprs/responses", {"id": str(uuid.uuid4()), "answers": {"1": 14}})
    assert bad.status_code == 422 and any(k.startswith("answers") for k in bad.get_json()["errors"])
    history = therapist_api.get(f"/api/v1/patients/{patient_id}/questionnaires").get_json()
    assert history["psfs"]["change"] == {"delta": 4.0, "meaningful": True, "direction": "better"}
    assert "psfs" not in {q["code"] for q in patient.get("/api/v1/progress").get_json()["questionnaires_due"]}
    with app.app_context():
        assert QuestionnaireResponse.select().count() == 2


def test_a_clinic_adds_an_instrument_as_a_data_file(make_app, tmp_path, api):
    from hep import migrations
    from hep.db import db
    from hep.library.seed import seed_library

    folder = tmp_path / "instance" / "instruments"
    folder.mkdir(parents=True)
    (folder / "sleep.yaml").write_text(
        "code: sleep\nname: Sleep quality\nversion: '1'\nlicence: Clinic's own\n"
        "text_source: original\nbetter: higher\n"
        "items:\n  - {id: '1', text: 'How well did you sleep?', min: 0, max: 10}\n"
        "scoring:\n  total: {method: sum, range: [0, 10]}\n")
    app = make_app()
    with app.app_context():
        migrations.upgrade(db.obj)
        seed_library()
        from hep.care.outcomes import instruments
        from hep.clinical import score

        sleep = instruments()["sleep"]
        assert sleep.items[0].text == "How well did you sleep?"
        assert score(sleep, {"1": 7}).total == 7
