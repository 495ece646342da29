"""Stored alerts through the API and the pages: a red flag stops every exercise and the
reminders, never expires, is acknowledged and resolved by the therapist (who, when, note,
outcome), and only then the program holds for three days of new data before it progresses."""
from __future__ import annotations

import pytest

from hep.clinical import ASSESSMENT_FIELDS
from hep.models import Alert, AuditEvent
from hep.people.accounts import create_or_update_therapist
from hep.push.reminders import stopped_patients
from tests.support.pages import post_form, sign_in, text_of
from tests.support.scenarios import Scenario, steady

from conftest import PASSWORD

RED_FLAG = {"morning": {"red_flag_change": True}}
RED_FLAGS = [f.name for f in ASSESSMENT_FIELDS if f.section == "red_flags" and f.kind == "bool"]


@pytest.fixture
def patient(api, therapist):
    made = Scenario(api, therapist, [("hip-hinge-to-box", {"sets": 2, "reps": 8})])
    yield made
    made.stop()


def statuses(patient) -> set[str]:
    return {r["status"] for r in patient.summary()["recommendations"]}


def test_a_red_flag_stops_until_resolved_and_then_holds_three_days(app, patient, therapist):
    patient.live(steady(7) + [RED_FLAG])
    [alert] = patient.alerts()
    assert (alert["code"], alert["level"], alert["status"], alert["stops"]) == ("red_flag", "emergency", "open", True)
    assert alert["evidence"] and statuses(patient) == {"stop"}
    with app.app_context():
        assert stopped_patients({patient.patient_id}) == {patient.patient_id}

    # Weeks of good days later it is still open and still stops: alerts never expire.
    patient.live(steady(16))
    assert [a["status"] for a in patient.alerts()] == ["open"] and statuses(patient) == {"stop"}

    acknowledged = patient.therapist.post(f"/api/v1/alerts/{alert['id']}/acknowledge", {"note": "Called her"})
    assert acknowledged.status_code == 200
    assert acknowledged.get_json()["status"] == "acknowledged" and acknowledged.get_json()["note"] == "Called her"
    assert patient.therapist.post(f"/api/v1/alerts/{alert['id']}/acknowledge", {"note": ""}).status_code == 409
    assert statuses(patient) == {"stop"}  # acknowledged is not resolved

    # Resolved through the page: the outcome and note are stored, the stop lifts to a hold.
    browser = sign_in(app, therapist["email"])
    page = text_of(browser.get(f"/t/patients/{patient.patient_id}"))
    assert "Every exercise is stopped" in page and page.index('id="alerts"') < page.index('id="join-link"')
    resolved = post_form(browser, f"/t/alerts/{alert['id']}/resolve",
                         {"outcome": "cleared", "note": "Seen in A&E, no cauda equina"},
                         form_page=f"/t/patients/{patient.patient_id}")
    assert resolved.status_code == 302
    with app.app_context():
        row = Alert.get_by_id(alert["id"])
        assert (row.status, row.outcome, row.resolve_note) == ("resolved", "cleared", "Seen in A&E, no cauda equina")
        assert row.resolved_by_id == therapist["id"] and row.acknowledge_note == "Called her"
        assert AuditEvent.select().where(AuditEvent.action == "alert.resolve").count() == 1
        assert stopped_patients({patient.patient_id}) == set()
    rec = patient.recommendation()
    assert rec["status"] == "hold" and "alert_recently_resolved" in [r["rule"] for r in rec["reasons"]]
    assert "Every exercise is stopped" not in text_of(browser.get(f"/t/patients/{patient.patient_id}"))

    patient.live(steady(4))
    assert patient.recommendation()["status"] == "progress"
    # The same check-in does not raise the alert again; a new red flag does.
    assert [a["status"] for a in patient.alerts()] == ["resolved"]
    patient.live([RED_FLAG])
    assert [a["status"] for a in patient.alerts()] == ["open", "resolved"] and statuses(patient) == {"stop"}


