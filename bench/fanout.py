"""Reminder fan-out throughput: ``hep send-reminders`` against a bare pywebpush loop.

    python bench/fanout.py [--count 10000] [--database-url postgresql://...] [--workers 8]

N patients with one subscription each have a reminder due at the same instant. The local push
service (tests/support/push_service.py: verifies VAPID, decrypts every message) runs in a
child process, so its CPU does not compete with the client being measured. Printed:

- ``hep send-reminders``: the real path (read schedules, claim delivery rows, send through
  the shared PushSender, record outcomes and attempts), invoked as the CLI command;
- the same with one send thread (``--workers 1``), to show what the pool buys;
- a bare loop of ``pywebpush.webpush(...)`` per subscription over one shared
  ``requests.Session``, same payload and headers, with the VAPID header signed once
  (the cheapest a caller can make pywebpush);
- the ratio real / bare (target >= 0.7).
"""
from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _service_process(conn) -> None:
    """Child: run the push service, make subscriptions on request, report counts."""
    from tests.support.push_service import PushService, make_subscription

    with PushService() as service:
        conn.send(service.origin)
        while True:
            command, arg = conn.recv()
            if command == "subscribe":
                conn.send([make_subscription(service, name)[0] for name in arg])
            elif command == "received":
                conn.send(len(service.received))
            elif command == "stop":
                conn.send(None)
                return


class RemoteService:
    """The parent's handle on the child's push service (enough for ``populate``)."""

    def __init__(self):
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_service_process, args=(child,), daemon=True)
        self._process.start()
        self.origin = self._conn.recv()

    def subscriptions(self, names):
        self._conn.send(("subscribe", list(names)))
        return self._conn.recv()

    def received(self) -> int:
        self._conn.send(("received", None))
        return self._conn.recv()

    def stop(self) -> None:
        self._conn.send(("stop", None))
        self._conn.recv()
        self._process.join(10)


def populate(service: RemoteService, count: int) -> list[dict]:
    """``count`` patients, one subscription each, all with a reminder at 08:00 UTC."""
    from hep.db import db
    from hep.models import Clinic, Patient, PushSubscription, ReminderSchedule, User

    infos = []
    for start in range(0, count, 2000):
        infos += service.subscriptions(f"bench-{i}" for i in range(start, min(count, start + 2000)))
    with db.atomic():
        clinic = Clinic.create(name="bench")
        therapist = User.create(clinic=clinic, role="therapist", email="bench@bench.test", display_name="bench")
        for start in range(0, count, 500):
            User.insert_many([{"clinic": clinic.id, "role": "patient", "display_name": f"p{i}"}
                              for i in range(start, min(count, start + 500))]).execute()
        users = [u for (u,) in User.select(User.id).where(User.role == "patient").order_by(User.id).tuples()]
        for start in range(0, count, 500):
            Patient.insert_many([{"clinic": clinic.id, "therapist": therapist.id, "user": u,
                                  "display_name": "p", "timezone": "UTC"} for u in users[start:start + 500]]).execute()
        patients = [p for (p,) in Patient.select(Patient.id).order_by(Patient.id).tuples()]
        for start in range(0, count, 500):
            ReminderSchedule.insert_many([{"patient": p, "enabled": True, "times": ["08:00"],
                                           "days": [1, 2, 3, 4, 5, 6, 7]} for p in patients[start:start + 500]]).execute()
            PushSubscription.insert_many([{"patient": p, "endpoint": info["endpoint"], "p256dh": info["keys"]["p256dh"],
                                           "auth": info["keys"]["auth"]}
                                          for p, info in zip(patients[start:start + 500], infos[start:start + 500],
                                                             strict=False)]).execute()
    return infos


def real_path(app, instant: datetime, workers: int) -> tuple[float, str]:
    from hep.push import reminders

    reminders.WORKERS = workers
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["send-reminders", "--at", instant.isoformat()])
    elapsed = time.perf_counter() - started
    if result.exit_code != 0:
        raise SystemExit(result.output + repr(result.exception))
    return elapsed, result.output.strip().splitlines()[-1]


def bare_loop(app, infos: list[dict]) -> tuple[float, int]:
    """pywebpush.webpush per subscription over one shared session (VAPID signed once)."""
    import pywebpush
    import requests

    from hep.push.reminders import reminder_payload
    from hep.push.vapid import VapidSigner

    with app.app_context():
        payload = reminder_payload("en")
    signer = VapidSigner(app.config["VAPID_PRIVATE_KEY"], app.config["VAPID_SUBJECT"])
    session = requests.Session()
    authorization = signer.header(infos[0]["endpoint"].split("/push/")[0])
    headers = {"Authorization": authorization, "Urgency": "normal", "Topic": "reminder-1"}
    pywebpush.webpush(infos[0], payload, headers=dict(headers), ttl=3600, requests_session=session,
                      timeout=10)  # warm the connection
    ok = 0
    started = time.perf_counter()
    for info in infos:
        response = pywebpush.webpush(info, payload, headers=dict(headers), ttl=3600,
                                     content_encoding="aes128gcm", requests_session=session, timeout=10)
        ok += response.status_code == 201
    return time.perf_counter() - started, ok


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="default: a SQLite file in a temp dir")
    parser.add_argument("--workers", type=int, default=8, help="send threads of the real path")
    args = parser.parse_args(argv)

    from hep import create_app, migrations
    from hep.db import db

    tmp = Path(tempfile.mkdtemp(prefix="hep-bench-"))
    url, schema = args.database_url, None
    if url and url.startswith("postgres"):
        import psycopg

        schema = "bench_" + uuid.uuid4().hex[:10]
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{url.split('?', 1)[0]}?options={quote('-csearch_path=' + schema)}"
    url = url or f"sqlite:///{tmp / 'bench.db'}"
    service = RemoteService()
    try:
        app = create_app({"INSTANCE_PATH": str(tmp / "instance"), "DATABASE_URL": url, "QUEUE_URL": "immediate",
                          "PUSH_ALLOWED_ORIGINS": service.origin, "PUSH_TTL_SECONDS": 3600})
        with app.app_context():
            migrations.upgrade(db.obj)
            started = time.perf_counter()
            infos = populate(service, args.count)
            print(f"database: {url.split('?')[0]}; {args.count} patients, one subscription each "
                  f"(set up in {time.perf_counter() - started:.1f} s)")
            day = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
            real_s, line = real_path(app, day, args.workers)
            print(f"hep send-reminders ({args.workers} send threads): {line}; {real_s:.2f} s, "
                  f"{args.count / real_s:,.0f} deliveries/s")
            one_s, one_line = real_path(app, day + timedelta(days=1), 1)
            print(f"hep send-reminders (1 send thread):  {one_line}; {one_s:.2f} s, "
                  f"{args.count / one_s:,.0f} deliveries/s")
            db.close()
        bare_s, ok = bare_loop(app, infos)
        print(f"bare pywebpush loop (1 thread, shared session): {ok} delivered; {bare_s:.2f} s, "
              f"{args.count / bare_s:,.0f} deliveries/s")
        received = service.received()
        print(f"push service received {received} messages (expected {3 * args.count + 1})")
        print(f"ratio real/bare: {bare_s / real_s:.2f} ({args.workers} threads), "
              f"{bare_s / one_s:.2f} (1 thread); target >= 0.7")
    finally:
        service.stop()
        if schema:
            import psycopg

            if db.obj is not None and hasattr(db.obj, "close_all"):
                db.obj.close_all()
            with psycopg.connect(args.database_url.split("?", 1)[0], autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
