"""The program side of the therapist workspace: applying a recommendation from the patient's
page (confirmation, post/redirect/get), templates in the editor, and the small page fixes."""
from __future__ import annotations

import re

import pytest

from hep.models import ProgramTemplate, ProgramVersion
from tests.support.pages import CSRF, text_of
from tests.support.scenarios import scenarios, steady

HINGE = ("hip-hinge-to-box", {"sets": 2, "reps": 8, "frequency_per_day": 1})


@pytest.fixture
def scenario(api, therapist):
    yield from scenarios(api, therapist, (HINGE,))


def test_apply_a_progress_from_the_patient_page(app, scenario):
    patient = scenario()
    patient.live(steady(8))
    browser = patient.therapist.http
    page = text_of(browser.get(f"/t/patients/{patient.patient_id}"))
    confirm_url = f"/t/patients/{patient.patient_id}/recommendations/{patient.prescriptions[0]}/apply"
    assert f'href="{confirm_url}"' in page and ">Apply</a>" in page

    confirmation = browser.get(confirm_url)
    assert confirmation.status_code == 200
    text = text_of(confirmation)
    before, after = text.index(">Before<"), text.index(">After<")
    assert "Hip hinge to a box" in text[before:after] and "Reach to table height" in text[after:]
    with app.app_context():
        assert ProgramVersion.select().count() == 1  # looking saves nothing

    token = CSRF.search(text).group(1)
    assert browser.post(confirm_url, data={"action": "apply"}).status_code == 400  # no CSRF token
    saved = browser.post(confirm_url, data={"csrf_token": token, "action": "apply"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/t/patients/{patient.patient_id}")
    shown = text_of(browser.get(saved.headers["Location"]))
    assert "Applied: saved version 2 of the program." in shown
    with app.app_context():
        assert ProgramVersion.select().count() == 2


def test_a_hold_cannot_be_applied_and_the_page_says_why(app, scenario):
    patient = scenario()
    patient.live(steady(6) + [{"morning": {}, "sessions": [[(5, 4)]]}])
    browser = patient.therapist.http
    page = text_of(browser.get(f"/t/patients/{patient.patient_id}"))
    confirm_url = f"/t/patients/{patient.patient_id}/recommendations/{patient.prescriptions[0]}/apply"
    assert confirm_url not in page  # no Apply button beside a hold
    refused = browser.get(confirm_url)
    assert refused.status_code == 409
    assert "The recommendation is to hold: nothing to apply yet." in text_of(refused)
    assert 'name="csrf_token"' not in text_of(refused).split("<main", 1)[1]


def editor_form(browser, url, **changes):
    """The editor's fields as shown (one exercise row is enough here), with ``changes``."""
    page = text_of(browser.get(url))
    data = {"csrf_token": CSRF.search(page).group(1), "phase": "calm", "notes": "Little and often."}
    for name in ("exercise_id", "sets", "reps", "hold_seconds", "rest_seconds", "frequency_per_day", "pain_ceiling"):
        match = re.search(rf'name="items-0-{name}" (?:[^>]*?)value="([^"]*)"', page)
        data[f"items-0-{name}"] = match.group(1) if match else ""
    data["items-0-side"] = "both"
    data["items-0-days_of_week"] = ["1", "2", "3", "4", "5"]
    data.update(changes)
    return data


def test_save_as_template_then_start_another_patient_from_it(app, api, therapist_api, enrolled):
    _phone, patient_id, _program = enrolled
    browser = therapist_api.http
    editor = f"/t/patients/{patient_id}/program"
    nameless = browser.post(editor, data=editor_form(browser, editor, action="save_template", template_name=""))
    assert nameless.status_code == 422 and 'id="name-error"' in text_of(nameless)
    saved = browser.post(editor, data=editor_form(browser, editor, action="save_template",
                                                  template_name="Calm week one"))
    assert saved.status_code == 302 and "template_id=" in saved.headers["Location"]
    reopened = text_of(browser.get(saved.headers["Location"]))
    assert "Saved as the template “Calm week one”, shared with your clinic." in reopened
    with app.app_context():
        template = ProgramTemplate.get()
        assert template.name == "Calm week one" and template.notes == "Little and often."
        assert [i["days_of_week"] for i in template.items] == [[1, 2, 3, 4, 5]]
        assert ProgramVersion.select().count() == 1  # a template is not a program version

    other = therapist_api.post("/api/v1/patients", {"display_name": "Second", "timezone": "UTC"}).get_json()["id"]
    other_editor = f"/t/patients/{other}/program"
    page = text_of(browser.get(other_editor))
    assert f'<option value="{template.id}"' in page and "Calm week one" in page
    started = text_of(browser.get(f"{other_editor}?template_id={template.id}"))
    assert "Little and often." in started and 'name="items-0-exercise_id"' in started
    posted = browser.post(other_editor, data=editor_form(browser, f"{other_editor}?template_id={template.id}",
                                                         action="save"))
    assert posted.status_code == 302
    program = therapist_api.get(f"/api/v1/patients/{other}/program").get_json()["current"]
    assert program["notes"] == "Little and often." and len(program["items"]) == 1
    assert browser.get(f"{other_editor}?template_id=999999").status_code == 404


def test_library_search_is_a_get_form_on_the_saved_program(enrolled, therapist_api):
    _phone, patient_id, _program = enrolled
    browser = therapist_api.http
    editor = f"/t/patients/{patient_id}/program"
    page = text_of(browser.get(editor))
    search = re.search(r'<form id="library-search" method="get" action="([^"]+)"', page)
    assert search and search.group(1).startswith(editor)
    assert 'name="q" form="library-search"' in page and 'name="phase" form="library-search"' in page
    found = text_of(browser.get(f"{editor}?q=bridge"))
    library = found[found.index('id="library-title"'):]
    library = library[:library.index("</section>")]
    assert "bridge" in library.lower() and "Seated sciatic nerve slider" not in library
    # With a draft on the page, the search posts it along, so nothing typed is lost.
    draft = browser.post(editor, data=editor_form(browser, editor, action="refresh", library_q="bridge"))
    assert draft.status_code == 200 and 'name="library_q"' in text_of(draft)
    assert 'id="library-search"' not in text_of(draft)


def test_favicon_is_served_from_the_app_icon(app):
    response = app.test_client().get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/vnd.microsoft.icon"
    body = response.data
    assert body[:4] == b"\x00\x00\x01\x00" and body[22:30] == b"\x89PNG\r\n\x1a\n"
    assert response.cache_control.max_age == 86400


def test_a_patient_who_never_joined_shows_not_joined_yet(app, api, therapist_api):
    created = therapist_api.post("/api/v1/patients", {"display_name": "Never Joined", "timezone": "UTC"}).get_json()
    assert [f["code"] for f in created["flags"]] == ["not_joined"] and created["joined"] is False
    joiner = therapist_api.post("/api/v1/patients", {"display_name": "Has Joined", "timezone": "UTC"}).get_json()
    assert api().post("/api/v1/auth/join", {"token": joiner["invite_url"].rsplit("/", 1)[-1]}).status_code == 200
    rows = {row["display_name"]: row for row in therapist_api.get("/api/v1/patients").get_json()}
    assert [f["code"] for f in rows["Never Joined"]["flags"]] == ["not_joined"]
    assert rows["Never Joined"]["flags"][0]["alert_id"] is None
    assert rows["Has Joined"]["flags"] == []
    page = text_of(therapist_api.http.get("/t/patients"))
    never = page[page.index("Never Joined"):page.index("</tr>", page.index("Never Joined"))]
    joined = page[page.index("Has Joined"):page.index("</tr>", page.index("Has Joined"))]
    assert "Not joined yet" in never and "Nothing flagged" not in never
    assert "Nothing flagged" in joined and "Not joined yet" not in joined


def test_applying_above_the_volume_cap_asks_to_confirm_with_the_figures(app, scenario):
    patient = scenario([("side-lying-hip-abduction", {"sets": 2, "reps": 10, "frequency_per_day": 1})])
    assert patient.therapist.put(f"/api/v1/patients/{patient.patient_id}/settings",
                                 {"dose_step_percent": 40}).status_code == 200
    patient.live(steady(8))
    browser = patient.therapist.http
    confirm_url = f"/t/patients/{patient.patient_id}/recommendations/{patient.prescriptions[0]}/apply"
    token = CSRF.search(text_of(browser.get(confirm_url))).group(1)
    asked = browser.post(confirm_url, data={"csrf_token": token, "action": "apply"})
    assert asked.status_code == 409
    text = text_of(asked)
    assert "Confirm the increase" in text and "+40 %" in text
    with app.app_context():
        assert ProgramVersion.select().count() == 1
    saved = browser.post(confirm_url, data={"csrf_token": CSRF.search(text).group(1), "action": "confirm"})
    assert saved.status_code == 302
    with app.app_context():
        assert ProgramVersion.select().count() == 2
