"""Outcome measures through the API over simulated weeks: PSFS activities named once and
re-rated, the summary's outcomes block, validation, and the not_improving review flag (raised
at the review week, cleared when a measure improves), beside a steady control patient who
improves."""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from hep.models import Alert, QuestionnaireResponse
from tests.support.pages import sign_in, text_of

from conftest import exercise_id

TZ = ZoneInfo("Europe/Madrid")
START = date(2026, 11, 2)  # a Monday
MORNING = {"morning_pain": 3, "settled": "yes", "distal_symptom": "back",
           "new_numbness_or_weakness": False, "red_flag_change": False}
ACTIVITIES = ["Sit through a film", "Lift my toddler", "Walk to work"]


class Clinic:
    """A therapist and their patients on one simulated clock (Europe/Madrid)."""

    def __init__(self, api, therapist):
        self.clock = time_machine.travel(datetime.combine(START, time(8), TZ), tick=False)
        self.traveller = self.clock.start()
        self.day = START
        self.api = api
        self.credentials = {"email": therapist["email"], "password": therapist["password"]}
        self.staff = None
        self.phones: dict[int, object] = {}

    def enrol(self, name: str) -> int:
        created = self.therapist.post("/api/v1/patients", {"display_name": name, "timezone": "Europe/Madrid"})
        assert created.status_code == 201, created.get_json()
        patient_id = created.get_json()["id"]
        program = self.therapist.post(f"/api/v1/patients/{patient_id}/program", {"phase": "calm", "items": [
            {"exercise_id": exercise_id(self.therapist, "prone-on-elbows"), "sets": 2, "reps": 1, "hold_seconds": 60}]})
        assert program.status_code == 201, program.get_json()
        phone = self.api()
        assert phone.post("/api/v1/auth/join", {"token": created.get_json()["invite_url"].rsplit("/", 1)[-1]}).status_code == 200
        self.phones[patient_id] = phone
        return patient_id

    def to_day(self, day: date, hour: int = 8) -> None:
        self.day = day
        self.traveller.move_to(datetime.combine(day, time(hour), TZ))
        # A browser session lasts a month; signed in by the remember cookie, the PWA re-reads
        # its CSRF token each time it opens.
        for client in self.phones.values():
            client.refresh_csrf()
        self.staff = None

    @property
    def therapist(self):
        """The therapist, signed in afresh on each simulated day (staff sessions time out)."""
        if self.staff is None:
            self.staff = self.api()
            assert self.staff.post("/api/v1/auth/login", self.credentials).status_code == 200
        return self.staff

    def checkin(self, patient_id: int) -> None:
        body = {"id": str(uuid.uuid4()), "date": self.day.isoformat(), **MORNING}
        response = self.phones[patient_id].post("/api/v1/checkins", body)
        assert response.status_code == 201, response.get_json()

    def answer(self, patient_id: int, code: str, answers: dict, **extra) -> object:
        return self.phones[patient_id].post(f"/api/v1/questionnaires/{code}/responses",
                                            {"id": str(uuid.uuid4()), "answers": answers, **extra})

    def alerts(self, patient_id: int, code: str = "not_improving") -> list[dict]:
        return [a for a in self.therapist.get(f"/api/v1/patients/{patient_id}/alerts").get_json()
                if a["code"] == code]

    def summary(self, patient_id: int) -> dict:
        return self.therapist.get(f"/api/v1/patients/{patient_id}/summary?days=14").get_json()


@pytest.fixture
def clinic(api, therapist):
    made = Clinic(api, therapist)
    yield made
    made.clock.stop()


def rate(clinic, patient_id, nprs: int, psfs: list[int], items=ACTIVITIES):
    assert clinic.answer(patient_id, "nprs", {"1": nprs}).status_code == 201
    response = clinic.answer(patient_id, "psfs", {str(n): v for n, v in enumerate(psfs, 1)}, items=list(items))
    assert response.status_code == 201, response.get_json()


