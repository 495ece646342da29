"""Questionnaire due dates from the therapist's schedule, over simulated days: the therapist
chooses which measures at which interval, the patient's Progress says what is due now and
when the others come, and an answer moves the next due day."""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from hep.models import Patient

TZ = ZoneInfo("Europe/Madrid")


def progress(patient) -> dict:
    return patient.get("/api/v1/progress").get_json()


def test_the_schedule_sets_what_is_due_and_when(app, api, therapist, enrolled, therapist_api):
    patient, patient_id, _ = enrolled
    url = f"/api/v1/patients/{patient_id}/questionnaire-schedule"
    defaults = {e["code"]: e["every_days"] for e in therapist_api.get(url).get_json()}
    assert defaults == {"psfs": 14, "nprs": 7, "fabq": 28, "ears": 28}  # none set: the defaults

    saved = therapist_api.put(url, {"items": [{"code": "nprs", "every_days": 3}, {"code": "ears", "every_days": 10}]})
    assert saved.status_code == 200, saved.get_json()
    seen = progress(patient)
    assert [q["code"] for q in seen["questionnaires_due"]] == ["ears", "nprs"]  # never answered: due today
    today = date.fromisoformat(seen["questionnaires_due"][0]["due_on"])
    assert all(q["due_on"] == today.isoformat() for q in seen["questionnaires_due"])

    answered = patient.post("/api/v1/questionnaires/nprs/responses", {"id": str(uuid.uuid4()), "answers": {"1": 4}})
    assert answered.status_code == 201
    seen = progress(patient)
    assert [q["code"] for q in seen["questionnaires_due"]] == ["ears"]
    assert [(q["code"], q["due_on"], q["due"]) for q in seen["questionnaires_schedule"]] == [
        ("ears", today.isoformat(), True), ("nprs", (today + timedelta(days=3)).isoformat(), False)]

    # The patient's phone on the following days (midday in their zone).
    noon = datetime.combine(today, time(12, 0), TZ)
    with time_machine.travel(noon + timedelta(days=2), tick=False):
        assert "nprs" not in [q["code"] for q in progress(patient)["questionnaires_due"]]
    with time_machine.travel(noon + timedelta(days=3), tick=False):
        assert "nprs" in [q["code"] for q in progress(patient)["questionnaires_due"]]
    with app.app_context():
        assert Patient.get_by_id(patient_id).questionnaire_schedule == {"nprs": 3, "ears": 10}
    assert [e["code"] for e in therapist_api.get(url).get_json()] == ["ears", "nprs"]

    assert therapist_api.put(url, {"items": []}).status_code == 200
    assert progress(patient)["questionnaires_due"] == []  # the therapist asks nothing now


@pytest.mark.parametrize("items, field", [
    ([{"code": "odi", "every_days": 7}], "items.0.code"),
    ([{"code": "nprs", "every_days": 7}, {"code": "nprs", "every_days": 3}], "items.1.code"),
    ([{"code": "nprs", "every_days": 0}], "items"),
])
def test_a_bad_schedule_is_refused_naming_the_field_and_nothing_changes(app, enrolled, therapist_api, items, field):
    _patient, patient_id, _ = enrolled
    refused = therapist_api.put(f"/api/v1/patients/{patient_id}/questionnaire-schedule", {"items": items})
    assert refused.status_code == 422
    errors = refused.get_json()["errors"]
    assert any(key.startswith(field) for key in errors), errors
    with app.app_context():
        assert Patient.get_by_id(patient_id).questionnaire_schedule is None


def test_the_outcomes_page_sets_the_schedule(app, therapist, enrolled):
    from tests.support.pages import post_form, sign_in, text_of

    _patient, patient_id, _ = enrolled
    browser = sign_in(app, therapist["email"])
    page = f"/t/patients/{patient_id}/outcomes"
    url = f"/t/patients/{patient_id}/questionnaire-schedule"
    shown = text_of(browser.get(page))
    assert 'name="nprs" type="number" inputmode="numeric" min="1" max="365" value="7"' in shown  # the default
    refused = post_form(browser, url, {"nprs": "0", "psfs": "14"}, form_page=page)
    assert refused.status_code == 422
    assert re.search(r'id="schedule-nprs-error">[^<]*greater than or equal to 1', text_of(refused))
    with app.app_context():
        assert Patient.get_by_id(patient_id).questionnaire_schedule is None
    saved = post_form(browser, url, {"nprs": "5", "psfs": "", "fabq": "", "ears": "30"}, form_page=page)
    assert saved.status_code == 302
    with app.app_context():
        assert Patient.get_by_id(patient_id).questionnaire_schedule == {"nprs": 5, "ears": 30}
    assert "Due now" in text_of(browser.get(page))
