"""Background tasks; ``huey_consumer hep.tasks.huey`` imports this module.

Every consumer runs ``send_reminders`` each minute. That is safe with any number of
consumers: ``send_due`` claims each reminder under a unique key before sending it.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import datetime
from typing import Iterator

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
