"""Program history through the API: each version carries its changes and who made it."""
from __future__ import annotations

from hep.models import ProgramVersion

from conftest import exercise_id


def test_history_lists_each_versions_changes_against_the_one_before(app, therapist_api):
    patient_id = therapist_api.post("/api/v1/patients", {"display_name": "Lu Diff", "timezone": "Europe/Madrid"}).get_json()["id"]
    slider = exercise_id(therapist_api, "seated-sciatic-nerve-slider")
    elbows = exercise_id(therapist_api, "prone-on-elbows")
    url = f"/api/v1/patients/{patient_id}/program"
    first = therapist_api.post(url, {"phase": "calm", "items": [{"exercise_id": slider, "sets": 2, "reps": 10}]})
    assert first.status_code == 201
    assert first.get_json()["changes"] == [{"change": "added", "exercise_id": slider, "exercise_name": "Seated sciatic nerve slider",
                                            "field": None, "before": None, "after": None}]
    second = therapist_api.post(url, {"phase": "calm", "notes": "Twice a day now.", "items": [
        {"exercise_id": slider, "sets": 2, "reps": 12, "frequency_per_day": 2},
        {"exercise_id": elbows, "sets": 3, "reps": 1, "hold_seconds": 60}]})
    assert second.status_code == 201
    name = "Seated sciatic nerve slider"
    expected_second = [
        {"change": "changed", "exercise_id": None, "exercise_name": None, "field": "notes", "before": "", "after": "Twice a day now."},
        {"change": "changed", "exercise_id": slider, "exercise_name": name, "field": "reps", "before": 10, "after": 12},
        {"change": "changed", "exercise_id": slider, "exercise_name": name, "field": "frequency_per_day",
         "before": 3, "after": 2},  # 3: the library's default,
        {"change": "added", "exercise_id": elbows, "exercise_name": "Lying face down on your elbows", "field": None,
         "before": None, "after": None},
    ]
    assert second.get_json()["changes"] == expected_second
    third = therapist_api.post(url, {"phase": "exposure", "notes": "Twice a day now.",
                                     "items": [{"exercise_id": elbows, "sets": 3, "reps": 1, "hold_seconds": 60}]})
    assert third.status_code == 201

    program = therapist_api.get(url).get_json()
    history = program["history"]
    assert [v["number"] for v in history] == [3, 2, 1]
    assert all(v["created_by"] == "Pat Therapist" and v["created_by_role"] == "therapist" for v in history)
    assert [(c["change"], c["exercise_id"], c["field"]) for c in history[0]["changes"]] == [
        ("changed", None, "phase"), ("removed", slider, None)]
    assert history[0]["changes"][0]["before"] == "calm" and history[0]["changes"][0]["after"] == "exposure"
    assert history[1]["changes"] == expected_second
    assert [c["change"] for c in history[2]["changes"]] == ["added"]
    assert program["current"] == history[0]
    with app.app_context():  # the diff is computed, not stored: the versions are the record
        assert ProgramVersion.select().count() == 3


def test_editor_page_shows_the_diff(therapist_api):
    patient_id = therapist_api.post("/api/v1/patients", {"display_name": "Lu Page", "timezone": "Europe/Madrid"}).get_json()["id"]
    slider = exercise_id(therapist_api, "seated-sciatic-nerve-slider")
    url = f"/api/v1/patients/{patient_id}/program"
    therapist_api.post(url, {"phase": "calm", "items": [{"exercise_id": slider, "sets": 2, "reps": 10}]})
    assert therapist_api.post(url, {"phase": "calm", "items": [{"exercise_id": slider, "sets": 2, "reps": 11}]}).status_code == 201
    page = therapist_api.get(f"/t/patients/{patient_id}/program").get_data(as_text=True)
    history = page[page.index('id="history"'):]
    assert "Reps: 10 → 11" in history
    assert "Added: Seated sciatic nerve slider" in history
