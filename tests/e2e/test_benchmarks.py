"""Each benchmark runs once at a tiny size, so it keeps working (the figures are not checked)."""
from __future__ import annotations

import os

import psycopg
import pytest

from bench import http_bench, serve_memory
from bench.generate import generate, open_database
from hep.db import db
from hep.models import CheckIn, Completion, Patient
from tests.conftest import PG_DEFAULT_URL

pytestmark = pytest.mark.slow
PG_URL = os.environ.get("HEP_TEST_DATABASE_URL") or PG_DEFAULT_URL


def test_generate_writes_the_rows_it_reports(tmp_path):
    app = open_database(f"sqlite:///{tmp_path / 'g.db'}", tmp_path / "instance")
    with app.app_context():
        result = generate(5, 3, per_therapist=2, invites=1)
        assert result.rows["patients"] == Patient.select().count() == 5
        assert result.rows["completions"] == Completion.select().count() == 5 * 3 * 3
        assert result.rows["check-ins"] == CheckIn.select().count() == 5 * 3
        assert len(result.patient_ids) == 2 and len(result.invite_tokens) == 1
        db.close()


def _http_once(database):
    run = http_bench.run(database, patients=4, days=2, requests=32, connections=4, use_wrk=False)
    table = run.table()
    assert not run.errors, table
    assert run.sent == run.stored == 32, table
    assert [r.statuses for r in run.results] == [{200: 32}, {201: 32}, {200: 4}, {200: 32}], table
    assert len(run.memory_kib) == 2 and all(kib > 0 for kib in run.memory_kib), table


def test_http_benchmark_on_sqlite():
    _http_once(None)


@pytest.mark.postgres
def test_http_benchmark_on_postgresql():
    try:
        psycopg.connect(PG_URL.split("?", 1)[0], connect_timeout=2).close()
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {PG_URL}: {exc}")
    _http_once(PG_URL)


def test_serve_memory_benchmark(capsys):
    assert serve_memory.main(["--requests", "40", "--patients", "4", "--days", "2", "--connections", "2"]) == 0
    out = capsys.readouterr().out
    assert "resident memory after 40 requests" in out and "error:" not in out, out
