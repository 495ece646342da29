"""What the patient's phone shows for reminder pushes: each reminder once.

A queue consumer killed between the push service's answer and its own record sends those
few reminders again (``hep/push/reminders.py``); the copy carries the same message id, and
the service worker shows an id once. The payloads here are the server's own
(``reminder_payload``), handed to the real service worker through DevTools.
"""
from __future__ import annotations

import json

import pytest

from hep.push import message_notices
from hep.push.reminders import reminder_payload

from .conftest import phone_context
from .push_worker import WorkerPush
from .test_patient_pwa import join

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
        notice = message_notices.payload("/app/#/messages", "hep-message-1", "en").decode()
    assert json.loads(first)["id"] == "reminder-41"
    worker = WorkerPush(allowed_phone, page, live_server.url + "/")

    worker.deliver(first)
    shown = worker.wait_shown()
    assert shown == [{"title": "Time for your exercises", "body": "Your exercise session is ready when you are.",
                      "tag": "hep-reminder", "url": "/app/#/today", "silent": False}]

    # The same reminder again while the first is on screen: replaced, in silence.
    worker.deliver(first)
    assert [n["silent"] for n in worker.wait("ns.some(n => n.silent)")] == [True]

    # Again after the patient dismissed it: nothing comes back. The worker handles pushes in
    # the order they come, and the repeat's handling is the shorter: once the message notice
    # sent after it is on screen, the repeat has been dropped, not just not shown yet.
    worker.close_all()
    worker.deliver(first)
    worker.deliver(notice)
    assert [n["tag"] for n in worker.wait_shown()] == ["hep-message-1"]
    worker.close_all()

    # The next reminder is a new one: shown, with its sound.
    worker.deliver(other)
    assert [(n["tag"], n["silent"]) for n in worker.wait_shown()] == [("hep-reminder", False)]
