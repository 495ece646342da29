"""The therapist workspace through its HTML forms: sign in, add a patient, join link with QR,
the program editor (save, 422 re-render), the patient page, and who may see these pages."""
from __future__ import annotations

import html
import re
import uuid
from datetime import UTC, datetime

import pytest

from hep.models import Invite, Patient, Prescription, ProgramVersion
from hep.people.accounts import create_or_update_therapist
from tests.support.pages import csrf_from, post_form, sign_in, text_of

from conftest import PASSWORD, exercise_id


@pytest.fixture
def browser(app, therapist):
    return sign_in(app, therapist["email"])



def test_sign_in_is_refused_without_the_csrf_token(app, therapist):
    client = app.test_client()
    response = client.post("/t/login", data={"email": therapist["email"], "password": PASSWORD})
    assert response.status_code == 400


def test_add_a_patient_then_assign_a_program_in_the_editor(app, browser, therapist_api):
    created = post_form(browser, "/t/patients", {"display_name": "Ana García", "timezone": "Europe/Madrid"})
    assert created.status_code == 302
    with app.app_context():
        patient = Patient.get(Patient.display_name == "Ana García")
        assert patient.timezone == "Europe/Madrid" and patient.therapist_id is not None
    page = text_of(browser.get(created.headers["Location"]))
    assert "http://localhost/join/" in page and 'class="segno"' in page
    assert "No program yet." in page

    editor = f"/t/patients/{patient.id}/program"
    assert "No exercises yet" in text_of(browser.get(editor))
    slider = exercise_id(therapist_api, "seated-sciatic-nerve-slider")
    hinge = exercise_id(therapist_api, "hip-hinge-to-box")
    # Ticking exercises in the library adds them at their default dose; nothing is saved yet.
    draft = post_form(browser, editor, {"phase": "exposure", "notes": "Keep it easy.", "action": "refresh",
                                        "add": [str(slider), str(hinge)]})
    assert draft.status_code == 200
    body = text_of(draft)
    assert "Seated sciatic nerve slider" in body and "Hip hinge to a box" in body
    assert f'name="items-1-exercise_id" value="{hinge}"' in body
    with app.app_context():
        assert ProgramVersion.select().count() == 0

    saved = post_form(browser, editor, {
        "phase": "exposure", "notes": "Keep it easy.", "action": "save",
        "items-0-exercise_id": str(slider), "items-0-sets": "2", "items-0-reps": "10",
        "items-0-hold_seconds": "0", "items-0-rest_seconds": "30", "items-0-side": "left",
        "items-0-load": "", "items-0-frequency_per_day": "2", "items-0-pain_ceiling": "4",
        "items-0-days_of_week": ["1", "3", "5"], "items-0-notes": "Slow and small.",
        "items-1-exercise_id": str(hinge), "items-1-sets": "3", "items-1-reps": "8",
        "items-1-side": "both", "items-1-load": "4 kg", "items-1-frequency_per_day": "1",
        "items-1-pain_ceiling": "3", "items-1-days_of_week": ["2", "4"], "items-1-remove": "1",
    })
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/t/patients/{patient.id}")
    with app.app_context():
        version = ProgramVersion.get()
        assert (version.number, version.phase, version.notes) == (1, "exposure", "Keep it easy.")
        assert version.created_by_id == therapist_api.get("/api/v1/me").get_json()["user"]["id"]
        [item] = list(version.ordered_prescriptions())  # the removed row is not saved
        assert (item.exercise_id, item.sets, item.reps, item.side) == (slider, 2, 10, "left")
        assert (item.frequency_per_day, item.pain_ceiling, item.days_of_week) == (2, 4, [1, 3, 5])
        assert item.load is None and item.notes == "Slow and small."

    page = text_of(browser.get(f"/t/patients/{patient.id}"))
    assert "Saved version 1 of the program." in page
    assert "Version 1 · Graded exposure" in page and "Seated sciatic nerve slider" in page
    assert "Mon, Wed, Fri" in page and "pain ceiling 4/10" in page
    assert 'class="segno"' not in page  # the join link is shown once only

    again = text_of(browser.get(editor))
    assert 'name="items-0-sets" type="number" inputmode="numeric"\n      value="2"' in again
    assert 'value="exposure" checked' in again
    history = again.split('id="history-title"')[1]
    assert "Pat Therapist" in history and "Graded exposure" in history and ">1 <span" in history


