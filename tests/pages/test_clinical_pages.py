"""The therapist's clinical-record pages through their HTML forms: assessments (save, 422,
reassess, compare), the fear hierarchy and exposure sessions, thresholds, outcome measures,
and who may reach them."""
from __future__ import annotations

import re
import uuid
from dataclasses import fields

import pytest

from hep.clinical import ASSESSMENT_FIELDS, SECTIONS, ClinicalSettings
from hep.models import Assessment, AuditEvent, ExposureSession, HierarchyItem, Patient
from hep.people.accounts import create_or_update_therapist
from hep.therapist import assessment_form
from tests.support.pages import CSRF, post_form, sign_in, text_of

from conftest import PASSWORD

RED_FLAGS = [f.name for f in ASSESSMENT_FIELDS if f.section == "red_flags" and f.kind == "bool"]


@pytest.fixture
def browser(app, therapist):
    return sign_in(app, therapist["email"])


@pytest.fixture
def patient_id(therapist_api):
    created = therapist_api.post("/api/v1/patients", {"display_name": "Ana García", "timezone": "Europe/Madrid"})
    return created.get_json()["id"]


def assessment(**fields):
    """A complete form: the required fields plus ``fields`` (red flags all "no")."""
    return {"kind": "initial", "assessed_on": "2026-11-02", "irritability": "moderate",
            "most_distal_symptom": "below_knee", **{name: "no" for name in RED_FLAGS}, **fields}


def test_every_label_of_the_spec_is_marked_for_translation():
    texts = {f.label for f in ASSESSMENT_FIELDS} | {title for _code, title in SECTIONS}
    assert texts <= assessment_form.SPEC_TEXTS
    assert {c for f in ASSESSMENT_FIELDS for c in f.choices} <= set(assessment_form.CHOICE_LABELS)


def test_an_assessment_saved_through_the_form(app, browser, therapist, patient_id):
    form = f"/t/patients/{patient_id}/assessments/new"
    page = text_of(browser.get(form))
    assert "Red-flag screen" in page and 'name="saddle_numbness" value="yes"' in page
    saved = post_form(browser, form, assessment(
        pain_now="6", aggravating=["sitting", "bending"], numbness="yes", psfs_activities="Run 5 km\n\nLift my son\nGarden\n",
        spinal_movement_notes="Flexion reproduces calf pain."))
    assert saved.status_code == 302
    with app.app_context():
        row = Assessment.get()
        assert (row.patient_id, row.kind, row.assessed_on.isoformat(), row.created_by_id) == \
            (patient_id, "initial", "2026-11-02", therapist["id"])
        assert row.data["pain_now"] == 6 and row.data["numbness"] is True
        assert row.data["aggravating"] == ["sitting", "bending"]
        assert row.data["psfs_activities"] == ["Run 5 km", "Lift my son", "Garden"]
        assert row.data["saddle_numbness"] is False and "weakness" not in row.data
        assert AuditEvent.get(AuditEvent.action == "assessment.create").detail["assessment"] == row.id
    page = text_of(browser.get(saved.headers["Location"]))
    assert "Assessment saved." in page and "Flexion reproduces calf pain." in page
    assert "Sitting, Bending" in page and "Run 5 km; Lift my son; Garden" in page
    assert "Red-flag screen positive" not in page


def test_a_positive_red_flag_screen_shows_an_urgent_banner(app, browser, patient_id):
    form = f"/t/patients/{patient_id}/assessments/new"
    saved = post_form(browser, form, assessment(saddle_numbness="yes", bladder_or_bowel_change="yes"))
    page = text_of(browser.get(saved.headers["Location"]))
    assert re.search(r'class="banner-urgent" role="alert">.*Red-flag screen positive: Saddle numbness, '
                     r'New bladder or bowel disturbance — arrange urgent medical review\.', page, re.DOTALL)
    assert '<tr class="red-flag">' in page


