"""``hep backup`` and ``hep restore`` on a real database (SQLite file or PostgreSQL schema):
what they print, the file they write, and what the database holds afterwards."""
from __future__ import annotations

import os
import re
import sqlite3
import stat
import subprocess
import sys
import threading
import uuid
from datetime import UTC, datetime
from urllib.parse import quote

import psycopg
import pytest

from hep import create_app
from hep.db import db
from hep.models import ALL_MODELS, AuditEvent, Completion, Patient

from conftest import PG_URL


def _counts(app) -> dict[str, int]:
    with app.app_context():
        return {m._meta.table_name: m.select().count() for m in ALL_MODELS}


def _printed_counts(output: str) -> dict[str, int]:
    return {m[1]: int(m[2]) for m in re.finditer(r"^  (\w+): (\d+)$", output, re.M)}


def _some_data(enrolled) -> str:
    patient, _patient_id, program = enrolled
    body = {"id": str(uuid.uuid4()), "prescription_id": program["items"][0]["id"],
            "performed_at": datetime.now(UTC).isoformat(), "sets_done": 2, "reps_done": 10,
            "pain_during": 2, "pain_after": 1, "effort": 4, "note": "fine"}
    assert patient.post("/api/v1/completions", body).status_code == 201
    return body["id"]


def test_backup_then_restore_brings_the_rows_back(app, enrolled, therapist_api, tmp_path):
    _patient, patient_id, _ = enrolled
    completion = _some_data(enrolled)
    before = _counts(app)
    runner = app.test_cli_runner()
    target = tmp_path / "backups" / "hep.backup"
    target.parent.mkdir()
    made = runner.invoke(args=["backup", str(target)])
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert f"to {target}" in made.output and "schema version" in made.output
    assert [p.name for p in target.parent.iterdir()] == ["hep.backup"]  # no partial file left

    # Changes after the backup: a session deleted, a name changed, a new patient.
    with app.app_context():
        Completion.delete().where(Completion.id == completion).execute()
        Patient.update(display_name="Renamed").where(Patient.id == patient_id).execute()
    assert therapist_api.post("/api/v1/patients", {"display_name": "Later", "timezone": "UTC"}).status_code == 201
    changed = _counts(app)
    assert changed != before

    refused = runner.invoke(args=["restore", str(target)])
    assert refused.exit_code == 1
    assert "is not empty" in refused.output and "nothing was changed" in refused.output and "--force" in refused.output
    assert _counts(app) == changed

    restored = runner.invoke(args=["restore", str(target), "--force"])
    assert restored.exit_code == 0, restored.output
    assert _counts(app) == before
    printed = _printed_counts(restored.output)
    assert {t: n for t, n in printed.items() if t != "schema_migrations"} == before
    assert "as this hep expects" in restored.output
    if not PG_URL:
        assert "integrity check: ok" in restored.output
    with app.app_context():
        assert Completion.get_by_id(completion).note == "fine"
        assert Patient.get_by_id(patient_id).display_name == "Jo Patient"
        assert not Patient.select().where(Patient.display_name == "Later").exists()
    # The app goes on working on the restored database, new rows included (sequences restored).
    assert therapist_api.get(f"/api/v1/patients/{patient_id}").get_json()["display_name"] == "Jo Patient"
    again = therapist_api.post("/api/v1/patients", {"display_name": "After", "timezone": "UTC"})
    assert again.status_code == 201 and again.get_json()["id"] > patient_id


def test_a_file_that_is_not_a_backup_is_refused(app, tmp_path):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all")
    before = _counts(app)
    result = app.test_cli_runner().invoke(args=["restore", str(junk), "--force"])
    assert result.exit_code == 1 and "is not a" in result.output
    missing = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "nope.backup")])
    assert missing.exit_code == 1 and "no such backup file" in missing.output
    assert _counts(app) == before


