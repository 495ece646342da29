"""Per-request time in process (Flask test client): ``today``, ``/healthz``, the patient list,
and a bare Flask JSON endpoint, with the ratios to the bare one; ``--profile`` adds
pyinstrument profiles of ``today`` and the patient list; ``--pages`` adds the therapist's
patient list page and the demo patient's dashboard page (``/t/patients/<id>``).

    python bench/inprocess.py [--requests 2000] [--patients 200] [--days 90]
                              [--database-url postgresql://...] [--profile] [--pages]

The database (a SQLite file in a temp dir, or a throw-away schema on the PostgreSQL server
given) holds the demo's data (``hep demo``: a therapist and a patient with a history) plus
``--patients`` patients with ``--days`` days of logs each, inserted in bulk
(tests/support/bulk.py). Timings are the median and the 90th percentile of single requests
after a warm-up; the patient list is timed over fewer requests (it is the slow one).
Targets: today < 1.5 ms, healthz < 0.4 ms, the patient list of 200 x 90 days < 150 ms.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Not this folder: a bench script named like a standard module (http.py) would shadow it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.append(str(ROOT))  # tests.support; hep itself as installed (or from PYTHONPATH)


def timed(call, count: int) -> tuple[float, float, float]:
    """(median, p90, mean CPU) in milliseconds of ``count`` calls after ``count // 10 + 1``
    warm-ups. The CPU time (this process's) is the figure to trust on a busy machine: wall
    time also counts the time other processes held the cores."""
    for _ in range(count // 10 + 1):
        call()
    samples = []
    cpu_start = time.process_time()
    for _ in range(count):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    cpu = (time.process_time() - cpu_start) * 1000 / count
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.9) - 1], cpu


def bare_app():
    from flask import Flask

    bare = Flask("bare")

    @bare.get("/bare")
    def endpoint():
        return {"status": "ok"}

    return bare.test_client()


def build(database_url: str, instance: Path, patients: int, days: int):
    """The hep app on ``database_url`` with the demo and the bulk patients; returns
    (app, patient client, therapist client)."""
    from hep import create_app
    from hep.db import db
    from hep.demo import THERAPIST_EMAIL, prepare
    from hep.models import User
    from tests.support.bulk import add_patients

    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(instance), "QUEUE_URL": "immediate",
                      "LOGIN_RATE_LIMIT": "1000 per minute", "THERAPIST_IDLE_MINUTES": 0, "SECRET_KEY": "x" * 40})
    with app.test_request_context():
        credentials = prepare("http://127.0.0.1")
        if patients:
            add_patients(User.by_email(THERAPIST_EMAIL).id, patients, days=days)
    if not db.is_closed():
        db.close()
    patient, therapist = app.test_client(), app.test_client()
    token = credentials.join_url.rsplit("/", 1)[-1]
    for client, path, body in ((patient, "/api/v1/auth/join", {"token": token}),
                               (therapist, "/api/v1/auth/login", {"email": credentials.email, "password": credentials.password})):
        csrf = client.get("/api/v1/me").get_json()["csrf_token"]
        response = client.post(path, json=body, headers={"X-CSRF-Token": csrf})
        assert response.status_code == 200, response.get_data(as_text=True)
    return app, patient, therapist


def demo_patient(app) -> int:
    """The demo patient's id (the first patient: the bulk ones come after it)."""
    from hep.models import Patient

    with app.app_context():
        return Patient.select(Patient.id).order_by(Patient.id).scalar()


def get(client, path: str):
    def call():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        response.close()
    return call


def profile(name: str, call, count: int) -> None:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0002)
    with profiler:
        for _ in range(count):
            call()
    print(f"\n--- profile: {name} ({count} requests) ---")
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--list-requests", type=int, default=30)
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--pages", action="store_true", help="also time the therapist's list and dashboard pages")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        if args.database_url.startswith("postgres"):
            from tests.conftest import postgres_schema

            schema = postgres_schema(args.database_url, prefix="bench_")
        else:
            schema = nullcontext(f"sqlite:///{tmp}/hep.db")
        with schema as url:
            started = time.perf_counter()
            _app, patient, therapist = build(url, Path(tmp) / "instance", args.patients, args.days)
            print(f"database: {url.split('?')[0]}; {args.patients} bulk patients x {args.days} days "
                  f"plus the demo, built in {time.perf_counter() - started:.1f} s")
            bare = get(bare_app(), "/bare")
            rows = [
                ("bare Flask JSON endpoint", bare, args.requests),
                ("GET /healthz", get(patient, "/healthz"), args.requests),
                ("GET /api/v1/today", get(patient, "/api/v1/today"), args.requests),
                (f"GET /api/v1/patients ({args.patients + 1} patients)", get(therapist, "/api/v1/patients"),
                 args.list_requests),
            ]
            if args.pages:
                rows += [
                    (f"page /t/patients ({args.patients + 1} patients)", get(therapist, "/t/patients"),
                     args.list_requests),
                    ("page /t/patients/<demo> (dashboard)", get(therapist, f"/t/patients/{demo_patient(_app)}"),
                     args.list_requests),
                ]
            results = [(name, *timed(call, count)) for name, call, count in rows]
            bare_median = results[0][1]
            bare_cpu = results[0][3]
            print(f"{'request':<44} {'median ms':>10} {'p90 ms':>8} {'CPU ms':>8} {'bare/this':>10} {'(CPU)':>6}")
            for name, median, p90, cpu in results:
                print(f"{name:<44} {median:>10.3f} {p90:>8.3f} {cpu:>8.3f} {bare_median / median:>10.2f} "
                      f"{bare_cpu / cpu:>6.2f}")
            if args.profile:
                profile("GET /api/v1/today", rows[2][1], 500)
                profile("GET /healthz", rows[1][1], 500)
                profile("GET /api/v1/patients", rows[3][1], 10)


if __name__ == "__main__":
    main()
