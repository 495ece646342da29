"""Two queue consumers at once never send a reminder twice.

Two ``huey_consumer hep.worker.huey`` processes consume fan-out tasks from Redis (db 15) for
the same instant, against one database (a fresh PostgreSQL schema, or a shared SQLite file);
1,000 reminders must each reach the local push service exactly once.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import psycopg
import pytest

from hep import create_app, migrations
from hep.db import db
from hep.models import ReminderDelivery
from tests.conftest import PG_DEFAULT_URL, REDIS_URL, postgres_schema
from tests.e2e.reminder_population import populate
from tests.support.push_service import PushService

PG_URL = os.environ.get("HEP_TEST_DATABASE_URL") or PG_DEFAULT_URL
ROOT = Path(__file__).resolve().parents[2]
REMINDERS = 1000
AT = "2025-06-02T08:00:00+00:00"

pytestmark = pytest.mark.slow


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")


@pytest.fixture
def postgres_url():
    try:
        psycopg.connect(PG_URL.split("?", 1)[0], connect_timeout=2).close()
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {PG_URL}: {exc}")
    with postgres_schema(PG_URL, prefix="conc_") as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path):
    yield f"sqlite:///{tmp_path / 'shared.db'}"
    if db.obj is not None:
        db.obj.close()


@pytest.mark.postgres
def test_two_consumers_on_postgresql_send_each_reminder_once(tmp_path, postgres_url):
    _two_consumers_send_each_reminder_once(tmp_path, postgres_url)


def test_two_consumers_on_sqlite_send_each_reminder_once(tmp_path, sqlite_url):
    _two_consumers_send_each_reminder_once(tmp_path, sqlite_url)


def _two_consumers_send_each_reminder_once(tmp_path, database_url):
    _redis_or_skip()
    instance = tmp_path / "instance"
    with PushService() as service:
        app = create_app({"TESTING": True, "INSTANCE_PATH": str(instance), "DATABASE_URL": database_url,
                          "QUEUE_URL": "immediate", "PUSH_ALLOWED_ORIGINS": service.origin})
        with app.app_context():
            migrations.upgrade(db.obj)
            names = populate(service, REMINDERS // 2, devices=2, time="08:00")
            db.close()
        assert len(names) == REMINDERS

        env = {**os.environ, "HEP_DATABASE_URL": database_url, "HEP_QUEUE_URL": REDIS_URL,
               "HEP_INSTANCE_PATH": str(instance), "HEP_PUSH_ALLOWED_ORIGINS": service.origin,
               "PYTHONPATH": str(ROOT)}
        from hep import worker

        huey = worker.configure(REDIS_URL)
        consumers = []
        try:
            huey.flush()
            consumers = [subprocess.Popen(
                [sys.executable, "-m", "huey.bin.huey_consumer", "hep.worker.huey", "-w", "4", "-k", "thread",
                 "-n", "-q"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                for _ in range(2)]
            from hep.worker import fan_out

            # Several fan-outs for the same instant, consumed by both processes at once.
            results = [fan_out(AT) for _ in range(8)]
            lines = [result.get(blocking=True, timeout=50) for result in results]
        finally:
            for process in consumers:
                process.send_signal(signal.SIGINT)
            output = []
            for process in consumers:
                try:
                    output.append(process.communicate(timeout=15)[0].decode(errors="replace"))
                except subprocess.TimeoutExpired:
                    process.kill()
                    output.append(process.communicate()[0].decode(errors="replace"))
            huey.flush()
            worker.configure("immediate")

        totals = Counter()
        for line in lines:
            for part in line.split(", "):
                word, number = part.split(" ")
                totals[word] += int(number)
        assert totals == Counter({"due": REMINDERS, "sent": REMINDERS}), (lines, output)
        received = Counter(message.name for message in service.received)
        assert len(service.received) == REMINDERS
        assert set(received) == set(names) and set(received.values()) == {1}

    with app.app_context():
        statuses = Counter(status for (status,) in ReminderDelivery.select(ReminderDelivery.status).tuples())
        claimers = {by.split(":")[1] for (by,) in ReminderDelivery.select(ReminderDelivery.claimed_by).tuples()}
        db.close()
    assert statuses == {"delivered": REMINDERS}
    assert claimers and claimers != {str(os.getpid())}