def test_a_bad_assessment_is_422_naming_each_field_and_saves_nothing(app, browser, patient_id):
    data = assessment(pain_now="11", hip_flexion_degrees_left="lots", psfs_activities="Run")
    for name in ("saddle_numbness", "history_of_cancer"):
        del data[name]
    response = post_form(browser, f"/t/patients/{patient_id}/assessments/new", data)
    assert response.status_code == 422
    page = text_of(response)
    assert "Nothing was saved." in page
    for name, message in [("saddle_numbness", "Answer yes or no."), ("history_of_cancer", "Answer yes or no."),
                          ("pain_now", "Must be between 0 and 10."), ("hip_flexion_degrees_left", "Must be a whole number."),
                          ("psfs_activities", "Must have between 3 and 5 entries")]:
        assert re.search(rf'<p class="field-error" id="{name}-error">[^<]*{re.escape(message)}', page), name
    assert 'value="11"' in page and ">Run</textarea>" in page  # what was typed is kept
    assert "bladder_or_bowel_change-error" not in page
    with app.app_context():
        assert Assessment.select().count() == 0


def test_reassess_starts_from_the_latest_and_the_comparison_shows_better(app, browser, patient_id):
    form = f"/t/patients/{patient_id}/assessments/new"
    post_form(browser, form, assessment(pain_now="7", irritability="high"))
    prefilled = text_of(browser.get(form))
    assert 'name="kind" value="reassessment" checked' in prefilled
    assert '<option value="below_knee" selected>' in prefilled and 'value="7"' in prefilled
    assert 'name="saddle_numbness" value="no" checked' not in prefilled  # asked afresh
    post_form(browser, form, assessment(kind="reassessment", assessed_on="2026-11-30", pain_now="3",
                                        irritability="high", most_distal_symptom="buttock"))
    with app.app_context():
        assert [a.kind for a in Assessment.select().order_by(Assessment.id)] == ["initial", "reassessment"]
    page = text_of(browser.get(f"/t/patients/{patient_id}/assessments/compare"))
    assert re.search(r"Most distal symptom</th>\s*<td[^>]*>Below the knee</td>\s*<td[^>]*>Buttock</td>\s*"
                     r'<td><span class="badge badge-better">Better</span>', page), page
    assert re.search(r"Pain now \(0-10\)</th>\s*<td[^>]*>7</td>\s*<td[^>]*>3</td>\s*<td><span[^>]*>Better", page)
    assert re.search(r"Irritability</th>\s*<td[^>]*>High</td>\s*<td[^>]*>High</td>\s*<td><span[^>]*>Same", page)
    with app.app_context():
        first, latest = (a.id for a in Assessment.select().order_by(Assessment.id))
    swapped = text_of(browser.get(f"/t/patients/{patient_id}/assessments/compare?before={latest}&after={first}"))
    assert re.search(r"Most distal symptom</th>\s*<td[^>]*>Buttock</td>.*?badge-worse\">Worse", swapped, re.DOTALL)
    assert browser.get(f"/t/patients/{patient_id}/assessments/compare?before=999999").status_code == 404


def test_compare_with_one_assessment_explains_what_it_needs(browser, patient_id):
    page = text_of(browser.get(f"/t/patients/{patient_id}/assessments/compare"))
    assert "Comparing needs two assessments." in page


def _session_id(page, item_id):
    form = re.search(rf'name="item_id" value="{item_id}">\s*<input type="hidden" name="id" value="([^"]+)"', page)
    return form.group(1)


