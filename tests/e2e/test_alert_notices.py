"""Alert notices end to end: a real local push service (it verifies VAPID and decrypts) and a
real local SMTP server (aiosmtpd), the staff subscription through the JSON API, and
``alert_raised`` / ``send_due_notices`` as the alert code and the periodic task call them."""
from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from hep.models import Alert, AlertNotification, Patient, StaffPushSubscription, User
from hep.people.passwords import hash_password
from hep.push.alert_notices import alert_raised, send_due_notices
from hep.timeutil import from_storage, utcnow
from tests.support.push_service import make_subscription

from conftest import PASSWORD

BASE = "https://hep.example"
TITLE = "A patient needs your attention"
HEALTH_WORDS = ("jo patient", "jo", "bladder", "bowel", "cauda", "emergency", "urgent", "red flag", "pain",
                "sciatic", "numb", "weak")


@pytest.fixture
def app_config(service, smtp):
    return {"PUSH_ALLOWED_ORIGINS": service.origin, "SMTP_URL": smtp.url, "MAIL_FROM": "hep@clinic.test",
            "BASE_URL": BASE}


@pytest.fixture
def clock():
    # From now on (sessions and VAPID tokens are signed with real times), shifted forward at will.
    with time_machine.travel(datetime.now(UTC), tick=True) as traveller:
        yield traveller


@pytest.fixture
def clinic(app, api, therapist_api, enrolled, service, clock):
    """The therapist's laptop and an admin's browser subscribed; another clinic's admin too."""
    _patient, patient_id, _program = enrolled
    subscribe(therapist_api, service, "pt-laptop")
    with app.app_context():
        patient = Patient.get_by_id(patient_id)
        User.create(clinic=patient.clinic_id, role="admin", email="admin@clinic.test", display_name="Ada Admin",
                    password_hash=hash_password(PASSWORD))
        from hep.models import Clinic

        other = Clinic.create(name="Elsewhere")
        User.create(clinic=other, role="admin", email="admin@elsewhere.test", display_name="Other Admin",
                    password_hash=hash_password(PASSWORD))
    admin = api()
    assert admin.post("/api/v1/auth/login", {"email": "admin@clinic.test", "password": PASSWORD}).status_code == 200
    subscribe(admin, service, "admin-browser")
    outsider = api()
    assert outsider.post("/api/v1/auth/login",
                         {"email": "admin@elsewhere.test", "password": PASSWORD}).status_code == 200
    subscribe(outsider, service, "elsewhere-browser")
    return patient_id


def subscribe(client, service, name):
    info, _key = make_subscription(service, name)
    response = client.post("/api/v1/push/subscriptions", {**info, "expirationTime": None})
    assert response.status_code == 201, response.get_json()
    return info


def raise_alert(app, patient_id, level="emergency", status="open"):
    with app.app_context():
        alert = Alert.create(patient=patient_id, key="red_flag", code="cauda_equina", level=level,
                             detail="Bladder or bowel change reported in the check-in", evidence=[1],
                             status=status)
        alert_raised(alert)
        return alert.id


def due(app, at=None):
    with app.app_context():
        return send_due_notices(at or utcnow()).line()


def notices(app, alert_id):
    with app.app_context():
        return list(AlertNotification.select().where(AlertNotification.alert == alert_id)
                    .order_by(AlertNotification.round, AlertNotification.channel, AlertNotification.target))


def mails(smtp):
    return sorted(m.rcpt_tos[0] for m in smtp.messages)


def assert_no_health_words(text):
    lowered = text.lower()
    assert not [word for word in HEALTH_WORDS if word in lowered], text


