"""Scale-out and faults with real processes: gunicorn web servers and ``huey_consumer``
processes on PostgreSQL and Redis.

The PostgreSQL server is a private cluster made for this module in a temp dir on a free port
(``tests/support/processes.py``), so it can be stopped and started without disturbing anyone
else's server; each test gets a database of its own in it. Redis is the test server
(``HEP_TEST_REDIS_URL``) on a database number of its own, flushed before each test.

- A patient who joined through one server logs through another; the sign-in limit is counted
  across servers in Redis.
- ``kill -9`` of a web worker while 32 writers post completions: the clients retry with the
  same ids and every completion is stored exactly once.
- ``kill -9`` of a queue consumer in the middle of a fan-out, then a restart: every due
  reminder is delivered, at most ``WORKERS`` of them twice (hep/push/reminders.py), and a
  repeat carries its first copy's message id, which the phone shows once.
- PostgreSQL restarted under load: requests fail with 503 and Retry-After while it is down,
  and succeed again once it is back (the pool reconnects).
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg
import pytest
from flask import Flask

from bench.generate import generate, open_database
from bench.http_bench import Client
from hep import worker
from hep.db import db
from hep.models import Completion, ReminderDelivery
from hep.push.reminders import WORKERS
from tests.conftest import REDIS_URL
from tests.e2e.reminder_population import populate
from tests.support.processes import Processes, postgres_available
from tests.support.push_service import PushService

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

# A Redis database of this module's own: other queue tests flush theirs.
SCALE_REDIS_URL = REDIS_URL.rsplit("/", 1)[0] + "/11"
AT = "2025-06-02T08:00:00+00:00"
LEASE_SECONDS = 2


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if not postgres_available():
        pytest.skip("needs root, a postgres user and the server binaries to run a private cluster")
    import redis

    try:
        redis.Redis.from_url(SCALE_REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {SCALE_REDIS_URL}: {exc}")
    with Processes(tmp_path_factory.mktemp("cluster-logs")) as procs:
        yield procs.postgres()


@dataclass
class Site:
    """One test's deployment: the app (for the database), the processes' environment, the
    processes started, and the HTTP clients opened (closed at the end)."""

    app: Flask
    env: dict
    procs: Processes
    clients: list[Client] = field(default_factory=list)

    def client(self, port: int) -> Client:
        self.clients.append(Client(port))
        return self.clients[-1]


@pytest.fixture
def site(cluster, tmp_path):
    """A fresh database in the cluster, migrated, with an instance folder."""
    import redis

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(cluster.url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = cluster.url.rsplit("/", 1)[0] + "/" + name
    redis.Redis.from_url(SCALE_REDIS_URL).flushdb()
    app = open_database(url, tmp_path / "instance")  # makes the secret key and VAPID key first
    env = {"HEP_DATABASE_URL": url, "HEP_INSTANCE_PATH": str(tmp_path / "instance"),
           "HEP_QUEUE_URL": SCALE_REDIS_URL, "HEP_RATELIMIT_STORAGE_URI": SCALE_REDIS_URL,
           "HEP_EMBEDDED_CONSUMER": "0", "HEP_LOGIN_RATE_LIMIT": "1000 per minute",
           "HEP_REMINDER_CLAIM_LEASE_SECONDS": str(LEASE_SECONDS)}
    procs = Processes(tmp_path / "logs")
    with procs:
        deployment = Site(app, env, procs)
        yield deployment
        for client in deployment.clients:
            client.close()
    if db.obj is not None:
        db.obj.close_all()
    worker.configure("immediate")


def _people(app, patients: int):
    with app.app_context():
        return generate(patients, 1, invites=patients)


def _completion(generated, patient_index: int, n: int = 0) -> dict:
    patient = sorted(generated.prescription_ids)[patient_index]
    return {"id": str(uuid.uuid4()), "prescription_id": generated.prescription_ids[patient][n % 3],
            "performed_at": datetime.now(UTC).isoformat(), "sets_done": 2, "reps_done": 10,
            "pain_during": 2, "pain_after": 1, "effort": 4}


def test_a_patient_joined_on_one_server_logs_on_another_and_the_sign_in_limit_is_shared(site):
    app, env, procs = site.app, site.env, site.procs
    generated = _people(app, 1)
    env = {**env, "HEP_LOGIN_RATE_LIMIT": "4 per minute"}
    one = procs.gunicorn("wsgi:app", env, name="web-a", workers=1, threads=4)
    two = procs.gunicorn("wsgi:app", env, name="web-b", workers=1, threads=4)
    one.wait_ready()
    two.wait_ready()

    joined = site.client(one.port).sign_in("/api/v1/auth/join", {"token": generated.invite_tokens[0]})
    elsewhere = site.client(two.port)
    elsewhere.cookies, elsewhere.csrf = dict(joined.cookies), joined.csrf
    body = _completion(generated, 0)
    status, answer = elsewhere.post_json("/api/v1/completions", body)
    assert status == 201, (answer, procs.logs())
    status, listed = elsewhere.request("GET", "/api/v1/completions")
    assert status == 200 and body["id"] in listed.decode()

    bad = {"email": generated.therapist_email, "password": "not the password"}
    clients = {"a": site.client(one.port).fetch_csrf(), "b": site.client(two.port).fetch_csrf()}
    statuses = [clients[side].post_json("/api/v1/auth/login", bad)[0] for side in "ababa"]
    assert statuses == [401, 401, 401, 401, 429], procs.logs()  # neither server saw 4: the count is shared


def test_a_web_worker_killed_under_32_writers_loses_and_doubles_nothing(site):
    app, env, procs = site.app, site.env, site.procs
    writers, per_writer = 32, 6
    generated = _people(app, writers)
    web = procs.gunicorn("wsgi:app", env, workers=2, threads=4)
    web.wait_ready()
    workers_before = web.wait_workers(2)
    clients = [site.client(web.port).sign_in("/api/v1/auth/join", {"token": token}) for token in generated.invite_tokens]
    bodies = [[_completion(generated, i, n) for n in range(per_writer)] for i in range(writers)]
    answered, retries, lock = Counter(), Counter(), threading.Lock()

    def write(index: int) -> None:
        client = clients[index]
        for body in bodies[index]:
            while True:  # the patient app's outbox: send again, same id, until it is answered
                try:
                    status, _answer = client.post_json("/api/v1/completions", body)
                except (OSError, http.client.HTTPException):
                    status = None
                    client.conn.close()
                    client.conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=60)
                if status is not None and status < 500:
                    with lock:
                        answered[status] += 1
                    break
                with lock:
                    retries[status] += 1
                time.sleep(0.05)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    while sum(answered.values()) < writers * per_writer // 4:
        time.sleep(0.01)
    os.kill(workers_before[0], signal.SIGKILL)
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    assert web.wait_workers(2) != workers_before  # gunicorn forked a replacement

    ids = [body["id"] for rows in bodies for body in rows]
    assert set(answered) <= {200, 201}, (answered, retries)  # a retry is a replay, never a conflict
    assert sum(answered.values()) == len(ids)
    with app.app_context():
        stored = Counter(cid for (cid,) in Completion.select(Completion.id).where(Completion.id.in_(ids)).tuples())
        db.close()
    assert len(stored) == len(ids) and set(stored.values()) == {1}


def test_a_consumer_killed_mid_fan_out_leaves_nothing_undelivered_and_little_doubled(site):
    app, env, procs = site.app, site.env, site.procs
    reminders = 600
    with PushService() as service:
        with app.app_context():
            names = populate(service, reminders, time="08:00")
            db.close()
        env = {**env, "HEP_PUSH_ALLOWED_ORIGINS": service.origin}
        huey = worker.configure(SCALE_REDIS_URL)
        from hep.worker import fan_out

        victim = procs.huey_consumer(env, name="consumer-1", workers=1)
        fan_out(AT)
        deadline = time.monotonic() + 30
        while len(service.received) < reminders // 6 and time.monotonic() < deadline:
            time.sleep(0.005)
        assert reminders // 6 <= len(service.received) < reminders, procs.logs()  # mid fan-out
        victim.kill()
        sent_by_victim = len(service.received)

        procs.huey_consumer(env, name="consumer-2")  # the restart, and a second consumer beside it
        procs.huey_consumer(env, name="consumer-3")
        time.sleep(LEASE_SECONDS + 0.5)  # the dead consumer's heartbeats are now older than the lease
        results = [fan_out(AT) for _ in range(4)]
        lines = [result.get(blocking=True, timeout=40) for result in results]
        huey.flush()

        received = Counter(message.name for message in service.received)
        message_ids = defaultdict(set)
        for message in service.received:
            message_ids[message.name].add(json.loads(message.text)["id"])
    assert set(received) == set(names), (lines, procs.logs())  # every due reminder delivered
    twice = sum(count - 1 for count in received.values())
    assert twice <= WORKERS, (twice, sent_by_victim, lines)
    # A repeat is the same message (its id, which the phone shows once: test_reminder_notifications).
    assert {name: len(ids) for name, ids in message_ids.items()} == dict.fromkeys(names, 1)
    with app.app_context():
        statuses = Counter(s for (s,) in ReminderDelivery.select(ReminderDelivery.status).tuples())
        db.close()
    assert statuses == {"delivered": reminders}


def test_postgresql_restarted_under_load_gives_clean_503s_then_recovers(site, cluster):
    app, env, procs = site.app, site.env, site.procs
    generated = _people(app, 4)
    web = procs.gunicorn("wsgi:app", env, workers=2, threads=4)
    web.wait_ready()
    clients = [site.client(web.port).sign_in("/api/v1/auth/join", {"token": token}) for token in generated.invite_tokens]
    seen: list[tuple[float, int | str, str | None]] = []
    stop = threading.Event()

    def load(client: Client) -> None:
        while not stop.is_set():
            try:
                client.conn.request("GET", "/api/v1/today", headers=client.headers())
                response = client.conn.getresponse()
                response.read()
                seen.append((time.monotonic(), response.status, response.getheader("Retry-After")))
            except (OSError, http.client.HTTPException) as exc:
                seen.append((time.monotonic(), type(exc).__name__, None))
                client.conn.close()
                client.conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=30)
            time.sleep(0.01)

    threads = [threading.Thread(target=load, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.0)
        cluster.stop()  # fast shutdown: every open connection is cut
        down_at = time.monotonic()
        time.sleep(1.5)
        cluster.start()
        up_at = time.monotonic()
        deadline = up_at + 15
        while time.monotonic() < deadline and not [s for t, s, _r in seen if t > up_at and s == 200]:
            time.sleep(0.05)
        recovered_at = min([t for t, s, _r in seen if t > up_at and s == 200], default=None)
        time.sleep(2.0)  # keep the load on: nothing may fail once requests succeed again
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)

    statuses = Counter(status for _t, status, _r in seen)
    assert set(statuses) <= {200, 503}, (statuses, web.log()[-3000:])  # no 500, no dropped connection
    down = [(t, r) for t, s, r in seen if s == 503]
    assert down and all(r == "5" for _t, r in down), statuses
    assert all(t >= down_at - 0.5 for t, _r in down)  # 503s only once it went down
    assert recovered_at is not None, statuses  # the pool reconnected
    after = [s for t, s, _r in seen if t > recovered_at + 0.5]
    assert after and set(after) == {200}, statuses

