"""The ``hep`` command line: what it prints and what it leaves in the database."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from hep.models import EducationCard, Exercise, User


def test_db_upgrade_and_seed_are_repeatable(app):
    runner = app.test_cli_runner()
    from hep import migrations
    from hep.db import db

    with app.app_context():
        latest = migrations.available(db.obj)[-1].version
    first = runner.invoke(args=["db", "upgrade"])
    assert first.exit_code == 0 and first.output.strip().endswith(f"schema version {latest}")
    seeded = runner.invoke(args=["db", "seed"])
    assert seeded.exit_code == 0
    assert seeded.output.startswith("exercises: 0 new, 0 updated, 0 retired")  # the fixture seeded
    with app.app_context():
        assert Exercise.select().count() >= 60 and EducationCard.select().count() >= 8


def test_create_therapist_then_sign_in(app, api):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-therapist", "New@Clinic.test", "--password", "long enough pw",
                                 "--name", "Dr New", "--clinic", "North"])
    assert result.exit_code == 0 and "created therapist new@clinic.test (clinic: North)" in result.output
    weak = runner.invoke(args=["create-therapist", "x@clinic.test", "--password", "short"])
    assert weak.exit_code != 0 and "at least 10 characters" in weak.output
    with app.app_context():
        assert User.get(User.email == "new@clinic.test").display_name == "Dr New"
        assert User.get_or_none(User.email == "x@clinic.test") is None
    client = api()
    assert client.post("/api/v1/auth/login", {"email": "new@clinic.test", "password": "long enough pw"}).status_code == 200


def test_demo_prints_working_credentials(app, api):
    result = app.test_cli_runner().invoke(args=["demo", "--no-serve", "--port", "5123"])
    assert result.exit_code == 0, result.output
    therapist = re.search(r"^Therapist: (\S+) / (\S+)$", result.output, re.M)
    patient = re.search(r"^Patient: (http://127\.0\.0\.1:5123/join/(\S+))$", result.output, re.M)
    assert therapist and patient
    client = api()
    login = client.post("/api/v1/auth/login", {"email": therapist[1], "password": therapist[2]})
    assert login.status_code == 200
    phone = api()
    assert phone.post("/api/v1/auth/join", {"token": patient[2]}).status_code == 200
    assert len(phone.get("/api/v1/today").get_json()["items"]) == 3


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_hep_demo_serves_on_loopback(tmp_path):
    """The README's first command, end to end: a real process on 127.0.0.1."""
    port = _free_port()
    env = {**os.environ, "HEP_INSTANCE_PATH": str(tmp_path / "instance")}
    env.pop("HEP_DATABASE_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "hep.cli", "demo", "--port", str(port)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = [process.stdout.readline() for _ in range(2)]
        assert lines[0].startswith("Therapist: ") and lines[1].startswith(f"Patient: http://127.0.0.1:{port}/join/")
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.read() == b'{"status":"ok"}\n'
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        with urllib.request.urlopen(lines[1].split(" ", 1)[1].strip(), timeout=5) as page:
            assert "join" in page.read().decode().lower()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
    assert (tmp_path / "instance" / "hep.db").exists()
