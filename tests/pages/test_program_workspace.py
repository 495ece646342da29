"""The program side of the therapist workspace: applying a recommendation from the patient's
page (confirmation, post/redirect/get), templates in the editor, and the small page fixes."""
from __future__ import annotations

import pytest

from hep.models import ProgramVersion
from tests.support.pages import CSRF, text_of
from tests.support.scenarios import Scenario, steady

HINGE = ("hip-hinge-to-box", {"sets": 2, "reps": 8, "frequency_per_day": 1})


@pytest.fixture
def scenario(api, therapist):
    made = []

    def make(items=(HINGE,)):
        made.append(Scenario(api, therapist, list(items)))
        return made[-1]

    yield make
    for s in made:
        s.stop()


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
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/t/patients/{patient.patient_id}#program")
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
