"""Remote monitoring through the API over simulated days: 30-day periods from the first day
of data across a leap-year February, the time log and its monthly codes, and the monthly CSV,
asserted on what the therapist reads and what the database holds. A steady control patient
with three days of data sits beside the patient under test."""
from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime, time

import pytest

from hep.models import AuditEvent, TimeLogEntry
from hep.people.accounts import create_or_update_therapist
from tests.support.scenarios import STEADY_MORNING, TZ, Scenario, steady

from conftest import PASSWORD

START = date(2028, 2, 15)  # 2028 is a leap year: the first period runs through 29 February


def _control(scenario, api, name="Steady control"):
    """A second patient of the same therapist (joined), who checks in now and then."""
    created = scenario.therapist.post("/api/v1/patients", {"display_name": name, "timezone": "Europe/Madrid"})
    assert created.status_code == 201, created.get_json()
    phone = api()
    assert phone.post("/api/v1/auth/join", {"token": created.get_json()["invite_url"].rsplit("/", 1)[-1]}).status_code == 200
    return created.get_json()["id"], phone


def _check_in(phone, day: date):
    body = {"id": str(uuid.uuid4()), "date": day.isoformat(), **STEADY_MORNING}
    assert phone.post("/api/v1/checkins", body).status_code == 201


def _csv(response):
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


@pytest.fixture
def lived(app, api, therapist):
    """The patient logs 20 days from 15 February 2028; the control checks in on 3 of them."""
    scenario = Scenario(api, therapist, [("hip-hinge-to-box", {"sets": 2, "reps": 8})], start=START)
    control_id, control_phone = _control(scenario, api, name="=HYPERLINK(\"http://x\")")
    for index in range(20):
        if index < 3:
            _check_in(control_phone, scenario.day)
        scenario.live(steady(1))
    yield scenario, control_id
    scenario.stop()


def test_the_summary_shows_the_current_30_day_period(app, lived):
    scenario, control_id = lived
    assert scenario.day == date(2028, 3, 6)
    current = scenario.summary()["monitoring_days"]
    assert (current["window_start"], current["window_end"]) == ("2028-02-15", "2028-03-15")
    assert (current["count"], current["period_number"], current["day_of_period"]) == (20, 1, 21)
    assert (current["code"], current["band"], current["codes"]) == ("98977", "16-30", ["98977"])
    assert "2028-02-29" in current["dates"] and "either/or with 98985" in current["reason"]
    control = scenario.therapist.get(f"/api/v1/patients/{control_id}/summary").get_json()["monitoring_days"]
    assert (control["count"], control["code"], control["window_start"]) == (3, "98985", "2028-02-15")

    # Ten days with nothing logged: period 2 starts on day 31, empty; period 1 keeps its days.
    scenario.live([{}] * 10)
    current = scenario.summary()["monitoring_days"]
    assert (current["period_number"], current["window_start"], current["count"], current["code"]) == (
        2, "2028-03-16", 0, None)
    served = scenario.therapist.get(f"/api/v1/patients/{scenario.patient_id}/monitoring").get_json()
    assert [(p["number"], p["count"], p["code"]) for p in served["periods"]] == [(1, 20, "98977"), (2, 0, None)]
    assert served["period_start"] == "first_data_day" and served["code_table"] == "2026"


