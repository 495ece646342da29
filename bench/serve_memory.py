# ruff: noqa: E402 - the repository root goes on sys.path before its modules are imported
"""Resident memory of ``hep serve`` (waitress, embedded queue consumer) over many requests.

    python bench/serve_memory.py                          # 10,000 requests, SQLite in a temp dir
    python bench/serve_memory.py --requests 2000 --database postgresql://postgres@127.0.0.1:5432/test

It fills a database with ``bench/generate.py``, starts ``hep serve`` on a free port as an
instance is served on one machine (8 threads, the queue consumer running), signs in
``--connections`` patients and the therapist twice, and sends ``--requests`` requests over
them in a mix of what a clinic's day sends: the patients ``GET /api/v1/today``, ``POST
/api/v1/completions`` (unique ids) and ``GET /api/v1/progress``; the therapist the patient
list and one patient's summary after another. It
prints the server's resident memory after start-up and every quarter of the requests; the
target is under 150 MB after 10,000 (docs/performance.md). A steady figure after the first
quarter says nothing grows per request (connections, caches, threads).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import generate, open_database
from bench.http_bench import Client, drive
from tests.support.processes import Processes, rss_kib

TARGET_MB = 150


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--patients", type=int, default=50)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--database", default=None, help="a database URL (default: a SQLite file in a temp dir)")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="hep-serve-"))
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, tmp, True)
        if args.database and args.database.startswith("postgres"):
            from tests.conftest import postgres_schema

            url = stack.enter_context(postgres_schema(args.database, prefix="bench_"))
        else:
            url = args.database or f"sqlite:///{tmp / 'bench.db'}"
        app = open_database(url, tmp / "instance")
        with app.app_context():
            generated = generate(args.patients, args.days, invites=args.connections)
        procs = stack.enter_context(Processes(tmp / "logs"))
        server = procs.hep_serve({"HEP_DATABASE_URL": url, "HEP_INSTANCE_PATH": str(tmp / "instance"),
                                  "HEP_LOGIN_RATE_LIMIT": "100000 per minute"})
        server.wait_ready("/healthz")
        port = server.port
        print(f"hep serve (pid {server.pid}) on {url.split('?')[0]}; {args.patients} patients x {args.days} days")
        patients = [Client(port).sign_in("/api/v1/auth/join", {"token": t}) for t in generated.invite_tokens]
        staff = [Client(port).sign_in("/api/v1/auth/login", {"email": generated.therapist_email,
                                                              "password": generated.therapist_password})
                 for _ in range(2)]
        clients = [*patients, *staff]
        patient_ids = sorted(generated.prescription_ids)
        now = datetime.now(UTC).isoformat()

        def request(i: int, n: int):
            client = clients[i]
            if i >= len(patients):  # the therapist: the list, or one patient's summary
                if n % 2:
                    return ("GET", "/api/v1/patients", None, client.headers())
                patient = generated.patient_ids[n % len(generated.patient_ids)]
                return ("GET", f"/api/v1/patients/{patient}/summary", None, client.headers())
            kind = n % 8
            if kind < 5:
                return ("GET", "/api/v1/today", None, client.headers())
            if kind < 7:
                body = {"id": str(uuid.uuid4()), "prescription_id": generated.prescription_ids[patient_ids[i]][n % 3],
                        "performed_at": now, "sets_done": 2, "reps_done": 10, "pain_during": 2, "pain_after": 1,
                        "effort": 4}
                return ("POST", "/api/v1/completions", json.dumps(body).encode(),
                        client.headers({"Content-Type": "application/json"}))
            return ("GET", "/api/v1/progress", None, client.headers())

        print(f"{'requests':>9} {'resident MB':>12} {'seconds':>8}  statuses")
        print(f"{0:>9} {rss_kib(server.pid) / 1024:>12.1f} {0:>8.1f}")
        sent, started, failed = 0, time.perf_counter(), False
        quarter = max(1, args.requests // 4)
        while sent < args.requests:
            batch = min(quarter, args.requests - sent)
            result = drive("mix", clients, lambda i, n, base=sent: request(i, base + n), batch)
            sent += batch
            statuses = ",".join(f"{k}x{v}" for k, v in sorted(result.statuses.items()))
            print(f"{sent:>9} {rss_kib(server.pid) / 1024:>12.1f} {time.perf_counter() - started:>8.1f}  {statuses}")
            failed = failed or any(status >= 400 for status in result.statuses) or bool(result.errors)
            for line in result.errors[:3]:
                print("error:", line)
        resident = rss_kib(server.pid) / 1024
        print(f"resident memory after {sent} requests: {resident:.0f} MB (target < {TARGET_MB} MB: "
              f"{'met' if resident < TARGET_MB else 'missed'})")
        for client in clients:
            client.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