def test_hierarchy_add_an_activity_and_record_sessions_until_mastered(app, browser, patient_id):
    path = f"/t/patients/{patient_id}/hierarchy"
    bad = post_form(browser, path, {"action": "add", "activity": "", "harm_rating": "150"})
    assert bad.status_code == 422
    assert re.search(r'id="add-activity-error">Required\.', text_of(bad))
    assert re.search(r'id="add-harm_rating-error">Must be between 0 and 100\.', text_of(bad))
    assert post_form(browser, path, {"action": "add", "activity": "Bend to the floor", "harm_rating": "60"}).status_code == 302
    assert post_form(browser, path, {"action": "add", "activity": "Sit 30 minutes", "harm_rating": "30"}).status_code == 302
    with app.app_context():
        item = HierarchyItem.get(HierarchyItem.activity == "Bend to the floor")
        assert (item.patient_id, item.harm_rating) == (patient_id, 60)
        assert AuditEvent.select().where(AuditEvent.action == "hierarchy.add").count() == 2
    page = text_of(browser.get(path))
    assert page.index("1. Sit 30 minutes") < page.index("2. Bend to the floor")  # lowest harm first

    def section_of(page):
        section = page[page.index(f'id="item-{item.id}"'):]
        return section[:section.index("</section>")]

    for prediction, before, after, safety in [(70, 60, 15, "yes"), (50, 50, 10, "no"), (20, 40, 5, "no")]:
        client_id = _session_id(text_of(browser.get(path)), item.id)
        sent = {"action": "session", "item_id": str(item.id), "id": client_id,
                "feared_outcome": "My back will give way", "prediction": str(prediction),
                "fear_before": str(before), "outcome_happened": "no", "fear_after": str(after),
                "safety_behaviour": safety}
        assert post_form(browser, path, sent).status_code == 302
        if prediction == 70:
            section = section_of(text_of(browser.get(path)))
            assert 'data-status="in_progress">In progress' in section
            assert re.search(r'data-code="no_safety_behaviour" data-met="no">.*a safety behaviour was used', section)
    assert post_form(browser, path, sent).status_code == 302  # the same form twice: stored once
    with app.app_context():
        rows = list(ExposureSession.select().where(ExposureSession.item == item.id))
        assert sorted((r.prediction, r.fear_before, r.fear_after, r.outcome_happened, r.safety_behaviour)
                      for r in rows) == [(20, 40, 5, False, False), (50, 50, 10, False, False),
                                         (70, 60, 15, False, True)]
    section = section_of(text_of(browser.get(path)))
    assert 'data-status="mastered">Mastered' in section
    assert re.search(r'data-code="prediction_fell" data-met="yes">.*prediction fell by 50 points; 20 needed', section)
    assert "expected 20 % likely; it did not happen" in section
    assert section.index("expected 20 %") < section.index("expected 70 %")  # newest first
    assert "Meaningful change" in section

    refused = post_form(browser, path, {"action": "session", "item_id": str(item.id), "id": str(uuid.uuid4()),
                                        "feared_outcome": "", "prediction": "120",
                                        "fear_before": "101", "fear_after": ""})
    assert refused.status_code == 422
    text = text_of(refused)
    assert re.search(rf'id="s{item.id}-fear_before-error">Must be between 0 and 100\.', text)
    assert re.search(rf'id="s{item.id}-prediction-error">Must be between 0 and 100\.', text)
    for name in ("fear_after", "feared_outcome", "outcome_happened", "safety_behaviour"):
        assert re.search(rf'id="s{item.id}-{name}-error">Required\.', text), name
    with app.app_context():
        assert ExposureSession.select().count() == 3


def _settings_form(page):
    return dict(re.findall(r'<input id="set-[a-z_]+" name="([a-z_]+)" type="number" step="[^"]+" '
                           r'inputmode="decimal" value="([^"]*)"', page))


