"""Graded exposure as the therapist and the patient read it: patients living simulated days
through the API, logging exposure sessions from the phone, beside a steady control patient
whose program and hierarchy must not be moved by anyone else's sessions."""
from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

import pytest

from hep.models import ExposureSession, Patient
from tests.support.scenarios import TZ, Scenario, steady

HINGE = ("hip-hinge-to-box", {"sets": 2, "reps": 8, "frequency_per_day": 1})
FEAR = "My back will give way"


class ExposurePatient(Scenario):
    """A scenario patient with a fear hierarchy; ``expose`` logs one session a day. Patients
    made after the first share its clock (time-machine moves only the latest traveller)."""

    def __init__(self, api, therapist, clock_of: Scenario | None = None):
        super().__init__(api, therapist, [HINGE])
        if clock_of is not None:
            self.clock.stop()
            self.clock, self.traveller = clock_of.clock, clock_of.traveller
        self.items = {}
        for activity, harm in (("Lift a laundry basket", 70), ("Bend to tie shoes", 30)):
            response = self.therapist.post(f"/api/v1/patients/{self.patient_id}/hierarchy",
                                           {"activity": activity, "harm_rating": harm})
            assert response.status_code == 201
            self.items[activity] = response.get_json()["id"]

    def body(self, prediction, fear_before=40, happened=False, fear_after=20, safety=False) -> dict:
        return {"id": str(uuid.uuid4()), "performed_at": datetime.now(TZ).isoformat(),
                "feared_outcome": FEAR, "prediction": prediction, "fear_before": fear_before,
                "outcome_happened": happened, "fear_after": fear_after, "safety_behaviour": safety}

    def expose(self, activity="Bend to tie shoes", **answers) -> dict:
        """Live one day: the morning's check-in and program session (steady), then an
        exposure session at 11:00 from the phone."""
        self.live(steady(1))
        self.traveller.move_to(datetime.combine(self.day - timedelta(days=1), time(11, 0), TZ))
        body = self.body(**answers)
        response = self.phone.post(f"/api/v1/hierarchy/{self.items[activity]}/sessions", body)
        assert response.status_code == 201, response.get_json()
        self.traveller.move_to(datetime.combine(self.day, time(8, 0), TZ))
        return body

    def hierarchy(self, who="therapist") -> dict:
        if who == "patient":
            items = self.phone.get("/api/v1/hierarchy").get_json()
        else:
            items = self.therapist.get(f"/api/v1/patients/{self.patient_id}/hierarchy").get_json()
        return {i["activity"]: i for i in items}


@pytest.fixture
def people(api, therapist):
    made = []

    def make():
        made.append(ExposurePatient(api, therapist, made[0] if made else None))
        return made[-1]

    yield make
    made[0].stop()


def failing(item) -> set[str]:
    return {r["code"] for r in item["reasons"] if not r["met"]}