def test_resolving_needs_an_outcome_and_happens_once(patient):
    patient.live(steady(3) + [{"morning": {"weakness_worse": True}}])
    [alert] = patient.alerts()
    assert alert["code"] == "weakness_worse" and alert["level"] == "emergency"
    bad = patient.therapist.post(f"/api/v1/alerts/{alert['id']}/resolve", {"note": "?", "outcome": "fine"})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"outcome"}
    done = patient.therapist.post(f"/api/v1/alerts/{alert['id']}/resolve", {"outcome": "referred"})
    assert done.status_code == 200 and done.get_json()["acknowledged_at"] and done.get_json()["resolved_by"]
    again = patient.therapist.post(f"/api/v1/alerts/{alert['id']}/resolve", {"outcome": "cleared"})
    assert again.status_code == 409 and again.content_type == "application/problem+json"


def test_another_therapist_cannot_see_or_touch_the_alerts(app, api, patient):
    patient.live(steady(2) + [RED_FLAG])
    [alert] = patient.alerts()
    with app.app_context():
        create_or_update_therapist("other@clinic.test", PASSWORD, "Other", "Clinic B")
    other = api()
    assert other.post("/api/v1/auth/login", {"email": "other@clinic.test", "password": PASSWORD}).status_code == 200
    assert other.get(f"/api/v1/patients/{patient.patient_id}/alerts").status_code == 404
    for action, body in (("acknowledge", {"note": ""}), ("resolve", {"outcome": "cleared"})):
        assert other.post(f"/api/v1/alerts/{alert['id']}/{action}", body).status_code == 404
    with app.app_context():
        assert Alert.get_by_id(alert["id"]).status == "open"


def test_a_patient_who_never_checks_in_raises_no_checkins(app, patient):
    patient.live([{"sessions": [[(1, 1)]]}] * 5)
    codes = {a["code"]: a for a in patient.alerts()}
    assert codes["no_checkins"]["level"] == "warning" and codes["no_checkins"]["evidence"]
    listed = next(p for p in patient.therapist.get("/api/v1/patients").get_json() if p["id"] == patient.patient_id)
    assert "no_checkins" in [f["code"] for f in listed["flags"]]


def test_a_history_of_cancer_alone_is_a_caution_and_with_night_pain_urgent(patient):
    def assess(**flags):
        data = {"irritability": "moderate", "most_distal_symptom": "thigh",
                **{name: False for name in RED_FLAGS}, **flags}
        response = patient.therapist.post(f"/api/v1/patients/{patient.patient_id}/assessments",
                                          {"kind": "initial", "assessed_on": patient.day.isoformat(), "data": data})
        assert response.status_code == 201, response.get_json()

    patient.live(steady(4))
    assess(history_of_cancer=True)
    [caution] = patient.alerts()
    assert (caution["level"], caution["stops"]) == ("caution", False)
    assert statuses(patient) != {"stop"}
    assess(history_of_cancer=True, constant_night_pain=True)
    levels = {a["code"]: a["level"] for a in patient.alerts()}
    assert levels["assessment_suspected_malignancy"] == "urgent" and statuses(patient) == {"stop"}


def test_a_patient_who_logs_nothing_after_joining_raises_no_logs_on_the_sweep(app, patient):
    patient.live([{}] * 4)  # four days of silence: nothing written, so nothing raised yet
    assert patient.alerts() == []
    result = app.test_cli_runner().invoke(args=["refresh-alerts"])
    raised = {a["code"]: a for a in patient.alerts()}
    assert result.exit_code == 0 and result.output.strip() == f"raised {len(raised)}"
    assert (raised["no_logs"]["level"], raised["no_logs"]["status"]) == ("warning", "open")
    assert set(raised) <= {"no_logs", "low_adherence"}
    assert app.test_cli_runner().invoke(args=["refresh-alerts"]).output.strip() == "raised 0"