@pytest.fixture
def empty_database_url(tmp_path, app):
    """A second, empty database: a SQLite file not yet created, or a PostgreSQL database
    created for this test (with the same schema name in its search_path) and dropped after."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'elsewhere' / 'restored.db'}"
        return
    schema = re.search(r"search_path%3D(\w+)", app.config["DATABASE_URL"])[1]
    admin = PG_URL.split("?", 1)[0]
    name = "hep_restore_" + uuid.uuid4().hex[:12]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin.rsplit('/', 1)[0]}/{name}?options={quote('-csearch_path=' + schema)}"
    finally:
        if db.obj is not None and hasattr(db.obj, "close_all"):
            db.obj.close_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_restore_into_an_empty_database_needs_no_force(app, enrolled, tmp_path, empty_database_url):
    _some_data(enrolled)
    before = _counts(app)
    target = tmp_path / "hep.backup"
    assert app.test_cli_runner().invoke(args=["backup", str(target)]).exit_code == 0
    (tmp_path / "elsewhere").mkdir()
    other = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "other-instance"),
                        "DATABASE_URL": empty_database_url, "QUEUE_URL": "immediate"})
    result = other.test_cli_runner().invoke(args=["restore", str(target)])
    assert result.exit_code == 0, result.output
    assert _counts(other) == before
    if not PG_URL:
        restored = tmp_path / "elsewhere" / "restored.db"
        assert stat.S_IMODE(restored.stat().st_mode) == 0o600
        with sqlite3.connect(restored) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.skipif(not PG_URL, reason="pg_dump is for PostgreSQL")
def test_without_pg_dump_it_says_what_to_run(app, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    target = tmp_path / "hep.backup"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 1
    schema = re.search(r"search_path%3D(\w+)", app.config["DATABASE_URL"])[1]
    dbname = app.config["DATABASE_URL"].split("?", 1)[0].rsplit("/", 1)[1]
    assert f"pg_dump --format=custom --schema={schema} --file={target} '--dbname=host=" in result.output
    assert f" dbname={dbname}'" in result.output
    assert not target.exists() and list(tmp_path.glob(".hep.backup.*")) == []
    restore = app.test_cli_runner().invoke(args=["restore", str(target)])
    assert restore.exit_code == 1  # no such file: said before anything else


def test_the_command_backs_up_while_the_app_writes(app, tmp_path):
    """A real `hep backup` process while this process keeps writing rows."""
    url = app.config["DATABASE_URL"]
    stop = threading.Event()

    def write():
        with app.app_context():
            while not stop.is_set():
                AuditEvent.create(action="test.write", detail={})

    writer = threading.Thread(target=write)
    writer.start()
    try:
        env = {**os.environ, "HEP_DATABASE_URL": url, "HEP_INSTANCE_PATH": str(tmp_path / "instance")}
        done = subprocess.run([sys.executable, "-m", "hep.cli", "backup", str(tmp_path / "live.backup")],
                              env=env, capture_output=True, text=True, timeout=120)
    finally:
        stop.set()
        writer.join()
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE((tmp_path / "live.backup").stat().st_mode) == 0o600
    if not PG_URL:
        with sqlite3.connect(tmp_path / "live.backup") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            copied = conn.execute("SELECT COUNT(*) FROM audit_event WHERE action = 'test.write'").fetchone()[0]
        assert 0 < copied <= _counts(app)["audit_event"]


@pytest.mark.parametrize(("change", "exit_code", "said"), [
    ("INSERT INTO schema_migrations (version, name) VALUES (9999, 'from_the_future')", 1,
     "migrations: [9999] are unknown to this hep"),
    ("DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)", 0,
     "run `hep db upgrade`"),
])
def test_restore_checks_the_migrations_it_brings_back(app, tmp_path, change, exit_code, said):
    """A backup from a newer hep fails the check after the restore; one from an older hep
    is restored and asks for an upgrade."""
    with app.app_context():
        db.obj.execute_sql(change)
    target = tmp_path / "hep.backup"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    result = runner.invoke(args=["restore", str(target), "--force"])
    assert result.exit_code == exit_code, result.output
    assert said in result.output
    if exit_code:
        assert "failed its checks" in result.output