# name: (sessions as expose() answers, status of "Bend to tie shoes", conditions not met)
SCENARIOS = {
    "control: predictions fall 70, 45, 20; nothing happened": (
        [{"prediction": 70}, {"prediction": 45}, {"prediction": 20}], "mastered", set()),
    "fear before 90 every time": (
        [{"prediction": p, "fear_before": 90} for p in (70, 45, 20)], "in_progress", {"fear_before_down"}),
    "the feared outcome happened last time": (
        [{"prediction": 70}, {"prediction": 45}, {"prediction": 20, "happened": True}], "in_progress",
        {"outcome_absent"}),
    "a safety behaviour in the latest session": (
        [{"prediction": 70}, {"prediction": 45}, {"prediction": 20, "safety": True}], "in_progress",
        {"no_safety_behaviour"}),
    "prediction still 40": (
        [{"prediction": 80}, {"prediction": 60}, {"prediction": 40}], "in_progress", {"prediction_low"}),
    "low from the start: no expectation to violate": (
        [{"prediction": 20}, {"prediction": 15}], "in_progress", {"prediction_fell"}),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_mastery_over_simulated_days_beside_a_steady_control(people, app, name):
    control, patient = people(), people()
    sessions, status, failing_codes = SCENARIOS[name]
    for day in range(5):  # the control lives the same days, without exposure
        control.live(steady(1))
        if day < len(sessions):
            patient.expose(**sessions[day])
        else:
            patient.live(steady(1))

    shoes = patient.hierarchy()["Bend to tie shoes"]
    assert (shoes["status"], failing(shoes)) == (status, failing_codes)
    assert [s["prediction"] for s in shoes["recent"]] == [a["prediction"] for a in reversed(sessions)]
    last = sessions[-1]
    assert shoes["recent"][0]["expected_versus_actual"] == (
        f"expected {last['prediction']} % likely; " + ("it happened" if last.get("happened") else "it did not happen"))
    assert patient.hierarchy("patient")["Bend to tie shoes"]["status"] == status  # the phone sees the same
    assert patient.hierarchy()["Lift a laundry basket"]["status"] == "not_started"

    exposure = patient.summary()["exposure"]
    assert (exposure["items"], exposure["mastered"]) == (2, int(status == "mastered"))
    expected_next = "Lift a laundry basket" if status == "mastered" else "Bend to tie shoes"
    assert exposure["next_item"]["activity"] == expected_next
    assert {r["code"] for r in exposure["next_item"]["reasons"]} == (
        {"sessions"} if status == "mastered" else failing_codes)

    # The control patient: nothing of the other patient's exposure shows, and its program goes on.
    assert {i["status"] for i in control.hierarchy().values()} == {"not_started"}
    assert control.summary()["exposure"]["last_session_at"] is None
    assert control.recommendation()["status"] == "progress"
    with app.app_context():
        assert ExposureSession.select().count() == len(sessions)


def test_the_session_body_is_checked_naming_each_field(people, app):
    patient = people()
    url = f"/api/v1/hierarchy/{patient.items['Bend to tie shoes']}/sessions"
    body = patient.body(prediction=50)
    missing = {k: v for k, v in body.items()
               if k not in ("feared_outcome", "prediction", "outcome_happened", "safety_behaviour")}
    refused = patient.phone.post(url, missing)
    assert refused.status_code == 422 and refused.headers["Content-Type"] == "application/problem+json"
    assert set(refused.get_json()["errors"]) == {"feared_outcome", "prediction", "outcome_happened",
                                                 "safety_behaviour"}
    refused = patient.phone.post(url, {**body, "prediction": 101, "fear_after": -1, "feared_outcome": ""})
    assert refused.status_code == 422
    assert set(refused.get_json()["errors"]) == {"prediction", "fear_after", "feared_outcome"}
    therapist_url = f"/api/v1/patients/{patient.patient_id}/hierarchy/{patient.items['Bend to tie shoes']}/sessions"
    refused = patient.therapist.post(therapist_url, {**body, "outcome_happened": "perhaps"})
    assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {"outcome_happened"}
    with app.app_context():
        assert ExposureSession.select().count() == 0  # nothing half-written

    # A replay from the outbox stores once; the same id with another body is refused.
    assert patient.phone.post(url, body).status_code == 201
    assert patient.phone.post(url, body).status_code == 200
    assert patient.phone.post(url, {**body, "prediction": 10}).status_code == 409
    with app.app_context():
        assert ExposureSession.select().count() == 1


def test_sessions_stored_before_predictions_are_shown_but_never_count(people, app):
    patient = people()
    shoes = patient.items["Bend to tie shoes"]
    with app.app_context():
        # Rows as the schema before predictions held them, and a stored override that tuned the
        # old fear-after rule.
        for n in range(3):
            ExposureSession.create(id=str(uuid.uuid4()), item=shoes, fear_before=20, fear_after=5,
                                   performed_at=datetime(2026, 10, 1 + n, 9), request_hash="old")
        Patient.update(clinical_settings={"exposure_fear_mastery_max": 30}).where(
            Patient.id == patient.patient_id).execute()
    item = patient.hierarchy()["Bend to tie shoes"]
    assert item["status"] == "in_progress" and failing(item) == {"sessions"}
    assert {s["expected_versus_actual"] for s in item["sessions"]} == {"no prediction recorded"}
    assert {s["prediction"] for s in item["sessions"]} == {None}
    assert patient.summary()["settings"]["exposure_prediction_mastery_max"] == 25

    patient.expose(prediction=60)
    patient.expose(prediction=25)
    assert patient.hierarchy()["Bend to tie shoes"]["status"] == "mastered"
