"""What the patient's phone shows for reminder pushes: each reminder once.

A queue consumer killed between the push service's answer and its own record sends those
few reminders again (``hep/push/reminders.py``); the copy carries the same message id, and
the service worker shows an id once. The payloads here are the server's own
(``reminder_payload``), handed to the real service worker through DevTools.
"""
from __future__ import annotations

import json

import pytest

from hep.push.reminders import reminder_payload

from .conftest import phone_context
from .push_worker import WorkerPush
from .test_patient_pwa import join
from .waiting import wait_until

pytestmark = pytest.mark.browser


@pytest.fixture
def allowed_phone(browser, live_server):
    """A phone whose patient has allowed notifications."""
    with phone_context(browser, live_server, permissions=["notifications"]) as context:
        yield context


def test_a_reminder_sent_again_is_shown_once(app, allowed_phone, live_server, invited_patient):
    page = allowed_phone.new_page()
    join(page, invited_patient)
    with app.test_request_context():
        first, other = reminder_payload("en", 41).decode(), reminder_payload("en", 42).decode()
    assert json.loads(first)["id"] == "reminder-41"
    worker = WorkerPush(allowed_phone, page, live_server.url + "/")

    worker.deliver(first)
    shown = worker.wait_shown()
    assert shown == [{"title": "Time for your exercises", "body": "Your exercise session is ready when you are.",
                      "tag": "hep-reminder", "url": "/app/#/today", "silent": False}]

    # The same reminder again while the first is on screen: replaced, in silence.
    worker.deliver(first)
    wait_until(page, "navigator.serviceWorker.getRegistration('/')"
                     ".then(r => r.getNotifications()).then(ns => ns.some(n => n.silent))", timeout=5)
    assert [n["silent"] for n in worker.shown()] == [True]

    # Again after the patient dismissed it: nothing comes back (given the time the worker
    # took to show the copies above).
    worker.close_all()
    worker.deliver(first)
    page.wait_for_timeout(1500)
    assert worker.shown() == []

    # The next reminder is a new one: shown, with its sound.
    worker.deliver(other)
    assert [(n["tag"], n["silent"]) for n in worker.wait_shown()] == [("hep-reminder", False)]
