# ruff: noqa: E402 - the repository root goes on sys.path before its modules are imported
"""HTTP benchmark: hep under gunicorn against a bare Flask endpoint served the same way.

    python bench/http_bench.py                                    # SQLite file in a temp dir
    python bench/http_bench.py --database postgresql://postgres@127.0.0.1:5432/test   # a throw-away schema
    python bench/http_bench.py --patients 200 --days 90 --requests 3000 --connections 32

It fills a database with ``bench/generate.py`` (``--patients`` patients of whom the first
therapist has up to 200, ``--days`` days of sessions and check-ins each), starts gunicorn the
way the README deploys it (``gunicorn wsgi:app``, ``--workers 2 --threads 4``) and, in the
same run, ``bench/bare.py`` the same way, both on 127.0.0.1 on free ports. A threaded Python
client (``wrk`` when installed for the GET routes) keeps ``--connections`` requests in flight
and prints, per route, requests/s, p50 and p99 latency and the ratio to the bare endpoint:

- ``GET /api/v1/today`` (one patient signed in per connection);
- ``POST /api/v1/completions`` (one writer per connection, unique ids; afterwards the rows
  in the database are counted: every request must be stored once, none refused);
- ``GET /api/v1/patients`` (the therapist's list) and one patient's ``summary``;

and the resident memory of each gunicorn worker after all the requests. The client runs on
the same machine, so on a small machine it takes CPU from the server: compare ratios taken
in one run, not absolute figures across machines.
"""
from __future__ import annotations

import argparse
import http.client
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import generate, open_database
from tests.support.processes import Processes, rss_kib

Request = tuple[str, str, bytes | None, dict[str, str]]  # method, path, body, headers


@dataclass
class Result:
    name: str
    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    reported: dict[float, float] = field(default_factory=dict)  # percentiles a tool reported (seconds)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if p in self.reported:
            return self.reported[p] * 1000
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0.0


class Client:
    """One keep-alive connection with the cookies of one signed-in user."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Accept": "application/json", **(extra or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.csrf:
            headers["X-CSRF-Token"] = self.csrf
        return headers

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers or self.headers())
                response = self.conn.getresponse()
                data = response.read()
                for header in response.msg.get_all("Set-Cookie") or ():
                    for name, morsel in SimpleCookie(header).items():
                        self.cookies[name] = morsel.value
                return response.status, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()  # the server closed a kept-alive connection: reconnect once
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def post_json(self, path: str, payload: dict) -> tuple[int, dict]:
        status, data = self.request("POST", path, json.dumps(payload).encode(),
                                    self.headers({"Content-Type": "application/json"}))
        return status, json.loads(data or b"{}")

    def fetch_csrf(self) -> Client:
        """Take a CSRF token (``GET /me``), as the patient app does before its first write."""
        self.csrf = json.loads(self.request("GET", "/api/v1/me")[1])["csrf_token"]
        return self

    def sign_in(self, path: str, payload: dict) -> Client:
        """Fetch a CSRF token, then sign in at ``path``."""
        self.fetch_csrf()
        status, body = self.post_json(path, payload)
        if status != 200 or not body.get("user"):
            raise RuntimeError(f"{path} answered {status}: {body}")
        self.csrf = body["csrf_token"]
        return self

    def close(self) -> None:
        self.conn.close()


def drive(name: str, clients: list[Client], make: Callable[[int, int], Request], total: int,
          warmup: int = 0) -> Result:
    """Send ``total`` requests over the clients' connections (one thread each), timing each."""
    for n in range(warmup):
        clients[n % len(clients)].request(*make(n % len(clients), -1 - n))
    result = Result(name)
    counter = itertools.count()
    lock = threading.Lock()

    def work(index: int) -> None:
        client, latencies, statuses, errors = clients[index], [], Counter(), []
        while (n := next(counter)) < total:
            method, path, body, headers = make(index, n)
            started = time.perf_counter()
            try:
                status, data = client.request(method, path, body, headers)
            except OSError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1
            if status >= 400 and len(errors) < 5:
                errors.append(f"{status} {data[:200]!r}")
        with lock:
            result.latencies += latencies
            result.statuses.update(statuses)
            result.errors += errors

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(clients))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    result.requests = sum(result.statuses.values())
    return result