def test_more_than_four_exercises_shows_a_gentle_hint(app, browser, enrolled, therapist_api):
    _patient, patient_id, _program = enrolled
    editor = f"/t/patients/{patient_id}/program"
    assert "easier to keep up" not in text_of(browser.get(editor))
    library = therapist_api.get("/api/v1/exercises?phase=load").get_json()
    draft = post_form(browser, editor, {**current_rows(browser, editor), "action": "refresh",
                                        "add": [str(row["id"]) for row in library[:3]]})
    assert draft.status_code == 200
    assert "Exercises (5)" in text_of(draft) and "easier to keep up" in text_of(draft)


def current_rows(client, editor):
    """The editor's form fields as they are pre-filled (inputs, checked boxes, selected options)."""
    page = client.get(editor).get_data(as_text=True)
    data: dict[str, list[str]] = {}
    for name, value in re.findall(r'name="(items-\d+-[a-z_]+)"[^>]*?value="([^"]*)"', page):
        if name.endswith("days_of_week") or name.endswith("remove"):
            continue
        data.setdefault(name, []).append(html.unescape(value))
    for name, value in re.findall(r'name="(items-\d+-days_of_week)" value="(\d)" checked', page):
        data.setdefault(name, []).append(value)
    for name, block in re.findall(r'name="(items-\d+-side)"[^>]*>(.*?)</select>', page, re.S):
        data[name] = re.findall(r'value="([a-z]+)" selected', block)
    phase = re.search(r'name="phase" value="([a-z]+)" checked', page).group(1)
    return {"phase": phase, **data}


def test_the_library_filters_by_phase_and_text(browser, enrolled):
    _patient, patient_id, _program = enrolled
    page = text_of(browser.get(f"/t/patients/{patient_id}/program?phase=exposure&q=hinge"))
    library = page.split('id="library-title"')[1].split("</ul>")[0]
    assert "Hip hinge to a box" in library and "Belly breathing" not in library
    assert 'value="exposure" selected' in library and 'value="hinge"' in library
    wider = text_of(browser.get(f"/t/patients/{patient_id}/program?phase=calm"))
    library = wider.split('id="library-title"')[1].split("</ul>")[0]
    assert "Belly breathing" in library and "Hip hinge to a box" not in library


@pytest.mark.parametrize("field, value, message", [
    ("items-0-sets", "0", "Must be greater than or equal to 1"),
    ("items-0-reps", "lots", "Not a valid integer."),
    ("items-0-pain_ceiling", "11", "Must be greater than or equal to 0 and less than or equal to 10."),
    ("items-0-exercise_id", "999999", "Unknown exercise."),
])
def test_bad_dose_rerenders_422_naming_the_field_and_saves_nothing(app, browser, enrolled, field, value, message):
    _patient, patient_id, _program = enrolled
    editor = f"/t/patients/{patient_id}/program"
    data = {**current_rows(browser, editor), "action": "save", field: value}
    response = post_form(browser, editor, data)
    assert response.status_code == 422
    page = text_of(response)
    assert "Nothing was saved." in page
    error_id = field + "-error"
    assert re.search(rf'<p class="field-error" id="{error_id}">[^<]*{re.escape(message)}', page), page
    if field != "items-0-exercise_id":
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true" aria-describedby="{error_id}"', page)
        assert f'value="{value}"' in page  # what was typed is kept
    with app.app_context():
        assert ProgramVersion.select().count() == 1 and Prescription.select().count() == 2


def test_a_program_needs_a_phase_and_a_day(app, browser, enrolled):
    _patient, patient_id, _program = enrolled
    editor = f"/t/patients/{patient_id}/program"
    data = {**current_rows(browser, editor), "action": "save", "items-0-days_of_week": []}
    del data["phase"]
    response = post_form(browser, editor, data)
    assert response.status_code == 422
    page = text_of(response)
    assert 'id="phase-error">Missing data for required field.' in page
    assert 'id="items-0-days_of_week-error">' in page
    with app.app_context():
        assert ProgramVersion.select().count() == 1


