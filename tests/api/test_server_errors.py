"""The 500 path as production runs it: an unexpected exception is logged with its traceback,
the client gets a generic answer (problem+json or the error page) with the security headers,
and the request's transaction is rolled back."""
from __future__ import annotations

import logging

import pytest

from hep import migrations
from hep.db import db
from hep.models import AuditEvent

SECRET = "database password is hunter2"  # what must never reach a client


def production_like(make_app, **config):
    """An app as `hep serve` runs it: not testing, exceptions not propagated."""
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False, **config)

    def half_written():
        with db.atomic():
            AuditEvent.create(action="half.written", detail={})
            raise RuntimeError(SECRET)

    app.add_url_rule("/api/v1/boom", "boom_api", half_written)
    app.add_url_rule("/boom", "boom_page", half_written)
    with app.app_context():
        migrations.upgrade(db.obj)
    return app


def half_written_rows(app):
    with app.app_context():
        return AuditEvent.select().where(AuditEvent.action == "half.written").count()


def assert_logged(caplog):
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]
    assert len(logged) == 1
    assert isinstance(logged[0].exc_info[1], RuntimeError) and SECRET in str(logged[0].exc_info[1])
    caplog.clear()


def test_the_api_answers_a_generic_problem_and_logs_the_exception(make_app, caplog):
    app = production_like(make_app)
    client = app.test_client()
    with caplog.at_level(logging.ERROR):
        response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json() == {"type": "about:blank", "title": "Internal Server Error", "status": 500}
    body = response.get_data(as_text=True)
    assert SECRET not in body and "Traceback" not in body and "RuntimeError" not in body
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"  # data, never a page
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert_logged(caplog)
    # The request's connection went back to the pool, or (SQLite) stays open for the thread's
    # next request with no transaction left open.
    assert db.is_closed() or not db.connection().in_transaction
    assert half_written_rows(app) == 0
    assert client.get("/healthz").get_json() == {"status": "ok"}  # and the next request is served


def test_a_page_answers_the_error_page(make_app, caplog):
    app = production_like(make_app)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/boom", headers={"Accept": "text/html"})
    assert response.status_code == 500 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<h1>500 · Internal Server Error</h1>" in page and "Back to the start page" in page
    assert SECRET not in page and "Traceback" not in page
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Permissions-Policy" in response.headers
    assert_logged(caplog)
    assert half_written_rows(app) == 0


def test_over_https_the_500_carries_hsts(make_app, caplog):
    app = production_like(make_app)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/api/v1/boom", base_url="https://hep.example")
    assert response.status_code == 500 and "max-age=" in response.headers["Strict-Transport-Security"]
    assert_logged(caplog)


def test_tests_see_the_exception_itself(make_app):
    """With TESTING on (every other test), the exception reaches the test instead."""
    app = make_app()
    app.add_url_rule("/boom", "boom", lambda: 1 / 0)
    with app.app_context():
        migrations.upgrade(db.obj)
    with pytest.raises(ZeroDivisionError):
        app.test_client().get("/boom")