def drive_wrk(name: str, port: int, path: str, headers: dict[str, str], connections: int, seconds: int) -> Result:
    """The same measurement with wrk (GET only): requests/s, p50 and p99 from its report."""
    args = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    for key, value in headers.items():
        args += ["-H", f"{key}: {value}"]
    out = subprocess.run(args + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
    result = Result(name)
    for line in out.splitlines():
        parts = line.split()
        if line.strip().startswith("50%"):
            result.reported[0.5] = _wrk_seconds(parts[1])
        elif line.strip().startswith("99%"):
            result.reported[0.99] = _wrk_seconds(parts[1])
        elif "requests in" in line:
            result.requests = int(parts[0])
            result.seconds = float(parts[3].rstrip("s,"))
        elif "Non-2xx" in line:
            result.errors.append(line.strip())
    result.statuses[200] = result.requests
    return result


def _wrk_seconds(text: str) -> float:
    for unit, factor in (("us", 1e-6), ("ms", 1e-3), ("s", 1.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


@dataclass
class Run:
    """What one benchmark run measured."""

    database: str
    results: list[Result]
    bare: Result
    stored: int
    sent: int
    memory_kib: list[int]
    served: int

    def table(self) -> str:
        lines = [f"database: {self.database}",
                 f"{'route':<38} {'requests/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6}  statuses"]
        for result in [self.bare, *self.results]:
            ratio = result.rate / self.bare.rate if self.bare.rate else 0.0
            statuses = ",".join(f"{k}x{v}" for k, v in sorted(result.statuses.items()))
            lines.append(f"{result.name:<38} {result.rate:>10,.0f} {result.percentile(0.5):>8.1f} "
                         f"{result.percentile(0.99):>8.1f} {ratio:>6.2f}  {statuses}")
        lines.append(f"completions: {self.sent} sent, {self.stored} stored"
                     f" ({'nothing lost' if self.stored == self.sent else 'LOST ' + str(self.sent - self.stored)})")
        workers = ", ".join(f"worker {i + 1} {kib / 1024:.0f} MB" for i, kib in enumerate(self.memory_kib))
        lines.append(f"resident memory after {self.served} requests: {workers}")
        return "\n".join(lines)

    @property
    def errors(self) -> list[str]:
        return [f"{r.name}: {e}" for r in [self.bare, *self.results] for e in r.errors]


def run(database: str | None, *, patients: int, days: int, requests: int, connections: int, workers: int = 2,
        threads: int = 4, use_wrk: bool | None = None, keep: bool = False) -> Run:
    """One benchmark run against ``database`` (``None``: a SQLite file in a temp dir)."""
    tmp = Path(tempfile.mkdtemp(prefix="hep-http-"))
    use_wrk = shutil.which("wrk") is not None if use_wrk is None else use_wrk
    with ExitStack() as stack:
        if database and database.startswith("postgres"):
            from tests.conftest import postgres_schema

            url = stack.enter_context(postgres_schema(database, prefix="bench_"))
        else:
            url = database or f"sqlite:///{tmp / 'bench.db'}"
        app = open_database(url, tmp / "instance")
        with app.app_context():
            generated = generate(patients, days, invites=connections)
        env = {"HEP_DATABASE_URL": url, "HEP_INSTANCE_PATH": str(tmp / "instance"),
               "HEP_LOGIN_RATE_LIMIT": "100000 per minute", "HEP_EMBEDDED_CONSUMER": "0"}
        procs = stack.enter_context(Processes(tmp / "logs"))
        bare = procs.gunicorn("bench.bare:app", name="bare", workers=workers, threads=threads)
        web = procs.gunicorn("wsgi:app", env, name="hep", workers=workers, threads=threads)
        bare.wait_ready("/healthz")
        web.wait_ready("/healthz")
        try:
            measured = _measure(bare, web, generated, requests=requests, connections=connections, use_wrk=use_wrk)
        except Exception:
            print(procs.logs(), file=sys.stderr)
            raise
        with app.app_context():
            from hep.db import db
            from hep.models import Completion

            stored = Completion.select().where(Completion.id.in_(measured["ids"])).count() if measured["ids"] else 0
            db.close()
        memory = [rss_kib(pid) for pid in web.worker_pids()]
        served = sum(r.requests for r in measured["results"]) + connections
        result = Run(url.split("?")[0] + (" (schema)" if "?" in url else ""), measured["results"], measured["bare"],
                     stored, measured["sent"], memory, served)
    if not keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def _measure(bare, web, generated, *, requests: int, connections: int, use_wrk: bool) -> dict:
    seconds = max(2, requests // 500)
    bare_clients = [Client(bare.port) for _ in range(connections)]
    if use_wrk:
        bare_result = drive_wrk("bare Flask GET /json", bare.port, "/json", {}, connections, seconds)
    else:
        bare_result = drive("bare Flask GET /json", bare_clients, lambda i, n: ("GET", "/json", None, {}), requests,
                            warmup=connections)
    patients = [Client(web.port).sign_in("/api/v1/auth/join", {"token": token}) for token in generated.invite_tokens]
    patient_ids = sorted(generated.prescription_ids)
    therapist = Client(web.port).sign_in("/api/v1/auth/login", {"email": generated.therapist_email,
                                                                   "password": generated.therapist_password})
    results = []
    patient_headers = [p.headers() for p in patients]
    if use_wrk:
        results.append(drive_wrk("GET /api/v1/today", web.port, "/api/v1/today", patient_headers[0], connections, seconds))
    else:
        results.append(drive("GET /api/v1/today", patients, lambda i, n: ("GET", "/api/v1/today", None,
                                                                          patient_headers[i]), requests, warmup=connections))

    ids = [str(uuid.uuid4()) for _ in range(requests)]
    now = datetime.now(UTC).isoformat()
    post_headers = [p.headers({"Content-Type": "application/json"}) for p in patients]

    def completion(i: int, n: int) -> Request:
        if n < 0:
            return ("GET", "/api/v1/today", None, patient_headers[i])
        body = {"id": ids[n], "prescription_id": generated.prescription_ids[patient_ids[i]][n % 3],
                "performed_at": now, "sets_done": 2, "reps_done": 10, "pain_during": 2, "pain_after": 1, "effort": 4}
        return ("POST", "/api/v1/completions", json.dumps(body).encode(), post_headers[i])

    results.append(drive(f"POST /api/v1/completions ({connections} writers)", patients, completion, requests,
                         warmup=connections))
    therapist_headers = therapist.headers()
    staff = [Client(web.port) for _ in range(connections)]
    list_requests = max(connections, requests // 10)  # a list of 200 patients is a heavy page
    results.append(drive(f"GET /api/v1/patients ({len(generated.patient_ids)})", staff,
                         lambda i, n: ("GET", "/api/v1/patients", None, therapist_headers), list_requests, warmup=2))
    summary = f"/api/v1/patients/{generated.patient_ids[0]}/summary"
    results.append(drive("GET /api/v1/patients/<id>/summary", staff,
                         lambda i, n: ("GET", summary, None, therapist_headers), requests, warmup=connections))
    for client in [*bare_clients, *patients, therapist, *staff]:
        client.close()
    posted = results[1]
    return {"results": results, "bare": bare_result, "ids": ids, "sent": posted.requests if not posted.errors else
            posted.statuses.get(201, 0)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", action="append", default=None,
                        help="a database URL; repeat for several (default: a SQLite file in a temp dir)")
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--requests", type=int, default=3000, help="requests per route")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-wrk", action="store_true", help="use the Python client even when wrk is installed")
    args = parser.parse_args(argv)
    failed = False
    for database in args.database or [None]:
        result = run(database, patients=args.patients, days=args.days, requests=args.requests,
                     connections=args.connections, workers=args.workers, threads=args.threads,
                     use_wrk=False if args.no_wrk else None)
        print(result.table())
        for line in result.errors:
            print("error:", line)
        failed = failed or bool(result.errors) or result.stored != result.sent
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