def test_new_join_link_shows_the_url_and_a_qr_code_once(app, api, browser, enrolled):
    _patient, patient_id, _program = enrolled
    page = f"/t/patients/{patient_id}"
    assert 'class="segno"' not in text_of(browser.get(page))
    response = post_form(browser, f"{page}/invites", {}, form_page=page)
    assert response.status_code == 302 and response.headers["Location"].endswith("#join-link")
    shown = text_of(browser.get(page))
    assert "earlier links no longer work" in shown.lower()
    url = re.search(r'id="join-url"[^>]*value="(http://localhost/join/[^"]+)"', shown).group(1)
    svg = re.search(r'<svg[^>]*class="segno".*?</svg>', shown, re.S).group(0)
    assert "<title>QR code of the join link</title>" in svg and "<path" in svg
    assert 'class="segno"' not in text_of(browser.get(page))
    with app.app_context():
        assert Invite.select().where(Invite.patient == patient_id).count() == 2
    assert api().post("/api/v1/auth/join", {"token": url.rsplit("/", 1)[-1]}).status_code == 200


def test_new_patient_form_validates_the_time_zone(app, browser):
    response = post_form(browser, "/t/patients", {"display_name": "Bo", "timezone": "Mars/Olympus"})
    assert response.status_code == 422
    page = text_of(response)
    assert 'id="f-timezone-error"' in page and 'value="Mars/Olympus"' in page and 'value="Bo"' in page
    assert '<datalist id="zones">' in page and '<option value="Europe/Madrid">' in page
    with app.app_context():
        assert Patient.select().count() == 0


def test_patient_list_says_who_needs_attention_and_why(app, browser, enrolled):
    patient, patient_id, _program = enrolled
    quiet = post_form(browser, "/t/patients", {"display_name": "Aaron Quiet", "timezone": "UTC"},
                      form_page="/t/patients")
    assert quiet.status_code == 302
    today = patient.get("/api/v1/today").get_json()["date"]
    assert patient.post("/api/v1/checkins", {
        "id": str(uuid.uuid4()), "date": today, "morning_pain": 6, "settled": "no",
        "distal_symptom": "foot", "new_numbness_or_weakness": True, "red_flag_change": True,
    }).status_code == 201
    page = text_of(browser.get("/t/patients"))
    # Jo has a red flag, so comes before Aaron despite the alphabet; the badge says it in words.
    assert page.index("Jo Patient") < page.index("Aaron Quiet")
    assert re.search(r'class="badge badge-emergency"><strong>Emergency:</strong> Red-flag answer', page)
    assert "Calm the nervous system" in page and "No program yet" in page

    detail = text_of(browser.get(f"/t/patients/{patient_id}"))
    checkins = detail.split('id="checkins-title"')[1].split("</table>")[0]
    assert '<tr class="red-flag">' in checkins and "Red flag" in checkins
    assert "Foot" in checkins and "6/10" in checkins and "New numbness or weakness" in checkins


def test_patient_page_strikes_through_a_corrected_entry(app, browser, enrolled):
    patient, patient_id, program = enrolled
    original = {
        "id": str(uuid.uuid4()), "prescription_id": program["items"][0]["id"],
        "performed_at": datetime.now(UTC).isoformat(), "sets_done": 2, "reps_done": 10,
        "pain_during": 7, "pain_after": 6, "effort": 5, "note": "",
    }
    assert patient.post("/api/v1/completions", original).status_code == 201
    fixed = patient.post(f"/api/v1/completions/{original['id']}/corrections", {
        "id": str(uuid.uuid4()), "sets_done": 2, "reps_done": 10, "pain_during": 2, "pain_after": 1,
        "effort": 5, "note": "typo",
    })
    assert fixed.status_code == 201
    log = text_of(browser.get(f"/t/patients/{patient_id}")).split('id="log-title"')[1]
    assert '<tr class="superseded">' in log and "<del>7 / 6</del>" in log
    assert "Corrected to 2 × 10, pain 2 / 1" in log
    assert "Correction</span> typo" in log


