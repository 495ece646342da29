"""Reminder claims survive the death of their consumer: taken over after a short lease, kept
by a live owner's heartbeat, and at most ``WORKERS`` reminders go twice after a crash."""
from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from hep import migrations
from hep.db import db
from hep.models import ReminderDelivery
from hep.push import reminders
from tests.e2e.reminder_population import populate

AT = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)  # the slot's instant (what --at passes)
WALL = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # the wall clock heartbeats are stamped with


@pytest.fixture
def app(make_app, service):
    app = make_app(PUSH_ALLOWED_ORIGINS=service.origin, REMINDER_CLAIM_LEASE_SECONDS=30)
    with app.app_context():
        migrations.upgrade(db.obj)
        yield app
        if not db.is_closed():
            db.close()


def _received(service) -> Counter:
    return Counter(message.name for message in service.received)


def _statuses() -> Counter:
    return Counter(s for (s,) in ReminderDelivery.select(ReminderDelivery.status).tuples())


def test_the_claims_of_a_dead_consumer_are_taken_over_after_the_lease_not_before(app, service):
    names = populate(service, 6, prefix="dead")
    with time_machine.travel(WALL, tick=False) as clock:
        # A consumer claims a batch and dies before sending anything.
        due = reminders._due_pairs(AT, timedelta(minutes=15), reminders.Report())
        dead = reminders._claim_fresh(due, AT)
        assert len(dead.jobs) == 6

        clock.shift(timedelta(seconds=29))  # within the lease: the owner may still be working
        assert reminders.send_due(AT).due == 0
        assert service.received == []

        clock.shift(timedelta(seconds=2))  # heartbeat 31 s old: the owner is dead
        report = reminders.send_due(AT)
    assert (report.due, report.sent) == (6, 6)
    assert _received(service) == Counter({name: 1 for name in names})
    assert _statuses() == {"delivered": 6}


def test_a_live_owner_keeps_its_claims_by_beating_its_heartbeat(app, service, monkeypatch):
    """A batch that takes longer than the lease (a slow push service) is not taken over."""
    app.config["REMINDER_CLAIM_LEASE_SECONDS"] = 0.6  # heartbeat every 0.2 s
    names = populate(service, 5, prefix="slow")
    real = reminders.make_sender()

    class Slow:
        def send(self, *args, **kwargs):
            time.sleep(0.3)
            return real.send(*args, **kwargs)

    first: dict = {}

    def slow_consumer():
        with app.app_context():
            first["report"] = reminders.send_due(AT, sender=Slow(), workers=1)  # 5 x 0.3 s > 0.6 s
            db.close()

    thread = threading.Thread(target=slow_consumer)
    thread.start()
    try:
        time.sleep(1.0)  # the first claims' heartbeats would be stale by now without beating
        second = reminders.send_due(AT)
    finally:
        thread.join(20)
        real.close()
    assert second.due == 0
    assert first["report"].sent == 5
    assert _received(service) == Counter({name: 1 for name in names})


def test_after_a_crash_mid_batch_at_most_the_send_threads_go_twice(app, service, monkeypatch):
    names = populate(service, 40, prefix="crash")
    record = reminders._record
    calls = []

    def record_then_die(*args, **kwargs):
        calls.append(1)
        if len(calls) > 2:
            raise KeyboardInterrupt("the consumer is killed")  # nothing after this is committed
        return record(*args, **kwargs)

    with time_machine.travel(WALL, tick=False) as clock:
        monkeypatch.setattr(reminders, "_record", record_then_die)
        with pytest.raises(KeyboardInterrupt):
            reminders.send_due(AT, workers=4)
        monkeypatch.setattr(reminders, "_record", record)
        sent_before = len(service.received)
        assert 0 < sent_before < 40

        clock.shift(timedelta(seconds=31))
        reminders.send_due(AT, workers=4)
    received = _received(service)
    assert set(received) == set(names)  # every due reminder delivered
    twice = sum(count - 1 for count in received.values())
    assert twice <= 4, received  # at most the send threads in flight when it died
    assert _statuses() == {"delivered": 40}