def test_thresholds_save_only_the_overrides_and_refuse_bad_values(app, browser, patient_id):
    path = f"/t/patients/{patient_id}/settings"
    values = _settings_form(text_of(browser.get(path)))
    assert values["min_sessions"] == "3" and values["adherence_target_percent"] == "80"
    assert len(values) == len(fields(ClinicalSettings))
    saved = post_form(browser, path, {**values, "min_sessions": "4", "morning_rise_points": "1,5"})
    assert saved.status_code == 302
    with app.app_context():
        assert Patient.get_by_id(patient_id).clinical_settings == {"min_sessions": 4, "morning_rise_points": 1.5}
        assert AuditEvent.get(AuditEvent.action == "settings.update").detail["overrides"]["min_sessions"] == 4
    page = text_of(browser.get(path))
    assert 'name="min_sessions" type="number" step="1" inputmode="decimal" value="4"' in page
    assert "Changed for this patient" in page

    bad = post_form(browser, path, {**values, "trend_days": "5", "pain_during_progress_max": "6",
                                    "min_sessions": "2.5"})
    assert bad.status_code == 422
    page = text_of(bad)
    assert re.search(r'id="set-trend_days-error">Must be between 7 and 90\.', page)
    assert re.search(r'id="set-min_sessions-error">Must be a whole number\.', page)
    assert 'value="5"' in page
    with app.app_context():
        assert Patient.get_by_id(patient_id).clinical_settings == {"min_sessions": 4, "morning_rise_points": 1.5}
    crossed = post_form(browser, path, {**values, "pain_during_progress_max": "6"})
    assert crossed.status_code == 422 and "no hold band" in text_of(crossed)


def test_outcomes_show_the_psfs_change_recorded_by_the_patient(app, browser, enrolled):
    patient, patient_id, _program = enrolled
    assert "No outcome measures answered yet." in text_of(browser.get(f"/t/patients/{patient_id}/outcomes"))
    activities = ["Run 5 km", "Lift my son", "Sit through a film"]
    for answers in ({"1": 3, "2": 2, "3": 1}, {"1": 6, "2": 5, "3": 4}):
        response = patient.post("/api/v1/questionnaires/psfs/responses",
                                {"id": str(uuid.uuid4()), "items": activities, "answers": answers})
        assert response.status_code == 201, response.get_json()
    page = text_of(browser.get(f"/t/patients/{patient_id}/outcomes"))
    assert "Patient-Specific Functional Scale" in page
    assert "Change from the first to the latest: +3" in page
    assert 'badge-better">Better' in page and ">Meaningful<" in page
    assert re.search(r"<td>2</td>.*Activities: Run 5 km, Lift my son, Sit through a film", page, re.DOTALL)


def test_pages_are_in_spanish_for_a_spanish_browser(browser, patient_id):
    page = text_of(browser.get(f"/t/patients/{patient_id}/assessments/new", headers={"Accept-Language": "es"}))
    assert "Nueva valoración" in page and "Anestesia en silla de montar" in page


PAGES = ["assessments", "assessments/new", "assessments/compare", "hierarchy", "settings", "outcomes"]
FORMS = {"assessments/new": assessment(), "hierarchy": {"action": "add", "activity": "Bend", "harm_rating": "10"},
         "settings": {"min_sessions": "3"}}


def test_another_therapist_gets_404_and_a_patient_403(app, browser, enrolled):
    patient, patient_id, _program = enrolled
    with app.app_context():
        create_or_update_therapist("other@clinic.test", PASSWORD, "Other", "Clinic B")
    other = sign_in(app, "other@clinic.test")
    token = CSRF.search(other.get("/t/patients").get_data(as_text=True)).group(1)
    for page in PAGES:
        url = f"/t/patients/{patient_id}/{page}"
        assert browser.get(url).status_code == 200, url
        assert other.get(url).status_code == 404, url
        assert patient.http.get(url).status_code == 403, url
        if page in FORMS:
            assert other.post(url, data={"csrf_token": token, **FORMS[page]}).status_code == 404, url
    with app.app_context():
        assert Assessment.select().count() == HierarchyItem.select().count() == 0
        assert Patient.get_by_id(patient_id).clinical_settings in (None, {})


def test_the_patient_page_links_to_the_clinical_records(browser, patient_id):
    page = text_of(browser.get(f"/t/patients/{patient_id}"))
    for path, text in [("assessments", "Assessments"), ("hierarchy", "Fear hierarchy"),
                       ("outcomes", "Outcome measures"), ("settings", "Thresholds")]:
        assert f'href="/t/patients/{patient_id}/{path}">{text}</a>' in page
