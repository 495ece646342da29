"""Background work (huey): the queue and its tasks. ``huey_consumer hep.worker.huey`` runs them.

The queue's storage follows ``QUEUE_URL``: ``immediate`` runs tasks inline (tests);
``redis://...`` uses Redis with separate ``huey_consumer hep.worker.huey`` processes;
``sqlite:///path`` (the default) keeps the queue in a file next to the database, consumed
in-process by ``hep serve``. The app factory points it at its ``QUEUE_URL`` (``init_app``); a
stand-alone consumer, which has no app, gets the storage the environment names the first
time it reads ``hep.worker.huey`` (see ``__getattr__`` below), so importing this module
configures nothing by itself.

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
from huey import Huey, crontab
from huey.storage import RedisStorage, SqliteStorage

from hep.instance import private_file, private_folder

# Created unconfigured (immediate, in memory) so the task decorators below bind to it at
# import; ``configure`` points it at real storage before anything is enqueued. Read from
# outside as ``hep.worker.huey`` (module ``__getattr__``), never as ``_huey``.
_huey = Huey("hep", immediate=True, utc=True)
_configured = False
_app: Flask | None = None
_app_lock = threading.Lock()


def __getattr__(name: str):
    # ``huey_consumer hep.worker.huey`` imports this module, then reads ``huey``: with no app
    # in that process, this is where the queue gets the storage the environment names.
    if name == "huey":
        return configure_from_environment()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def configure(url: str) -> Huey:
    """Point the queue at the storage named by ``url`` and return it."""
    global _configured
    _configured = True
    huey = _huey
    if url == "immediate":
        huey.immediate = True
        return huey
    if url.startswith(("redis://", "rediss://", "unix://")):
        huey.storage_class = RedisStorage
        huey.storage_kwargs = {"url": url}
    elif url.startswith("sqlite:///"):
        huey.storage_class = SqliteStorage
        filename = url[len("sqlite:///"):]
        private_file(filename)  # task payloads name patients: owner only, like the database
        huey.storage_kwargs = {"filename": filename}
    else:
        raise ValueError(f"unsupported queue URL: {url!r}")
    huey._immediate = False
    huey.storage = huey.create_storage()
    return huey


def init_app(app: Flask) -> None:
    configure(app.config["QUEUE_URL"])


def configure_from_environment() -> Huey:
    """For a stand-alone ``huey_consumer hep.worker.huey``: the storage ``create_app`` would use.

    Does nothing when an app (or a test) already configured the queue in this process.
    """
    if _configured:
        return _huey
    from hep import config

    settings = config.from_environment()
    url = settings.get("QUEUE_URL") or f"sqlite:///{config.instance_path() / 'queue.db'}"
    if url.startswith("sqlite:///"):
        private_folder(config.instance_path())
    return configure(url)


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


@_huey.periodic_task(crontab(minute="*"), retries=0)
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


@_huey.task(retries=0)
def fan_out(at: str | None = None) -> str:
    """One fan-out run for instant ``at`` (ISO 8601; default now), for on-demand sends."""
    return send_reminders_at(at)


@_huey.periodic_task(crontab(minute="*/15"), retries=0)
def refresh_alerts() -> str:
    """Raise the alerts that silence makes (no logs, no check-ins), every quarter hour."""
    from hep.care.summary import refresh_all_alerts

    return _in_app(lambda: f"raised {refresh_all_alerts()}")


@_huey.task(retries=0)
def notify_alert(alert_id: int) -> str:
    """Round 1 of one alert's notices (``hep.push.alert_notices.notify``)."""
    from hep.push.alert_notices import notify

    return _in_app(lambda: notify(alert_id).line())


@_huey.periodic_task(crontab(minute="*"), retries=0)
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


@_huey.task(retries=0)
def notify_message(message_id: str) -> str:
    """Tell the other side of a thread that a message came (``hep.push.message_notices.notify``)."""
    from hep.push.message_notices import notify

    return _in_app(lambda: notify(message_id).line())


@_huey.task(retries=0)
def send_password_reset(user_id: int) -> str:
    """Issue a password-reset token for the user and e-mail its link
    (``hep.people.password_reset.send_link``)."""
    from hep.people.password_reset import send_link

    return _in_app(lambda: send_link(user_id))
