"""The program editor's self-progression bounds: set per exercise, saved with the version,
shown again when the editor reopens, and a bound below the dose re-rendered 422 naming it."""
from __future__ import annotations

import pytest

from hep.models import Prescription
from tests.support.pages import post_form, sign_in, text_of

from conftest import exercise_id


@pytest.fixture
def browser(app, therapist):
    return sign_in(app, therapist["email"])


def row(hinge, **bounds):
    return {"phase": "load", "notes": "", "action": "save", "items-0-exercise_id": str(hinge), "items-0-sets": "2",
            "items-0-reps": "10", "items-0-side": "both", "items-0-frequency_per_day": "1", "items-0-pain_ceiling": "5",
            "items-0-days_of_week": ["1", "3", "5"], **{f"items-0-sp_{k}": v for k, v in bounds.items()}}


def test_bounds_are_set_in_the_editor_and_kept(app, browser, therapist_api):
    patient_id = therapist_api.post("/api/v1/patients", {"display_name": "Lu Editor", "timezone": "Europe/Madrid"}).get_json()["id"]
    hinge = exercise_id(therapist_api, "hip-hinge-to-box")
    editor = f"/t/patients/{patient_id}/program"

    refused = post_form(browser, editor, row(hinge, reps_max="8"))
    assert refused.status_code == 422
    assert "The most reps is below the reps prescribed." in text_of(refused)

    saved = post_form(browser, editor, row(hinge, reps_max="14", reps_step="2", to_harder="1"))
    assert saved.status_code == 302
    with app.app_context():
        assert Prescription.get().self_progression == {"reps_max": 14, "reps_step": 2, "to_harder": True}
    page = text_of(browser.get(editor))
    assert 'name="items-0-sp_reps_max" type="number"' in page and 'value="14"' in page
    assert 'name="items-0-sp_to_harder" checked' in page

    cleared = post_form(browser, editor, row(hinge))  # every field empty: not allowed
    assert cleared.status_code == 302
    with app.app_context():
        assert [p.self_progression for p in Prescription.select().order_by(Prescription.id)] == [
            {"reps_max": 14, "reps_step": 2, "to_harder": True}, None]
