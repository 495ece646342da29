"""Background tasks; ``huey_consumer hep.tasks.huey`` imports this module.

Every consumer runs ``send_reminders`` and ``send_alert_notices`` each minute. That is safe
with any number of consumers: ``send_due`` and ``send_due_notices`` claim each reminder and
each notice under a unique key before sending it. ``notify_alert`` sends the first notices of
one new alert (enqueued by ``hep.push.alert_notices.alert_raised``); ``notify_message``
the notice of one new message (``hep.push.message_notices``).
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from flask import Flask, current_app, has_app_context
from huey import crontab

from hep.queue import configure_from_environment, huey

# A stand-alone consumer imports this module before any app exists: point huey at the
# queue named by the environment (``HEP_QUEUE_URL``, else the instance's SQLite file).
configure_from_environment()
_app: Flask | None = None
_app_lock = threading.Lock()


def bind_app(app: Flask) -> None:
    """Run tasks in ``app`` (``hep serve`` binds its own running app)."""
    global _app
    _app = app


@contextmanager
def app_context() -> Iterator[Flask]:
    """The current app, the bound one, or one built once from the environment."""
    global _app
    if has_app_context():
        yield current_app._get_current_object()
        return
    if _app is None:
        with _app_lock:
            if _app is None:
                from hep import create_app

                _app = create_app()
    with _app.app_context():
        yield _app


@huey.periodic_task(crontab(minute="*"), retries=0)
def send_reminders() -> str:
    """Send the reminders due now (the same function as ``hep send-reminders``)."""
    return send_reminders_at(None)


def send_reminders_at(at: str | None) -> str:
    from hep.db import db
    from hep.push.reminders import parse_instant, send_due
    from hep.timeutil import utcnow

    now: datetime = parse_instant(at) if at else utcnow()
    with app_context():
        try:
            return send_due(now).line()
        finally:
            if not db.is_closed():
                db.close()


@huey.task(retries=0)
def fan_out(at: str | None = None) -> str:
    """One fan-out run for instant ``at`` (ISO 8601; default now), for on-demand sends."""
    return send_reminders_at(at)


@huey.periodic_task(crontab(minute="*/15"), retries=0)
def refresh_alerts() -> str:
    """Raise the alerts that silence makes (no logs, no check-ins), every quarter hour."""
    from hep.care.summary import refresh_all_alerts

    return _in_app(lambda: f"raised {refresh_all_alerts()}")


@huey.task(retries=0)
def notify_alert(alert_id: int) -> str:
    """Round 1 of one alert's notices (``hep.push.alert_notices.notify``)."""
    from hep.push.alert_notices import notify

    return _in_app(lambda: notify(alert_id).line())


@huey.periodic_task(crontab(minute="*"), retries=0)
def send_alert_notices() -> str:
    """Due retries, missing first rounds and second rounds of alert notices."""
    return send_alert_notices_at(None)


def send_alert_notices_at(at: str | None) -> str:
    from hep.push.alert_notices import send_due_notices
    from hep.push.reminders import parse_instant
    from hep.timeutil import utcnow

    now: datetime = parse_instant(at) if at else utcnow()
    return _in_app(lambda: send_due_notices(now).line())


def _in_app(run):
    """Run ``run()`` in the app; close the connection only if this task opened the context
    (an immediate task runs inside its caller's request, maybe inside its transaction)."""
    from hep.db import db

    owned = not has_app_context()
    with app_context():
        try:
            return run()
        finally:
            if owned and not db.is_closed():
                db.close()


@huey.task(retries=0)
def notify_message(message_id: str) -> str:
    """Tell the other side of a thread that a message came (``hep.push.message_notices.notify``)."""
    from hep.push.message_notices import notify

    return _in_app(lambda: notify(message_id).line())


@huey.task(retries=0)
def send_password_reset(user_id: int) -> str:
    """Issue a password-reset token for the user and e-mail its link
    (``hep.people.password_reset.send_link``)."""
    from hep.people.password_reset import send_link

    return _in_app(lambda: send_link(user_id))
