"""The program builder without JavaScript: the library filtered by phase, region, equipment
and tags (the same filters as the API), exercises added at their default dose, reordered by
"move up" / "move down" buttons (or the order the drag-and-drop script posts), notes that reach
the patient's Today, and post / redirect / get after saving."""
from __future__ import annotations

import re

import pytest

from hep.models import Exercise, Prescription, ProgramVersion
from tests.support.pages import csrf_from, sign_in, text_of


@pytest.fixture
def browser(app, therapist):
    return sign_in(app, therapist["email"])


def library_ids(page: str) -> list[int]:
    listed = page.split('id="library-title"')[1].split("</ul>")[0]
    return [int(i) for i in re.findall(r'name="add" value="(\d+)"', listed)]


def test_the_library_is_filtered_by_phase_region_equipment_and_tags_like_the_api(app, browser, enrolled, therapist_api):
    _phone, patient_id, _program = enrolled
    editor = f"/t/patients/{patient_id}/program"
    query = {"phase": "load", "region": "hip", "equipment": "none", "irritability": "moderate"}
    page = text_of(browser.get(editor, query_string=query))
    shown = library_ids(page)
    assert shown and re.search(r'<option value="hip" selected>Hip</option>', page)
    with app.app_context():
        for exercise in Exercise.select().where(Exercise.id.in_(shown)):
            assert exercise.phase == "load" and "hip" in exercise.regions and not exercise.equipment
            assert "moderate" in exercise.tags["irritability"]
    api = therapist_api.get("/api/v1/exercises", query_string=query).get_json()
    in_program = {item["exercise_id"] for item in _program["items"]}
    assert sorted(row["id"] for row in api if row["id"] not in in_program) == sorted(shown)

    kettlebell = library_ids(text_of(browser.get(editor, query_string={"equipment": "kettlebell"})))
    with app.app_context():
        assert kettlebell and all("kettlebell" in e.equipment for e in Exercise.select().where(Exercise.id.in_(kettlebell)))
    assert therapist_api.get("/api/v1/exercises?region=elbow").status_code == 422


def draft_of(browser, editor, rows):
    """The editor's form fields for ``rows`` (exercise id, sets, reps), as the page posts them."""
    data = {"csrf_token": csrf_from(browser, editor), "phase": "calm", "notes": "Little and often."}
    for i, (exercise_id, sets, reps) in enumerate(rows):
        data.update({f"items-{i}-exercise_id": str(exercise_id), f"items-{i}-sets": str(sets),
                     f"items-{i}-reps": str(reps), f"items-{i}-frequency_per_day": "1", f"items-{i}-side": "none",
                     f"items-{i}-pain_ceiling": "3", f"items-{i}-days_of_week": [str(d) for d in range(1, 8)]})
    return data


def saved_order(app) -> list[int]:
    with app.app_context():
        latest = ProgramVersion.select().order_by(ProgramVersion.id.desc()).first()
        return [p.exercise_id for p in Prescription.select().where(Prescription.version == latest).order_by(Prescription.position)]


def test_move_down_without_javascript_then_save_keeps_the_new_order(app, browser, enrolled):
    _phone, patient_id, program = enrolled
    editor = f"/t/patients/{patient_id}/program"
    first, second = (item["exercise_id"] for item in program["items"])
    data = draft_of(browser, editor, [(first, 2, 10), (second, 3, 1)])
    moved = browser.post(editor, data={**data, "action": "down-0"})
    page = text_of(moved)
    assert moved.status_code == 200
    assert re.findall(r'name="items-\d+-exercise_id" value="(\d+)"', page) == [str(second), str(first)]
    # The moved exercise's button keeps the focus; the first can no longer go up.
    assert re.search(r'value="down-1"[^>]*autofocus', page) and re.search(r'value="up-0"[^>]*disabled', page)
    with app.app_context():
        assert ProgramVersion.select().count() == 1  # moving saves nothing

    saved = browser.post(editor, data={**draft_of(browser, editor, [(second, 3, 1), (first, 2, 10)]), "action": "save"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/t/patients/{patient_id}")
    assert saved_order(app) == [second, first]
    # Post / redirect / get: the patient's page says what was saved.
    assert "Saved version 2 of the program." in text_of(browser.get(saved.headers["Location"]))


def test_the_order_the_drag_script_posts_is_what_is_saved(app, browser, enrolled, therapist_api):
    _phone, patient_id, program = enrolled
    editor = f"/t/patients/{patient_id}/program"
    first, second = (item["exercise_id"] for item in program["items"])
    data = draft_of(browser, editor, [(first, 2, 10), (second, 3, 1)])
    assert browser.post(editor, data={**data, "order": "1,0", "action": "save"}).status_code == 302
    assert saved_order(app) == [second, first]
    # An order that does not list each item once is ignored (the posted numbering stands).
    data = draft_of(browser, editor, [(first, 2, 10), (second, 3, 1)])
    assert browser.post(editor, data={**data, "order": "1,1", "action": "save"}).status_code == 302
    assert saved_order(app) == [first, second]


def test_notes_for_the_patient_reach_their_today(browser, enrolled):
    phone, patient_id, program = enrolled
    editor = f"/t/patients/{patient_id}/program"
    rows = [(item["exercise_id"], item["sets"], item["reps"]) for item in program["items"]]
    data = {**draft_of(browser, editor, rows), "notes": "Walk 10 minutes after the exercises.", "action": "save"}
    assert browser.post(editor, data=data).status_code == 302
    today = phone.get("/api/v1/today").get_json()
    assert today["notes"] == "Walk 10 minutes after the exercises."
