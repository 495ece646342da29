"""The embedded server: waitress with threads, plus the queue consumer in-process.

At scale run ``gunicorn wsgi:app`` and ``huey_consumer hep.worker.huey`` instead.
"""
from __future__ import annotations

import logging
import signal

from flask import Flask

log = logging.getLogger(__name__)


def start_consumer(app: Flask | None = None, workers: int = 2):
    """Start the huey consumer threads (scheduler included) and return the consumer.

    Tasks run in ``app`` (the running web app) when given. huey installs SIGINT/SIGTERM
    handlers for a stand-alone consumer; here the web server owns the signals, so the
    previous handlers are put back.
    """
    from hep import worker

    huey = worker.huey
    if app is not None:
        worker.bind_app(app)

    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True,
                                    check_worker_health=False)
    consumer.start()
    for sig, handler in saved.items():
        signal.signal(sig, handler)
    return consumer


def run(app: Flask, host: str, port: int, threads: int, *, consumer: bool) -> None:
    from waitress import serve

    running = None
    if consumer and not app.config["QUEUE_URL"].startswith("redis"):
        running = start_consumer(app)
    try:
        serve(app, host=host, port=port, threads=threads, ident="hep")
    finally:
        if running is not None:
            running.stop(graceful=True)
