"""Connections reused across requests: one SQLite connection per thread (PRAGMAs set once),
the PostgreSQL pool as before, and a forked child that starts with connections of its own
while the parent's keep working."""
from __future__ import annotations

import os
import threading

import pytest

from hep.db import ForkSafePooledPostgresqlDatabase, ThreadSqliteDatabase, db, make_database

sqlite_only = pytest.mark.skipif(os.environ.get("HEP_TEST_DATABASE_URL", "").startswith("postgres"),
                                 reason="the per-thread connection is SQLite's")


def connection_seen(app):
    """The raw connection the next request runs on (recorded by a before_request hook)."""
    seen = []
    app.before_request_funcs.setdefault(None, []).append(lambda: seen.append(db.connection()) and None)
    return seen


@sqlite_only
def test_two_requests_on_one_thread_use_the_same_sqlite_connection(app, therapist_api):
    seen = connection_seen(app)
    assert therapist_api.get("/api/v1/patients").status_code == 200
    assert therapist_api.get("/api/v1/me").status_code == 200
    assert len(seen) == 2 and seen[0] is seen[1]
    assert isinstance(db.obj, ThreadSqliteDatabase) and not db.is_closed()
    # PRAGMAs ran when the connection opened and still hold.
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1


@sqlite_only
def test_another_thread_gets_its_own_connection_and_close_all_closes_both(app, therapist_api):
    seen = connection_seen(app)
    assert therapist_api.get("/api/v1/me").status_code == 200

    def other():
        assert therapist_api.get("/api/v1/me").status_code == 200

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert len(seen) == 2 and seen[0] is not seen[1]
    db.obj.close_all()
    assert db.is_closed()
    # The next request opens a fresh connection and works.
    assert therapist_api.get("/api/v1/me").status_code == 200
    assert seen[-1] is not seen[0]


def test_a_forked_child_gets_a_fresh_connection_and_leaves_the_parents_alone(app, therapist_api):
    assert therapist_api.get("/api/v1/patients").status_code == 200
    with app.app_context():
        db.connect(reuse_if_open=True)
        parent_conn = db.connection()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report and leave without running the test session's teardown
        code = 1
        try:
            fresh = db.is_closed()
            with app.app_context():
                response = therapist_api.get("/api/v1/patients")
                child_conn = db.connection()
            code = 0 if fresh and response.status_code == 200 and child_conn is not parent_conn else 2
        finally:
            os.write(write, bytes([code]))
            os._exit(0)
    os.close(write)
    _pid, status = os.waitpid(pid, 0)
    assert os.read(read, 1) == b"\x00" and status == 0
    os.close(read)
    # The parent's connection still works after the child has gone.
    with app.app_context():
        assert db.connection() is parent_conn
        assert db.execute_sql("SELECT 1").fetchone()[0] == 1
    assert therapist_api.get("/api/v1/patients").status_code == 200


def test_postgresql_uses_the_pool_as_before():
    database = make_database("postgresql://postgres@127.0.0.1:5432/test?max_connections=7")
    assert isinstance(database, ForkSafePooledPostgresqlDatabase)
    assert database._max_connections == 7 and database._stale_timeout == 300


@pytest.mark.skipif(not os.environ.get("HEP_TEST_DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL")
def test_each_postgresql_request_returns_its_connection_to_the_pool(app, therapist_api):
    for _ in range(3):
        assert therapist_api.get("/api/v1/me").status_code == 200
    assert db.obj._in_use == {} and len(db.obj._connections) >= 1
