"""Patients lived through simulated days, through the JSON API only.

``Scenario`` moves the clock (time-machine) to each morning and session of a patient in
Europe/Madrid, posts their check-ins and completions as the phone would, and reads what the
therapist sees. Each day is a dict: ``morning`` (check-in fields; missing means no check-in)
and ``sessions`` (a list of per-exercise lists of (pain_during, pain_after[, effort]) tuples).
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine

from conftest import exercise_id

TZ = ZoneInfo("Europe/Madrid")
START = date(2026, 11, 2)  # a Monday
SESSION_HOURS = (10, 14, 18)
STEADY_MORNING = {"morning_pain": 2, "settled": "yes", "distal_symptom": "back",
                  "new_numbness_or_weakness": False, "red_flag_change": False}


class Scenario:
    """One patient of ``therapist`` (its credentials), with a program of ``items`` (slug, dose).

    Everyone signs in once the clock is moved: a session signed "in the future" is refused.
    """

    def __init__(self, api, therapist: dict, items, start: date = START):
        self.day = start
        self.clock = time_machine.travel(self._at(start, time(8, 0)), tick=False)
        self.traveller = self.clock.start()
        self.therapist = api()
        assert self.therapist.post("/api/v1/auth/login", {"email": therapist["email"],
                                                          "password": therapist["password"]}).status_code == 200
        response = self.therapist.post("/api/v1/patients", {"display_name": "Scenario patient",
                                                            "timezone": "Europe/Madrid"})
        assert response.status_code == 201, response.get_json()
        created = response.get_json()
        self.patient_id = created["id"]
        program = self.assign(items)
        self.prescriptions = [item["id"] for item in program["items"]]
        self.exercises = [item["exercise_id"] for item in program["items"]]
        self.phone = api()
        token = created["invite_url"].rsplit("/", 1)[-1]
        assert self.phone.post("/api/v1/auth/join", {"token": token}).status_code == 200

    def prescription_exercise(self, index: int = 0) -> int:
        """The exercise id of the ``index``-th item of the first program."""
        return self.exercises[index]

    def stop(self) -> None:
        self.clock.stop()

    @staticmethod
    def _at(day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, TZ)

    def assign(self, items, **extra) -> dict:
        body = {"phase": "load", "items": [{"exercise_id": exercise_id(self.therapist, slug), **dose}
                                           for slug, dose in items], **extra}
        response = self.therapist.post(f"/api/v1/patients/{self.patient_id}/program", body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def live(self, days: list[dict]) -> None:
        """Live ``days`` one after another, from the current day."""
        for spec in days:
            self.traveller.move_to(self._at(self.day, time(8, 0)))
            if spec.get("morning") is not None:
                body = {"id": str(uuid.uuid4()), "date": self.day.isoformat(), **STEADY_MORNING, **spec["morning"]}
                response = self.phone.post("/api/v1/checkins", body)
                assert response.status_code == 201, response.get_json()
            for index, sessions in enumerate(spec.get("sessions", [])):
                for n, session in enumerate(sessions):
                    during, after, *effort = session
                    self.traveller.move_to(self._at(self.day, time(SESSION_HOURS[n], 5 * index)))
                    body = {"id": str(uuid.uuid4()), "prescription_id": self.prescriptions[index],
                            "performed_at": datetime.now(TZ).isoformat(), "sets_done": 2, "reps_done": 8,
                            "pain_during": during, "pain_after": after, "effort": effort[0] if effort else 4,
                            "note": ""}
                    response = self.phone.post("/api/v1/completions", body)
                    assert response.status_code == 201, response.get_json()
            self.day += timedelta(days=1)
        self.traveller.move_to(self._at(self.day, time(8, 0)))

    def summary(self) -> dict:
        return self.therapist.get(f"/api/v1/patients/{self.patient_id}/summary?days=14").get_json()

    def recommendation(self, index: int = 0) -> dict:
        rx = self.prescriptions[index]
        return next(r for r in self.summary()["recommendations"] if r["prescription_id"] == rx)

    def alerts(self) -> list[dict]:
        return self.therapist.get(f"/api/v1/patients/{self.patient_id}/alerts").get_json()


def steady(days: int, exercises: int = 1, pain: tuple[int, int] = (1, 1)) -> list[dict]:
    """Days of a patient doing well: settled mornings at 2, sessions at ``pain``."""
    return [{"morning": {}, "sessions": [[pain]] * exercises} for _ in range(days)]


def scenarios(api, therapist, default_items):
    """The body of a ``scenario`` fixture: yields ``make(items=default_items)``, which starts a
    :class:`Scenario` (its clock running), and stops every one made when the test ends."""
    made = []

    def make(items=default_items):
        made.append(Scenario(api, therapist, list(items)))
        return made[-1]

    yield make
    for s in made:
        s.stop()
