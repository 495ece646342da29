"""The therapist's remote-monitoring pages over simulated days: the panel on the patient
page, the time log (add, 422, delete; post/redirect/get with CSRF), and the month's CSV from
the patient list; asserted on what the page shows and what the database holds."""
from __future__ import annotations

from datetime import date

import pytest

from hep.models import TimeLogEntry
from hep.people.accounts import create_or_update_therapist
from tests.support.pages import csrf_from, post_form, sign_in, text_of
from tests.support.scenarios import Scenario, steady

from conftest import PASSWORD

START = date(2027, 1, 20)  # the first period runs across the end of January


@pytest.fixture
def lived(app, api, therapist):
    """17 days of data from 20 January 2027: today is 6 February, day 18 of period 1."""
    scenario = Scenario(api, therapist, [("hip-hinge-to-box", {"sets": 2, "reps": 8})], start=START)
    scenario.live(steady(17))
    yield scenario
    scenario.stop()


def test_the_patient_page_shows_the_period_and_the_months_minutes(app, therapist, lived):
    browser = sign_in(app, therapist["email"])
    page = text_of(browser.get(f"/t/patients/{lived.patient_id}"))
    assert "Remote monitoring" in page
    assert "Period 1: 2027-01-20 to 2027-02-18 (day 18 of 30)" in page
    assert "Days with data in this period: 17" in page and "RTM band 16-30 days" in page
    assert "Day code: 98977" in page
    assert "Management time this month: 0 min" in page and "No management code yet" in page
    assert f'href="/t/patients/{lived.patient_id}/time-log"' in page


def test_time_is_logged_and_deleted_through_the_form(app, api, therapist, lived):
    browser = sign_in(app, therapist["email"])
    url = f"/t/patients/{lived.patient_id}/time-log"
    page = text_of(browser.get(url))
    assert "No time logged this month." in page and 'value="2027-02-06"' in page

    refused = post_form(browser, url, {"worked_on": "2027-02-05", "minutes": "300", "note": "Too long"})
    assert refused.status_code == 422
    refused_page = text_of(refused)
    assert "Nothing was saved." in refused_page and 'aria-invalid="true" aria-describedby="t-minutes-error"' in refused_page
    assert 'value="Too long"' in refused_page  # what was typed stays
    future = post_form(browser, url, {"worked_on": "2027-02-07", "minutes": "10"})
    assert future.status_code == 422 and "The date cannot be in the future." in text_of(future)

    saved = post_form(browser, url, {"worked_on": "2027-02-05", "minutes": "15", "note": "Video review",
                                     "interactive_contact": "yes"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"{url}?month=2027-02")
    assert "Logged 15 minutes on 2027-02-05." in text_of(browser.get(saved.headers["Location"]))
    post_form(browser, url, {"worked_on": "2027-02-06", "minutes": "10", "note": "Log review"})
    page = text_of(browser.get(f"{url}?month=2027-02"))
    assert "Management time: 25 min" in page and "Codes: 98980" in page and "interactive contact: yes" in page
    assert "Video review" in page and "Log review" in page
    january = text_of(browser.get(f"{url}?month=2027-01"))
    assert "No time logged this month." in january and "Management time: 0 min" in january
    assert browser.get(f"{url}?month=2027-13").status_code == 422
    with app.app_context():
        rows = list(TimeLogEntry.select().order_by(TimeLogEntry.worked_on))
        assert [(r.worked_on, r.minutes, r.interactive_contact, r.note) for r in rows] == [
            (date(2027, 2, 5), 15, True, "Video review"), (date(2027, 2, 6), 10, False, "Log review")]
        first = rows[0].id

    # Another therapist: 404 whatever they post.
    with app.app_context():
        create_or_update_therapist("other@clinic.test", PASSWORD, "Other", "Clinic B")
    other = sign_in(app, "other@clinic.test")
    other_token = csrf_from(other, "/t/patients")
    assert other.get(url).status_code == 404
    assert other.post(f"{url}/{first}/delete", data={"csrf_token": other_token}).status_code == 404
    # Without the CSRF token nothing is deleted.
    assert browser.post(f"{url}/{first}/delete", data={"month": "2027-02"}).status_code in (400, 403)

    deleted = post_form(browser, f"{url}/{first}/delete", {"month": "2027-02"}, form_page=url)
    assert deleted.status_code == 302 and deleted.headers["Location"].endswith(f"{url}?month=2027-02")
    page = text_of(browser.get(f"{url}?month=2027-02"))
    assert "Video review" not in page and "Management time: 10 min" in page and "No management code yet" in page
    with app.app_context():
        assert [r.minutes for r in TimeLogEntry.select()] == [10]


def test_the_months_csv_is_linked_from_the_patient_list(app, therapist, lived):
    browser = sign_in(app, therapist["email"])
    post_form(browser, f"/t/patients/{lived.patient_id}/time-log",
              {"worked_on": "2027-02-01", "minutes": "12", "interactive_contact": "yes"})
    page = text_of(browser.get("/t/patients"))
    assert 'href="/t/reports/rtm.csv?month=2027-02"' in page and "Download this month's remote-monitoring CSV" in page
    response = browser.get("/t/reports/rtm.csv?month=2027-02")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data().decode("utf-8").splitlines()
    assert lines[0].startswith("\ufeffpatient_id,patient,month,periods")
    assert lines[1].endswith(",12,98979,yes") and "Scenario patient" in lines[1]
    # Period 1 ends on 18 February, in this month, and is not over yet: shown in progress.
    assert ",1: 2027-01-20 to 2027-02-18 (in progress),17,98977," in lines[1]
    bad = browser.get("/t/reports/rtm.csv?month=Feb")
    assert bad.status_code == 422 and "Choose a month as YYYY-MM" in text_of(bad)