def test_time_log_gives_the_months_management_codes(app, api, lived):
    scenario, control_id = lived
    url = f"/api/v1/patients/{scenario.patient_id}/time-log"
    post = scenario.therapist.post
    february = post(url, {"worked_on": "2028-02-20", "minutes": 12, "interactive_contact": True,
                          "note": "Reviewed logs, video call"})
    assert february.status_code == 201 and february.get_json()["own"] is True
    assert post(url, {"worked_on": "2028-03-01", "minutes": 15, "note": "Reviewed logs"}).status_code == 201
    march = f"/api/v1/patients/{scenario.patient_id}/monitoring?month=2028-03"
    management = scenario.therapist.get(march).get_json()["management"]
    assert (management["minutes"], management["codes"]) == (15, [])
    assert "below the 20" not in management["reasons"][0] and "interactive contact" in management["reasons"][0]
    contact = post(url, {"worked_on": "2028-03-04", "minutes": 10, "interactive_contact": True}).get_json()
    assert scenario.therapist.get(march).get_json()["management"]["codes"] == ["98980"]
    post(url, {"worked_on": "2028-03-05", "minutes": 20})
    management = scenario.therapist.get(march).get_json()["management"]
    assert (management["minutes"], management["codes"], management["interactive_contact"]) == (
        45, ["98980", "98981"], True)
    feb = scenario.therapist.get(f"/api/v1/patients/{scenario.patient_id}/monitoring?month=2028-02").get_json()
    assert (feb["management"]["minutes"], feb["management"]["codes"]) == (12, ["98979"])

    # Bad input: 422 naming the field, nothing written.
    for body, field in (({"worked_on": "2028-03-07", "minutes": 30}, "worked_on"),  # tomorrow
                        ({"worked_on": "2028-03-05", "minutes": 0}, "minutes"),
                        ({"worked_on": "2028-03-05", "minutes": 241}, "minutes"),
                        ({"minutes": 10}, "worked_on")):
        response = post(url, body)
        assert response.status_code == 422 and field in str(response.get_json()["errors"]), body
    assert scenario.therapist.get(f"{march}x").status_code == 422
    with app.app_context():
        rows = list(TimeLogEntry.select().order_by(TimeLogEntry.worked_on))
        assert [(r.worked_on, r.minutes, r.interactive_contact, r.patient_id) for r in rows] == [
            (date(2028, 2, 20), 12, True, scenario.patient_id), (date(2028, 3, 1), 15, False, scenario.patient_id),
            (date(2028, 3, 4), 10, True, scenario.patient_id), (date(2028, 3, 5), 20, False, scenario.patient_id)]
        assert rows[0].note == "Reviewed logs, video call"
        assert AuditEvent.select().where(AuditEvent.action == "time_log.create").count() == 4
    listed = scenario.therapist.get(f"{url}?month=2028-03").get_json()
    assert [e["worked_on"] for e in listed] == ["2028-03-05", "2028-03-04", "2028-03-01"]
    assert scenario.therapist.get(f"/api/v1/patients/{control_id}/time-log").get_json() == []

    # Another therapist reaches nothing; the owner deletes their own entry.
    with app.app_context():
        create_or_update_therapist("other@clinic.test", PASSWORD, "Other", "Clinic B")
    other = api()
    other.post("/api/v1/auth/login", {"email": "other@clinic.test", "password": PASSWORD})
    assert other.delete(f"{url}/{contact['id']}").status_code == 404
    assert scenario.therapist.delete(f"/api/v1/patients/{control_id}/time-log/{contact['id']}").status_code == 404
    assert scenario.therapist.delete(f"{url}/{contact['id']}").status_code == 204
    management = scenario.therapist.get(march).get_json()["management"]
    assert (management["minutes"], management["codes"], management["interactive_contact"]) == (35, [], False)
    with app.app_context():
        assert TimeLogEntry.get_or_none(TimeLogEntry.id == contact["id"]) is None
        assert AuditEvent.select().where(AuditEvent.action == "time_log.delete").count() == 1


def test_the_monthly_csv_has_one_safe_row_per_patient(app, api, lived):
    scenario, control_id = lived
    url = f"/api/v1/patients/{scenario.patient_id}/time-log"
    scenario.therapist.post(url, {"worked_on": "2028-03-02", "minutes": 25, "interactive_contact": True})
    scenario.live([{}] * 10)  # to 16 March: period 1 (15 Feb - 15 Mar) has ended
    response = scenario.therapist.get("/api/v1/reports/rtm.csv?month=2028-03")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="rtm-2028-03.csv"' in response.headers["Content-Disposition"]
    rows = {int(r["patient_id"]): r for r in _csv(response)}
    assert set(rows) == {scenario.patient_id, control_id}
    mine = rows[scenario.patient_id]
    assert (mine["periods"], mine["days_of_data"], mine["day_codes"]) == ("1: 2028-02-15 to 2028-03-15", "20", "98977")
    assert (mine["minutes"], mine["management_codes"], mine["interactive_contact"]) == ("25", "98980", "yes")
    control = rows[control_id]
    assert control["patient"] == "'=HYPERLINK(\"http://x\")"  # never read as a formula
    assert (control["days_of_data"], control["day_codes"], control["minutes"], control["management_codes"]) == (
        "3", "98985", "0", "")
    february = {int(r["patient_id"]): r for r in _csv(scenario.therapist.get("/api/v1/reports/rtm.csv?month=2028-02"))}
    assert february[scenario.patient_id]["periods"] == ""  # no period ended in February
    for month in ("2028-13", "March", "2028-3", ""):
        bad = scenario.therapist.get(f"/api/v1/reports/rtm.csv?month={month}")
        assert bad.status_code == 422 and "month" in bad.get_json()["errors"], (month, bad.get_json())
    assert scenario.therapist.get("/api/v1/reports/rtm.csv").status_code == 422
    # The report is in the audit trail, and each patient's trail shows the read.
    with app.app_context():
        assert AuditEvent.select().where(AuditEvent.action == "report.rtm").count() == 2
        assert AuditEvent.select().where(AuditEvent.patient == control_id).count() >= 2


@pytest.mark.parametrize("app_config", [{"RTM_PERIOD_START": "program_start"}])
def test_periods_can_start_at_the_program_start(app, api, therapist):
    scenario = Scenario(api, therapist, [("hip-hinge-to-box", {"sets": 2, "reps": 8})], start=START)
    try:
        scenario.live([{}] * 3 + steady(2))  # the first data on 18 February
        current = scenario.summary()["monitoring_days"]
        assert (current["window_start"], current["count"], current["day_of_period"]) == ("2028-02-15", 2, 6)
        assert current["period_start"] == "program_start" and current["code"] == "98985"
    finally:
        scenario.stop()


def test_time_travel_checks_the_clock(lived):
    scenario, _ = lived
    assert datetime.now(TZ).date() == scenario.day and datetime.now(TZ).time() == time(8, 0)
