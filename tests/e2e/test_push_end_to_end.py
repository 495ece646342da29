"""Reminders end to end: the API, ``hep send-reminders`` and a real local push service.

The patient subscribes and sets reminders through the JSON API; ``send-reminders --at``
sends through pywebpush to ``tests/support/push_service.py``, which verifies the VAPID JWT
and decrypts the message, so what is asserted is what a phone would show.
"""
from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hep.models import DeliveryAttempt, ProgramVersion, PushSubscription, ReminderDelivery, ReminderSchedule
from hep.timeutil import from_storage
from tests.support.push_service import Reply, make_subscription

UTC = UTC
EVERY_DAY = [1, 2, 3, 4, 5, 6, 7]
HEALTH_WORDS = ("sciatic", "nerve", "prone", "elbows", "pain", "slider", "jo patient", "sciatica", "back")


@pytest.fixture
def app_config(service):
    """The conftest app, allowed to push to the local service (``api``/``enrolled`` use it)."""
    return {"PUSH_ALLOWED_ORIGINS": service.origin, "PUSH_TTL_SECONDS": 3600}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def run(app, instant: datetime) -> str:
    """``hep send-reminders --at instant``; returns the last line."""
    result = app.test_cli_runner().invoke(args=["send-reminders", "--at", instant.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def subscribe(patient, service, name):
    info, _key = make_subscription(service, name)
    response = patient.post("/api/v1/push/subscriptions", {**info, "expirationTime": None})
    assert response.status_code == 201, response.get_json()
    return info


def set_reminders(patient, **settings):
    body = {"enabled": True, "days": EVERY_DAY, "timezone": "Europe/Madrid", **settings}
    response = patient.put("/api/v1/reminders", body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def deliveries(app):
    with app.app_context():
        return list(ReminderDelivery.select().order_by(ReminderDelivery.id))


def test_a_reminder_is_delivered_once_with_no_health_details(app, enrolled, service):
    patient, _patient_id, _program = enrolled
    subscribe(patient, service, "alice")
    set_reminders(patient, times=["08:00", "18:30"])

    # 08:00 in Madrid (CEST) on Monday 2 June 2025.
    assert run(app, at("2025-06-02T06:00:00+00:00")) == "due 1, sent 1, pruned 0, failed 0"

    [message] = service.received
    shown = json.loads(message.text)
    [delivery] = deliveries(app)
    assert shown == {"id": f"reminder-{delivery.id}",  # every send of this delivery: shown once
                     "title": "Time for your exercises",
                     "body": "Your exercise session is ready when you are.",
                     "url": "/app/#/today", "tag": "hep-reminder",
                     # the same notification for Safari's Declarative Web Push
                     "web_push": 8030,
                     "notification": {"title": "Time for your exercises",
                                      "body": "Your exercise session is ready when you are.",
                                      "navigate": "/app/#/today", "tag": "hep-reminder",
                                      "lang": "en", "silent": False}}
    assert not any(word in message.text.lower() for word in HEALTH_WORDS)
    with app.app_context():
        schedule = ReminderSchedule.get()
    assert message.headers["ttl"] == "3600"
    assert message.headers["urgency"] == "normal"
    assert message.headers["topic"] == f"reminder-{schedule.id}"
    assert message.claims["aud"] == service.origin and message.claims["sub"]

    # Exactly once: the same instant again, and later inside the look-back window.
    assert run(app, at("2025-06-02T06:00:00+00:00")) == "due 0, sent 0, pruned 0, failed 0"
    assert run(app, at("2025-06-02T06:10:00+00:00")) == "due 0, sent 0, pruned 0, failed 0"
    assert len(service.received) == 1
    [delivery] = deliveries(app)
    assert (delivery.status, delivery.slot, str(delivery.local_date)) == ("delivered", "08:00", "2025-06-02")
    assert delivery.key == f"{schedule.id}:2025-06-02:08:00:{delivery.subscription_id}"
    with app.app_context():
        assert [a.outcome for a in DeliveryAttempt.select()] == ["delivered"]
        assert PushSubscription.get().last_success_at is not None

    # The evening slot, to every device the patient has.
    subscribe(patient, service, "alice-tablet")
    assert run(app, at("2025-06-02T16:30:00+00:00")) == "due 2, sent 2, pruned 0, failed 0"
    assert sorted(m.name for m in service.received[1:]) == ["alice", "alice-tablet"]


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_is_deleted(app, enrolled, service, status):
    patient, _patient_id, _program = enrolled
    subscribe(patient, service, "bob")
    set_reminders(patient, times=["08:00"])
    service.respond("bob", status)

    assert run(app, at("2025-06-02T06:00:00+00:00")) == "due 1, sent 0, pruned 1, failed 0"

    with app.app_context():
        assert PushSubscription.select().count() == 0
        assert [(a.outcome, a.status_code) for a in DeliveryAttempt.select()] == [("gone", status)]
    [delivery] = deliveries(app)
    assert delivery.status == "gone" and delivery.subscription_id is None
    assert run(app, at("2025-06-03T06:00:00+00:00")) == "due 0, sent 0, pruned 0, failed 0"


@pytest.mark.parametrize("reply, min_wait", [
    (Reply(429, {"Retry-After": "120"}), 120),
    (Reply(500), 5),
    (Reply(503, {"Retry-After": "30"}), 30),
])
def test_a_temporary_failure_is_retried_after_the_backoff(app, enrolled, service, reply, min_wait):
    patient, _patient_id, _program = enrolled
    subscribe(patient, service, "carol")
    set_reminders(patient, times=["08:00"])
    service.respond("carol", reply)
    first = at("2025-06-02T06:00:00+00:00")

    assert run(app, first) == "due 1, sent 0, pruned 0, failed 0"
    [delivery] = deliveries(app)
    assert delivery.status == "retry" and delivery.attempts == 1
    retry_at = from_storage(delivery.next_attempt_at)
    assert retry_at >= first + timedelta(seconds=min_wait)
    assert service.received == []

    # Not before the backoff; then exactly once.
    assert run(app, retry_at - timedelta(seconds=1)) == "due 0, sent 0, pruned 0, failed 0"
    assert run(app, retry_at) == "due 1, sent 1, pruned 0, failed 0"
    assert run(app, retry_at + timedelta(minutes=1)) == "due 0, sent 0, pruned 0, failed 0"
    assert len(service.received) == 1
    [delivery] = deliveries(app)
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    with app.app_context():
        outcomes = [(a.outcome, a.status_code) for a in DeliveryAttempt.select().order_by(DeliveryAttempt.id)]
    assert outcomes == [("retry", reply.status), ("delivered", 201)]


def test_a_delivery_that_keeps_failing_is_given_up(app, enrolled, service):
    patient, _patient_id, _program = enrolled
    subscribe(patient, service, "dan")
    set_reminders(patient, times=["08:00"])
    service.respond("dan", *[500] * 5)
    lines = [run(app, at("2025-06-02T06:00:00+00:00"))]
    for _ in range(4):
        [delivery] = deliveries(app)
        lines.append(run(app, from_storage(delivery.next_attempt_at)))
    assert lines[-1] == "due 1, sent 0, pruned 0, failed 1"
    [delivery] = deliveries(app)
    assert (delivery.status, delivery.attempts) == ("failed", 5)
    with app.app_context():
        assert DeliveryAttempt.select().count() == 5
        assert PushSubscription.select().count() == 1


@pytest.mark.parametrize("status", [400, 403, 413])
def test_a_rejected_message_fails_and_keeps_the_subscription(app, enrolled, service, status):
    patient, _patient_id, _program = enrolled
    subscribe(patient, service, "erin")
    set_reminders(patient, times=["08:00"])
    service.respond("erin", status)
    assert run(app, at("2025-06-02T06:00:00+00:00")) == "due 1, sent 0, pruned 0, failed 1"
    [delivery] = deliveries(app)
    assert (delivery.status, delivery.last_status) == ("failed", status)
    with app.app_context():
        assert PushSubscription.select().count() == 1
    # Failed is final: no retry later.
    assert run(app, at("2025-06-02T06:14:00+00:00")) == "due 0, sent 0, pruned 0, failed 0"


def test_an_endpoint_no_longer_allowed_is_refused_at_send(app, enrolled, service):
    patient, _patient_id, _program = enrolled
    subscribe(patient, service, "fay")
    set_reminders(patient, times=["08:00"])
    app.config["PUSH_ALLOWED_ORIGINS"] = ""  # the operator removed the origin
    assert run(app, at("2025-06-02T06:00:00+00:00")) == "due 1, sent 0, pruned 0, failed 1"
    assert service.attempts == []
    with app.app_context():
        assert [a.outcome for a in DeliveryAttempt.select()] == ["refused"]


def assigned_on(app, day: str) -> None:
    """Date the program back: these tests replay fixed days in 2025, and sessions count
    against the version in effect on the day they were done."""
    with app.app_context():
        ProgramVersion.update(created_at=datetime.fromisoformat(day)).execute()


def test_a_slot_is_skipped_when_the_days_work_is_done(app, enrolled, service):
    patient, _patient_id, program = enrolled
    assigned_on(app, "2025-06-01T08:00:00")
    subscribe(patient, service, "gus")
    set_reminders(patient, times=["08:00", "18:30"])
    assert run(app, at("2025-06-02T06:00:00+00:00")) == "due 1, sent 1, pruned 0, failed 0"

    items = program["items"]
    sessions = [(item["id"], n) for item in items for n in range(item["frequency_per_day"])]
    for index, (prescription_id, _n) in enumerate(sessions):
        body = {"id": str(uuid.uuid4()), "prescription_id": prescription_id,
                "performed_at": f"2025-06-02T07:{index:02d}:00+00:00", "sets_done": 1, "reps_done": 1,
                "pain_during": 2, "pain_after": 2, "effort": 3, "note": ""}
        assert patient.post("/api/v1/completions", body).status_code == 201

    assert run(app, at("2025-06-02T16:30:00+00:00")) == "due 0, sent 0, pruned 0, failed 0"
    # The next day starts afresh.
    assert run(app, at("2025-06-03T06:00:00+00:00")) == "due 1, sent 1, pruned 0, failed 0"
    assert len(service.received) == 2


def test_part_of_the_days_work_does_not_skip_the_slot(app, enrolled, service):
    patient, _patient_id, program = enrolled
    assigned_on(app, "2025-06-01T08:00:00")
    subscribe(patient, service, "hal")
    set_reminders(patient, times=["18:30"])
    slider = next(item for item in program["items"] if item["frequency_per_day"] == 2)
    body = {"id": str(uuid.uuid4()), "prescription_id": slider["id"],
            "performed_at": "2025-06-02T07:00:00+00:00", "sets_done": 1, "reps_done": 1,
            "pain_during": 2, "pain_after": 2, "effort": 3, "note": ""}
    assert patient.post("/api/v1/completions", body).status_code == 201
    assert run(app, at("2025-06-02T16:30:00+00:00")) == "due 1, sent 1, pruned 0, failed 0"


def test_no_exercise_reminder_goes_out_while_a_red_flag_is_open(app, enrolled, service, therapist_api):
    patient, patient_id, _program = enrolled
    subscribe(patient, service, "ivy")
    set_reminders(patient, times=["08:00"])
    day = patient.get("/api/v1/today").get_json()["date"]
    assert patient.post("/api/v1/checkins", {
        "id": str(uuid.uuid4()), "date": day, "morning_pain": 4, "settled": "partly", "distal_symptom": "thigh",
        "new_numbness_or_weakness": False, "red_flag_change": True}).status_code == 201
    assert run(app, at("2025-06-02T06:00:00+00:00")) == "due 0, sent 0, pruned 0, failed 0"
    assert service.received == []

    [alert] = therapist_api.get(f"/api/v1/patients/{patient_id}/alerts").get_json()
    assert therapist_api.post(f"/api/v1/alerts/{alert['id']}/resolve", {"outcome": "cleared"}).status_code == 200
    assert run(app, at("2025-06-03T06:00:00+00:00")) == "due 1, sent 1, pruned 0, failed 0"
    assert len(service.received) == 1


def test_a_slot_in_quiet_hours_is_not_sent(app, enrolled, service):
    patient, _patient_id, _program = enrolled
    subscribe(patient, service, "ivy")
    set_reminders(patient, times=["07:00", "08:00", "23:00"], quiet_start="22:00", quiet_end="07:30")
    lines = [run(app, at("2025-06-02T05:00:00+00:00")),  # 07:00 local: quiet
             run(app, at("2025-06-02T06:00:00+00:00")),  # 08:00 local
             run(app, at("2025-06-02T21:00:00+00:00"))]  # 23:00 local: quiet
    assert lines == ["due 0, sent 0, pruned 0, failed 0", "due 1, sent 1, pruned 0, failed 0",
                     "due 0, sent 0, pruned 0, failed 0"]
    assert [d.slot for d in deliveries(app)] == ["08:00"]


def test_a_disabled_schedule_sends_nothing(app, enrolled, service):
    patient, _patient_id, _program = enrolled
    subscribe(patient, service, "jan")
    set_reminders(patient, times=["08:00"], enabled=False)
    assert run(app, at("2025-06-02T06:00:00+00:00")) == "due 0, sent 0, pruned 0, failed 0"


def test_snooze_sends_one_more_reminder_later(app, enrolled, service, monkeypatch):
    patient, _patient_id, _program = enrolled
    subscribe(patient, service, "kim")
    # The daily time is half a day from now, so the snooze's window never holds a daily slot
    # (the snooze runs on the wall clock).
    daily = (datetime.now(ZoneInfo("Europe/Madrid")) + timedelta(hours=12)).strftime("%H:%M")
    set_reminders(patient, times=[daily])
    response = patient.post("/api/v1/reminders/snooze", {"minutes": 30})
    assert response.status_code == 202, response.get_json()
    snoozed = datetime.fromisoformat(response.get_json()["at"])
    assert response.get_json()["devices"] == 1
    assert run(app, snoozed - timedelta(minutes=1)) == "due 0, sent 0, pruned 0, failed 0"
    assert run(app, snoozed) == "due 1, sent 1, pruned 0, failed 0"
    assert run(app, snoozed + timedelta(minutes=1)) == "due 0, sent 0, pruned 0, failed 0"
    assert len(service.received) == 1


DST_CASES = {
    # zone, local day, times, expected UTC instants (one per slot: no loss, no double)
    "new-york-spring": ("America/New_York", "2025-03-09", ["01:30", "02:30", "08:00"],
                        {"01:30": "2025-03-09T06:30", "02:30": "2025-03-09T07:00", "08:00": "2025-03-09T12:00"}),
    "new-york-fall": ("America/New_York", "2025-11-02", ["01:30", "02:30", "08:00"],
                      {"01:30": "2025-11-02T05:30", "02:30": "2025-11-02T07:30", "08:00": "2025-11-02T13:00"}),
    "sydney-autumn": ("Australia/Sydney", "2025-04-06", ["02:30", "08:00"],
                      {"02:30": "2025-04-05T15:30", "08:00": "2025-04-05T22:00"}),
    "sydney-spring": ("Australia/Sydney", "2025-10-05", ["02:30", "08:00"],
                      {"02:30": "2025-10-04T16:00", "08:00": "2025-10-04T21:00"}),
}


@pytest.mark.parametrize("case", DST_CASES)
def test_no_reminder_is_lost_or_doubled_across_a_dst_change(app, enrolled, service, case):
    tz, day, times, expected = DST_CASES[case]
    patient, _patient_id, _program = enrolled
    subscribe(patient, service, "lee")
    set_reminders(patient, times=times, timezone=tz)

    first = min(at(v + ":00+00:00") for v in expected.values()) - timedelta(hours=2)
    last = max(at(v + ":00+00:00") for v in expected.values()) + timedelta(hours=1)
    sent_at = {}
    instant = first
    while instant <= last:  # send-reminders every 5 minutes across the change
        before = len(service.received)
        run(app, instant)
        for _ in range(len(service.received) - before):
            sent_at.setdefault(instant, 0)
            sent_at[instant] += 1
        instant += timedelta(minutes=5)

    rows = [d for d in deliveries(app) if str(d.local_date) == day]
    assert sorted(d.slot for d in rows) == sorted(times)
    assert {d.slot: from_storage(d.due_at).strftime("%Y-%m-%dT%H:%M") for d in rows} == expected
    assert all(d.status == "delivered" for d in rows)
    assert len(service.received) == len(deliveries(app)) == len(times)
    # Each one went out, alone, at the run at its instant.
    assert sent_at == {at(v + ":00+00:00"): 1 for v in expected.values()}
