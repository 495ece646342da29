"""When the database is out of reach, requests fail cleanly with 503 and Retry-After, and
succeed again once it is back: nothing half-written, the same completion id stored once.

The outage is simulated in process here (the driver refusing to connect, or a statement
failing on a dropped connection); tests/e2e/test_scale_out.py restarts a real PostgreSQL
server under load.
"""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

import peewee as pw
import psycopg
import pytest

from hep.db import db, is_postgres
from hep.models import Completion


@pytest.fixture
def outage(app, monkeypatch):
    """``outage("connect")``: new connections are refused; ``outage("query")``: every
    statement fails as on a dropped connection. ``outage(None)`` ends it."""
    database = db.obj
    real_connect, real_execute = database._connect, database.execute_sql

    def refuse(*_args, **_kwargs):
        raise pw.OperationalError("connection refused: is the server running?")

    def set_outage(kind):
        if kind == "connect":
            database.close_all() if hasattr(database, "close_all") else database.close()
        monkeypatch.setattr(database, "_connect", refuse if kind == "connect" else real_connect)
        monkeypatch.setattr(database, "execute_sql", refuse if kind == "query" else real_execute)

    yield set_outage
    set_outage(None)


def _assert_unavailable(response):
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"] == "5"
    body = response.get_json()
    assert body["status"] == 503 and body["title"] == "Service Unavailable"
    assert body["detail"] == "The service is briefly unavailable. Try again in a few seconds."


@pytest.mark.parametrize("kind", ["connect", "query"])
def test_an_unreachable_database_answers_503_then_recovers(app, therapist_api, outage, kind):
    outage(kind)
    _assert_unavailable(therapist_api.get("/api/v1/patients"))
    outage(None)
    assert therapist_api.get("/api/v1/patients").status_code == 200


def test_the_error_is_in_the_patients_language(app, enrolled, outage):
    patient_api, _patient_id, _program = enrolled
    outage("query")
    response = patient_api.get("/api/v1/today", headers={"Accept-Language": "es"})
    assert response.status_code == 503
    assert response.get_json()["detail"] in {
        "El servicio no está disponible por un momento. Vuelve a intentarlo en unos segundos.",
        "The service is briefly unavailable. Try again in a few seconds.",  # the account's own language wins
    }


def test_a_completion_refused_with_503_is_stored_once_when_sent_again(app, enrolled, outage):
    patient_api, _patient_id, program = enrolled
    body = {"id": str(uuid.uuid4()), "prescription_id": program["items"][0]["id"],
            "performed_at": datetime.now(UTC).isoformat(), "sets_done": 2, "reps_done": 10,
            "pain_during": 2, "pain_after": 1, "effort": 4}
    outage("query")
    _assert_unavailable(patient_api.post("/api/v1/completions", body))
    outage(None)
    assert patient_api.post("/api/v1/completions", body).status_code == 201
    assert patient_api.post("/api/v1/completions", body).status_code in {200, 201}  # a replay, not a copy
    with app.app_context():
        assert Completion.select().where(Completion.id == body["id"]).count() == 1
        db.close()


def test_html_pages_show_the_error_page_with_retry_after(app, api, outage):
    outage("connect")
    response = api().http.get("/therapist/login", headers={"Accept": "text/html"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.mimetype == "text/html"


def test_the_pool_replaces_connections_the_server_dropped(app, therapist_api):
    """On PostgreSQL: the server ends every connection of the app (as a restart does); the
    next requests get new connections instead of failing on the dead ones."""
    with app.app_context():
        if not is_postgres():
            pytest.skip("the connection pool is PostgreSQL's")
        db.close()
    for _ in range(3):  # several pooled connections exist
        assert therapist_api.get("/api/v1/patients").status_code == 200
    pooled = [conn.info.backend_pid for _ts, _n, conn in db.obj._connections]  # this app's, no one else's
    assert pooled
    with psycopg.connect(dbname=db.obj.database, autocommit=True, **db.obj.connect_params) as admin:
        ended = sum(admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0] for pid in pooled)
    assert ended == len(pooled)
    for _ in range(3):
        assert therapist_api.get("/api/v1/patients").status_code == 200


def test_a_failure_after_the_view_in_the_audit_trail_is_a_503_too(app, enrolled, therapist_api, monkeypatch):
    """The audit trail writes after the view (an after_request function, which Flask's error
    handlers do not see): losing the database there is a 503 as well, not a 500."""
    _patient_api, patient_id, _program = enrolled
    database = db.obj
    execute_sql = database.execute_sql

    def refuse_audit(sql, *args, **kwargs):
        if sql.startswith('INSERT INTO "audit_event"'):  # the connection drops as the trail is written
            raise pw.OperationalError("terminating connection due to administrator command")
        return execute_sql(sql, *args, **kwargs)

    monkeypatch.setattr(database, "execute_sql", refuse_audit)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production, not as in tests
    _assert_unavailable(therapist_api.get(f"/api/v1/patients/{patient_id}"))