def test_the_therapist_is_told_at_once_and_again_with_the_admins_an_hour_later(app, clinic, service, smtp, clock):
    patient_id = clinic
    alert_id = raise_alert(app, patient_id)

    # Round 1: the therapist's browser and e-mail, nobody else.
    [push] = service.received
    assert push.name == "pt-laptop"
    shown = json.loads(push.text)
    path = f"/t/patients/{patient_id}"
    assert shown == {"title": TITLE, "body": "Open hep to see who and why.", "url": path,
                     "tag": f"hep-alert-{alert_id}", "web_push": 8030,
                     "notification": {"title": TITLE, "body": "Open hep to see who and why.",
                                      "navigate": BASE + path, "tag": f"hep-alert-{alert_id}",
                                      "lang": "en", "silent": False}}
    assert_no_health_words(push.text)
    assert push.headers["urgency"] == "high"
    assert push.headers["topic"] == f"alert-{alert_id}"
    assert push.claims["aud"] == service.origin

    [mail] = smtp.messages
    assert mail.rcpt_tos == ("pt@clinic.test",) and mail.mail_from == "hep@clinic.test"
    assert mail["Subject"] == TITLE
    assert BASE + path in mail.body
    assert_no_health_words(mail["Subject"] + mail.body)

    rows = notices(app, alert_id)
    with app.app_context():
        laptop = StaffPushSubscription.get(StaffPushSubscription.endpoint == service.endpoint("pt-laptop"))
    assert [(r.round, r.channel, r.target, r.status, r.attempts) for r in rows] == [
        (1, "email", "pt@clinic.test", "sent", 1), (1, "push", str(laptop.id), "sent", 1)]
    assert [r.key for r in rows] == [f"{alert_id}:1:email:pt@clinic.test", f"{alert_id}:1:push:{laptop.id}"]
    assert all(r.sent_at is not None and r.last_error is None for r in rows)

    # Raised again, or the periodic run before the hour: nothing more.
    with app.app_context():
        alert_raised(Alert.get_by_id(alert_id))
    assert due(app) == "notices 0, sent 0, retrying 0, failed 0, gone 0, cancelled 0"
    clock.shift(timedelta(minutes=59))
    assert due(app).startswith("notices 0,")
    assert len(service.received) == 1 and len(smtp.messages) == 1

    # 61 minutes on, still open: round 2 to the therapist and this clinic's admin.
    clock.shift(timedelta(minutes=2))
    assert due(app) == "notices 4, sent 4, retrying 0, failed 0, gone 0, cancelled 0"
    assert sorted(m.name for m in service.received[1:]) == ["admin-browser", "pt-laptop"]
    assert mails(smtp) == ["admin@clinic.test", "pt@clinic.test", "pt@clinic.test"]
    for message in service.received[1:]:
        assert json.loads(message.text)["url"] == path
        assert_no_health_words(message.text)
    assert [(r.round, r.status) for r in notices(app, alert_id)].count((2, "sent")) == 4

    # Exactly once per round and target.
    clock.shift(timedelta(minutes=30))
    assert due(app).startswith("notices 0,")
    assert len(service.received) == 3 and len(smtp.messages) == 3


def test_an_acknowledged_alert_gets_no_second_round(app, clinic, service, smtp, clock):
    alert_id = raise_alert(app, clinic, level="urgent")
    assert len(service.received) == 1
    with app.app_context():
        Alert.update(status="acknowledged", acknowledged_at=utcnow().replace(tzinfo=None)).where(
            Alert.id == alert_id).execute()
    clock.shift(timedelta(minutes=61))
    assert due(app).startswith("notices 0,")
    assert len(service.received) == 1 and len(smtp.messages) == 1
    assert {r.round for r in notices(app, alert_id)} == {1}


def test_a_push_service_error_is_retried_later(app, clinic, service, smtp, clock):
    service.respond("pt-laptop", 500)
    alert_id = raise_alert(app, clinic)
    assert service.received == [] and len(smtp.messages) == 1
    [push_row] = [r for r in notices(app, alert_id) if r.channel == "push"]
    assert (push_row.status, push_row.attempts) == ("retry", 1)
    assert "500" in push_row.last_error
    retry_at = from_storage(push_row.next_attempt_at)
    assert retry_at > utcnow()

    assert due(app, retry_at - timedelta(seconds=1)).startswith("notices 0,")
    assert due(app, retry_at) == "notices 1, sent 1, retrying 0, failed 0, gone 0, cancelled 0"
    assert [m.name for m in service.received] == ["pt-laptop"]
    assert json.loads(service.received[0].text)["title"] == TITLE
    [push_row] = [r for r in notices(app, alert_id) if r.channel == "push"]
    assert (push_row.status, push_row.attempts, push_row.next_attempt_at) == ("sent", 2, None)
    assert due(app, retry_at + timedelta(minutes=1)).startswith("notices 0,")
    assert len(smtp.messages) == 1