def test_summary_block_renders_when_the_lead_passes_a_summary(app, therapist):
    from flask import render_template

    from hep.models import Patient as P

    with app.test_request_context("/t/patients/1"):
        alerts = [{"id": 7, "level": "emergency", "status": "open", "stops": True, "code": "red_flag",
                   "detail": "Red-flag answer on 2 June.", "exercise_name": None, "note": "",
                   "created_at": datetime(2026, 6, 2, 8, 0, tzinfo=UTC)}]
        summary = {
            "alerts": alerts,
            "adherence": {"session_percent": 82.4},
            "recommendations": [{"exercise_name": "Prone on elbows", "status": "hold",
                                 "reasons": [{"detail": "Pain during 4-5 on the last session."}]}],
        }
        from hep.therapist.views import labels

        page = render_template("therapist/patient.html", patient=P(id=1, display_name="X", timezone="UTC"),
                               program={"current": None, "history": []}, recent=[], corrections={},
                               checkins=[], join_link=None, joined=False, summary=summary, alerts=alerts,
                               **labels())
    page = html.unescape(page)
    assert "Red-flag answer on 2 June." in page and "82 % of those planned" in page
    assert "Every exercise is stopped" in page and 'action="/t/alerts/7/resolve"' in page
    assert "Prone on elbows" in page and '<span class="badge badge-hold">Hold</span>' in page
    assert "Pain during 4-5 on the last session." in page


@pytest.mark.parametrize("method, path", [
    ("GET", "/t/patients/{id}"), ("GET", "/t/patients/{id}/program"),
    ("POST", "/t/patients/{id}/program"), ("POST", "/t/patients/{id}/invites"),
])
def test_another_therapist_gets_404(app, enrolled, method, path):
    _patient, patient_id, _program = enrolled
    with app.app_context():
        create_or_update_therapist("other@clinic.test", PASSWORD, "Other", "Clinic B")
    other = sign_in(app, "other@clinic.test")
    token = csrf_from(other, "/t/patients")
    url = path.format(id=patient_id)
    data = {"csrf_token": token, "phase": "calm", "action": "save", "items-0-exercise_id": "1",
            "items-0-sets": "1", "items-0-reps": "1"}
    response = other.get(url) if method == "GET" else other.post(url, data=data)
    assert response.status_code == 404
    assert "Jo Patient" not in text_of(other.get("/t/patients"))
    with app.app_context():
        assert ProgramVersion.select().count() == 1 and Invite.select().count() == 1


@pytest.mark.parametrize("method, path", [
    ("GET", "/t/patients"), ("POST", "/t/patients"), ("GET", "/t/patients/{id}"),
    ("GET", "/t/patients/{id}/program"), ("POST", "/t/patients/{id}/program"),
    ("POST", "/t/patients/{id}/invites"),
])
def test_a_patient_account_gets_403(enrolled, method, path):
    patient, patient_id, _program = enrolled
    url = path.format(id=patient_id)
    response = patient.request(method, url) if method == "GET" else patient.http.post(
        url, data={"csrf_token": patient.csrf, "phase": "calm"})
    assert response.status_code == 403


def test_signed_out_is_sent_to_the_login_page(app, enrolled):
    _patient, patient_id, _program = enrolled
    response = app.test_client().get(f"/t/patients/{patient_id}/program")
    assert response.status_code == 302
    assert f"/t/login?next=/t/patients/{patient_id}/program" in response.headers["Location"].replace("%2F", "/")


def test_the_editor_offers_the_dose_limits_of_the_one_table(browser, enrolled):
    from hep.clinical.limits import DOSE_LIMITS

    _patient, patient_id, _program = enrolled
    page = text_of(browser.get(f"/t/patients/{patient_id}/program"))
    for name, (low, high) in DOSE_LIMITS.items():
        assert re.search(rf'id="items-0-{name}"[^>]*min="{low}" max="{high}"', page), name


def test_the_editor_shows_each_exercises_own_drawing(browser, enrolled):
    _patient, patient_id, _program = enrolled
    page = browser.get(f"/t/patients/{patient_id}/program?phase=exposure&q=hinge").get_data(as_text=True)
    items, library = page.split('id="library-title"')
    assert re.findall(r'<img class="drawing" src="/static/media/exercises/([a-z0-9-]+)\.svg', items) == [
        "seated-sciatic-nerve-slider", "prone-on-elbows"]
    assert 'src="/static/media/exercises/hip-hinge-to-box.svg"' in library.split("</ul>")[0]
    served = browser.get("/static/media/exercises/hip-hinge-to-box.svg")
    assert served.status_code == 200 and 'class="start"' in served.get_data(as_text=True)
    served.close()