def test_not_improving_is_raised_at_the_review_week_and_cleared_by_an_improvement(app, clinic):
    stuck, control = clinic.enrol("Stuck patient"), clinic.enrol("Control patient")
    # week -> (NPRS, PSFS ratings) for each patient; the control improves by week 4
    plan = {0: ((6, [3, 3, 3]), (6, [3, 3, 3])),
            2: ((6, [3, 4, 3]), (5, [4, 4, 4])),
            4: ((6, [3, 4, 3]), (4, [5, 6, 5])),
            6: ((5, [4, 4, 3]), (3, [6, 6, 6]))}
    for offset in range(0, 6 * 7 + 1):
        clinic.to_day(START + timedelta(days=offset))
        for patient_id, index in ((stuck, 0), (control, 1)):
            clinic.checkin(patient_id)
            if offset % 7 == 0 and offset // 7 in plan:
                rate(clinic, patient_id, *plan[offset // 7][index])
        if offset == 6 * 7 - 1:  # the day before week 6: nothing yet
            assert clinic.alerts(stuck) == [] and clinic.alerts(control) == []

    [flag] = clinic.alerts(stuck)
    assert (flag["level"], flag["status"], flag["stops"]) == ("caution", "open", False)
    assert "NPRS" in flag["detail"] and "PSFS" in flag["detail"] and "week 6" in flag["detail"]
    assert clinic.alerts(control) == []
    outcomes = clinic.summary(stuck)["outcomes"]
    assert (outcomes["nprs"]["baseline"], outcomes["nprs"]["latest"], outcomes["nprs"]["meaningful"]) == (6, 5, False)
    assert outcomes["psfs"]["improved"] is False
    assert clinic.summary(control)["outcomes"]["nprs"]["improved"] is True
    # the flag does not hold or stop the program
    assert {r["status"] for r in clinic.summary(stuck)["recommendations"]} <= {"progress", "hold"}

    # A week later: NPRS 6 -> 4 is meaningful; the flag is cleared on its own, with the reason.
    clinic.to_day(START + timedelta(weeks=7))
    clinic.checkin(stuck)
    assert clinic.answer(stuck, "nprs", {"1": 4}).status_code == 201
    [flag] = clinic.alerts(stuck)
    assert (flag["status"], flag["outcome"], flag["resolved_by"]) == ("resolved", "cleared", None)
    assert "NPRS" in flag["note"]
    # cleared by the system, it does not start the hold that a therapist's resolution starts
    reasons = [r["rule"] for rec in clinic.summary(stuck)["recommendations"] for r in rec["reasons"]]
    assert reasons and "alert_recently_resolved" not in reasons
    with app.app_context():
        assert Alert.select().where(Alert.code == "not_improving").count() == 1
        assert QuestionnaireResponse.select().count() == 4 * 2 * 2 + 1


def test_the_review_week_is_a_setting(clinic):
    patient_id = clinic.enrol("Early review")
    put = clinic.therapist.put(f"/api/v1/patients/{patient_id}/settings", {"not_improving_review_week": 4})
    assert put.status_code == 200, put.get_json()
    assert clinic.therapist.put(f"/api/v1/patients/{patient_id}/settings",
                                {"not_improving_review_week": 0}).status_code == 422
    rate(clinic, patient_id, 6, [3, 3, 3])
    clinic.to_day(START + timedelta(weeks=4))
    rate(clinic, patient_id, 6, [3, 3, 3])
    [flag] = clinic.alerts(patient_id)
    assert "week 4" in flag["detail"]


def test_psfs_activities_are_named_once_then_re_rated(app, clinic):
    patient_id = clinic.enrol("Activities")
    phone = clinic.phones[patient_id]
    assert phone.get("/api/v1/questionnaires/psfs/activities").get_json() == {"activities": []}
    assert phone.get("/api/v1/questionnaires/nprs/activities").get_json() == {"activities": []}
    rate(clinic, patient_id, 6, [2, 3, 4])
    clinic.to_day(START + timedelta(weeks=2))
    listed = phone.get("/api/v1/questionnaires/psfs/activities").get_json()["activities"]
    assert [(a["activity"], a["baseline"], a["latest"], a["first_on"]) for a in listed] == [
        (text, rating, rating, START.isoformat()) for text, rating in zip(ACTIVITIES, [2, 3, 4], strict=True)]
    # re-rated, with a new activity that starts its own line
    rate(clinic, patient_id, 6, [5, 3, 4, 1], items=[*ACTIVITIES, "Garden"])
    listed = phone.get("/api/v1/questionnaires/psfs/activities").get_json()["activities"]
    assert [(a["activity"], a["baseline"], a["latest"]) for a in listed][0] == ("Sit through a film", 2, 5)
    assert listed[-1] == {"activity": "Garden", "baseline": 1, "latest": 1,
                          "first_on": (START + timedelta(weeks=2)).isoformat()}
    psfs = clinic.summary(patient_id)["outcomes"]["psfs"]
    assert (psfs["baseline"], psfs["latest"], psfs["change"], psfs["meaningful"], psfs["improved"]) == (3, 4, 1, True, True)
    assert {a["activity"]: a["in_baseline"] for a in psfs["activities"]}["Garden"] is False
    # the therapist's patient page shows the section; the outcomes page each activity's line
    browser = sign_in(app, clinic.credentials["email"])
    page = text_of(browser.get(f"/t/patients/{patient_id}"))
    assert "Outcome measures" in page and "Patient-Specific Functional Scale" in page
    assert re.search(r"Patient-Specific Functional Scale</th>\s*<td>3</td>\s*<td>4</td>\s*<td>\+1</td>\s*<td>Yes</td>", page)
    outcomes_page = text_of(browser.get(f"/t/patients/{patient_id}/outcomes"))
    assert re.search(r"Sit through a film</th><td>2026-11-02</td><td>2 → 5</td>\s*<td>\+3 <span[^>]*>Meaningful", outcomes_page)


@pytest.mark.parametrize("code, body, fields", [
    ("psfs", {"answers": {"1": 3, "2": 3, "3": 3}}, {"items"}),
    ("psfs", {"items": ["Walk", "Sit"], "answers": {"1": 3, "2": 3}}, {"items"}),
    ("psfs", {"items": ["Walk", "Sit", " "], "answers": {"1": 3, "2": 3, "3": 3}}, {"items.2"}),
    ("psfs", {"items": ["Walk", "Sit", "walk"], "answers": {"1": 3, "2": 3, "3": 3}}, {"items.2"}),
    ("psfs", {"items": ["Walk", "Sit", "Lift"], "answers": {"1": 3, "2": 3}}, {"answers.3"}),
    ("psfs", {"items": ["Walk", "Sit", "Lift"], "answers": {"1": 3, "2": 11, "3": 3}}, {"answers.2"}),
    ("nprs", {"answers": {}}, {"answers.1"}),
    ("ears", {"answers": {"1": 0, "2": 1, "3": 2, "4": 3, "5": 4}}, {"answers.6"}),
    ("ears", {"answers": {"1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5}}, {"answers.6"}),
])
def test_bad_responses_are_refused_naming_the_field(app, clinic, code, body, fields):
    patient_id = clinic.enrol("Validation")
    response = clinic.answer(patient_id, code, body.pop("answers"), **body)
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert set(response.get_json()["errors"]) == fields
    with app.app_context():
        assert QuestionnaireResponse.select().count() == 0


def test_questionnaires_in_spanish_where_the_licence_allows(clinic):
    phone = clinic.phones[clinic.enrol("Lola")]
    spanish = {"Accept-Language": "es"}
    nprs = phone.get("/api/v1/questionnaires/nprs", headers=spanish).get_json()
    assert (nprs["name"], nprs["language"], nprs["english_only"]) == ("Escala numérica del dolor", "es", False)
    assert nprs["items"][0]["anchors"] == {"0": "Sin dolor", "10": "El peor dolor imaginable"}
    psfs = phone.get("/api/v1/questionnaires/psfs", headers=spanish).get_json()
    assert psfs["patient_items"]["prompt"] == "¿Qué tal puedes hacer esta actividad hoy?"
    for code in ("fabq", "ears"):
        shown = phone.get(f"/api/v1/questionnaires/{code}", headers=spanish).get_json()
        assert (shown["language"], shown["english_only"], shown["translation_allowed"]) == ("en", True, False)
        assert shown["items"][0]["anchors"]["0"] in {"Completely disagree", "Completely agree"}
    english = phone.get("/api/v1/questionnaires/fabq").get_json()
    assert (english["language"], english["english_only"]) == ("en", False)