def test_a_mail_server_refusing_for_now_is_retried(app, clinic, service, smtp, clock):
    smtp.reply("451 4.3.0 Try again later")
    alert_id = raise_alert(app, clinic)
    [mail_row] = [r for r in notices(app, alert_id) if r.channel == "email"]
    assert (mail_row.status, mail_row.attempts) == ("retry", 1) and "451" in mail_row.last_error
    assert due(app, from_storage(mail_row.next_attempt_at)).startswith("notices 1, sent 1,")
    assert mails(smtp) == ["pt@clinic.test"]


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_browser_is_forgotten(app, clinic, service, clock, status):
    service.respond("pt-laptop", status)
    alert_id = raise_alert(app, clinic)
    [push_row] = [r for r in notices(app, alert_id) if r.channel == "push"]
    assert push_row.status == "gone"
    with app.app_context():
        assert not StaffPushSubscription.select().where(
            StaffPushSubscription.endpoint == service.endpoint("pt-laptop")).exists()


def test_a_retry_for_an_alert_acknowledged_meanwhile_is_cancelled(app, clinic, service, clock):
    service.respond("pt-laptop", 503)
    alert_id = raise_alert(app, clinic)
    with app.app_context():
        Alert.update(status="acknowledged").where(Alert.id == alert_id).execute()
    [push_row] = [r for r in notices(app, alert_id) if r.channel == "push"]
    assert due(app, from_storage(push_row.next_attempt_at)).endswith("cancelled 1")
    assert service.received == []
    assert [r.status for r in notices(app, alert_id) if r.channel == "push"] == ["cancelled"]


def test_lower_levels_notify_nobody(app, clinic, service, smtp, clock):
    alert_id = raise_alert(app, clinic, level="warning")
    clock.shift(timedelta(minutes=61))
    assert due(app).startswith("notices 0,")
    assert service.received == [] and smtp.messages == [] and notices(app, alert_id) == []


def test_a_lost_task_is_made_up_by_the_periodic_run(app, clinic, service, smtp, clock):
    with app.app_context():  # stored, but alert_raised never ran (the queue lost it)
        alert = Alert.create(patient=clinic, key="red_flag", code="cauda_equina", level="emergency",
                             detail="x", evidence=[])
    result = app.test_cli_runner().invoke(args=["send-alert-notices", "--at", utcnow().isoformat()])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "notices 2, sent 2, retrying 0, failed 0, gone 0, cancelled 0"
    assert [m.name for m in service.received] == ["pt-laptop"] and mails(smtp) == ["pt@clinic.test"]
    assert {r.round for r in notices(app, alert.id)} == {1}


def test_without_smtp_only_browsers_are_told(app, clinic, service, smtp, clock):
    app.config["SMTP_URL"] = None
    alert_id = raise_alert(app, clinic)
    assert [m.name for m in service.received] == ["pt-laptop"] and smtp.messages == []
    assert [r.channel for r in notices(app, alert_id)] == ["push"]


def test_many_consumers_send_each_notice_once(app, clinic, service, smtp, clock):
    with app.app_context():
        alert = Alert.create(patient=clinic, key="red_flag", code="cauda_equina", level="urgent",
                             detail="x", evidence=[])
    clock.shift(timedelta(minutes=61))  # rounds 1 and 2 are both due
    now = utcnow()
    lines, errors = [], []
    barrier = threading.Barrier(4)

    def consumer():
        try:
            barrier.wait()
            lines.append(due(app, now))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=consumer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    # Round 1: therapist's browser and mail; round 2: those again and the admin's two.
    assert sum(int(line.split(",")[1].split()[1]) for line in lines) == 6
    assert sorted(m.name for m in service.received) == ["admin-browser", "pt-laptop", "pt-laptop"]
    assert mails(smtp) == ["admin@clinic.test", "pt@clinic.test", "pt@clinic.test"]
    assert len(notices(app, alert.id)) == 6


def test_alert_raised_never_breaks_the_code_that_stored_the_alert(app, clinic, service, clock, monkeypatch):
    import hep.worker

    def broken(_alert_id):
        raise ConnectionError("queue down")

    monkeypatch.setattr(hep.worker, "notify_alert", broken)
    raise_alert(app, clinic)  # does not raise
    assert service.received == []
    assert due(app).startswith("notices 2, sent 2,")  # the next periodic run sends round 1
