"""Shared fixtures: an app per test on a fresh, migrated and seeded database.

The database is a SQLite file under the test's tmp_path, or, when
``HEP_TEST_DATABASE_URL`` names a PostgreSQL server, a schema of its own on that server
(created before and dropped after the test). The ``app`` fixture's database is a copy of one
migrated and seeded once per run (:func:`library_template`): a file copy on SQLite, a
database made from it as a template on PostgreSQL, with the same schema name in its
search_path. ``database_url`` alone is an empty database.
"""
from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from urllib.parse import quote

import peewee as pw
import psycopg
import pytest

from hep import create_app, migrations
from hep.db import db
from hep.library.seed import seed_library
from hep.people.accounts import create_or_update_therapist

PG_URL = os.environ.get("HEP_TEST_DATABASE_URL", "")
PG_DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = os.environ.get("HEP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD = "correct horse battery"


@contextmanager
def postgres_schema(server_url: str, prefix: str = "t_"):
    """A fresh schema on ``server_url``; yields a database URL whose search_path is that
    schema, and drops it (closing the app's pool first) afterwards."""
    admin_dsn = server_url.split("?", 1)[0]
    schema = prefix + uuid.uuid4().hex[:16]
    with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{admin_dsn}?options={quote('-csearch_path=' + schema)}"
    finally:
        if db.obj is not None:
            close_all = getattr(db.obj, "close_all", None)
            close_all() if close_all else db.obj.close()
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def pytest_report_header(config):
    return f"hep database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite (tmp file per test)'}"


@pytest.fixture
def database_url(tmp_path):
    """A database URL for one test (a PostgreSQL schema or a SQLite file)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'hep.db'}"
        return
    with postgres_schema(PG_URL) as url:
        yield url


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes():
    """Passwords hashed at scrypt's n=2**10 instead of 2**15 in this process: the suite hashes
    thousands (every account and sign-in), and the cost is read back from each hash, so
    signing in works the same. tests/unit/test_passwords.py checks the real default."""
    from hep.people import passwords

    passwords.HASH_METHOD = "scrypt:1024:8:1"
    yield
    passwords.HASH_METHOD = passwords.DEFAULT_HASH_METHOD


@pytest.fixture(scope="session")
def static_cache(tmp_path_factory):
    """One folder of compressed static files for the whole run (built once, not per app)."""
    return str(tmp_path_factory.mktemp("static-cache"))


def base_config(instance_path, database_url: str, static_cache: str, **overrides) -> dict:
    """The configuration every test app starts from; ``overrides`` win."""
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(instance_path),
        "DATABASE_URL": database_url,
        "QUEUE_URL": "immediate",
        "STATIC_CACHE_DIR": static_cache,
        "LOGIN_RATE_LIMIT": "1000 per minute",
        # Many tests let simulated days pass with one therapist client; the staff idle
        # timeout is on in its own tests (tests/api/test_idle_timeout.py and others that ask).
        "THERAPIST_IDLE_MINUTES": 0,
        **overrides,
    }


def _close_app_connections() -> None:
    if db.obj is not None:
        close_all = getattr(db.obj, "close_all", None)
        close_all() if close_all else db.obj.close()


@pytest.fixture(scope="session")
def library_template(tmp_path_factory, static_cache):
    """A database migrated and seeded with the shipped library once per run, for the ``app``
    fixture to copy (migrating and seeding for every test took most of its set-up time).

    SQLite: the path of the file. PostgreSQL: (database name, schema name) on the server;
    the database is dropped at the end of the run.
    """
    folder = tmp_path_factory.mktemp("library-template")
    if not PG_URL:
        path = folder / "hep.db"
        _migrate_and_seed(base_config(folder / "instance", f"sqlite:///{path}", static_cache))
        yield path
        return
    admin_dsn = PG_URL.split("?", 1)[0]
    name, schema = "hep_template_" + uuid.uuid4().hex[:12], "t_" + uuid.uuid4().hex[:16]
    with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(_on_database(admin_dsn, name), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    _migrate_and_seed(base_config(folder / "instance", _pg_url(admin_dsn, name, schema), static_cache))
    yield name, schema
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _migrate_and_seed(config: dict) -> None:
    template = create_app(config)
    with template.app_context():
        migrations.upgrade(db.obj)
        seed_library()
        if isinstance(db.obj, pw.SqliteDatabase):
            db.obj.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the file copied
    _close_app_connections()  # a template database must have no session open


def _on_database(dsn: str, name: str) -> str:
    return f"{dsn.rsplit('/', 1)[0]}/{name}"


def _pg_url(admin_dsn: str, name: str, schema: str) -> str:
    return f"{_on_database(admin_dsn, name)}?options={quote('-csearch_path=' + schema)}"


@pytest.fixture
def seeded_database_url(tmp_path, library_template):
    """A database URL for one test, already migrated and seeded (a copy of the template)."""
    if not PG_URL:
        target = tmp_path / "hep.db"
        shutil.copyfile(library_template, target)
        target.chmod(0o600)  # as hep makes its own database file
        yield f"sqlite:///{target}"
        return
    name, schema = library_template
    admin_dsn = PG_URL.split("?", 1)[0]
    copy = "t_" + uuid.uuid4().hex[:16]
    with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=3) as conn:
        # WAL_LOG copies a small database in tens of milliseconds (FILE_COPY forces a checkpoint).
        conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}" STRATEGY WAL_LOG')
    try:
        yield _pg_url(admin_dsn, copy, schema)
    finally:
        _close_app_connections()
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


@pytest.fixture
def make_app(request, tmp_path, static_cache):
    """Build an app on this test's database (an empty one, unless ``DATABASE_URL`` is given);
    keyword overrides go into its config."""

    def build(**overrides):
        url = overrides.pop("DATABASE_URL", None) or request.getfixturevalue("database_url")
        return create_app(base_config(tmp_path / "instance", url, static_cache, **overrides))

    return build


@pytest.fixture
def service():
    """A real local web push service (it verifies VAPID and decrypts); allow its origin with
    ``PUSH_ALLOWED_ORIGINS`` in the module's ``app_config``."""
    from tests.support.push_service import PushService

    with PushService() as running:
        yield running


@pytest.fixture
def smtp():
    """A real local SMTP server (aiosmtpd) on 127.0.0.1."""
    from tests.support.smtp_server import SmtpServer

    with SmtpServer() as running:
        yield running


@pytest.fixture
def app_config():
    """Extra config for the ``app`` fixture; override it in a test module."""
    return {}


@pytest.fixture
def app(make_app, app_config, seeded_database_url):
    """The app on a migrated database holding the shipped library (``app_config`` overrides)."""
    app = make_app(**{"DATABASE_URL": seeded_database_url, **app_config})
    yield app
    if not db.is_closed():
        db.close()


@pytest.fixture
def therapist(app):
    """A therapist account: dict(id, email, password)."""
    with app.app_context():
        user, _ = create_or_update_therapist("pt@clinic.test", PASSWORD, "Pat Therapist", "Clinic A")
    return {"id": user.id, "email": "pt@clinic.test", "password": PASSWORD}


class ApiClient:
    """A Flask test client that speaks JSON and carries the CSRF token like the PWA does."""

    def __init__(self, flask_client):
        self.http = flask_client
        self.csrf = None

    def refresh_csrf(self):
        self.csrf = self.http.get("/api/v1/me").get_json()["csrf_token"]

    def request(self, method, path, json=None, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if method in {"POST", "PUT", "PATCH", "DELETE"}:
            if self.csrf is None:
                self.refresh_csrf()
            headers.setdefault("X-CSRF-Token", self.csrf)
        response = self.http.open(path, method=method, json=json, headers=headers, **kwargs)
        if path.startswith("/api/v1/auth/") and response.status_code == 200 and "csrf_token" in response.get_json():
            self.csrf = response.get_json()["csrf_token"]
        return response

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.request("POST", path, json=json, **kw)

    def put(self, path, json=None, **kw):
        return self.request("PUT", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.request("PATCH", path, json=json, **kw)

    def delete(self, path, json=None, **kw):
        return self.request("DELETE", path, json=json, **kw)


@pytest.fixture
def api(app):
    """Make a fresh JSON API client (its own cookie jar): ``api()``."""
    return lambda: ApiClient(app.test_client())


@pytest.fixture
def therapist_api(api, therapist):
    client = api()
    response = client.post("/api/v1/auth/login", {"email": therapist["email"], "password": therapist["password"]})
    assert response.status_code == 200, response.get_json()
    return client


@pytest.fixture
def demo_therapist(app, api):
    """The demo's data (``hep demo``) and its therapist signed in through the API."""
    from hep.demo import THERAPIST_EMAIL, prepare

    with app.test_request_context():
        credentials = prepare("http://127.0.0.1:5000")
    client = api()
    response = client.post("/api/v1/auth/login", {"email": THERAPIST_EMAIL, "password": credentials.password})
    assert response.status_code == 200
    return client


def exercise_id(client, slug):
    rows = client.get("/api/v1/exercises").get_json()
    return next(row["id"] for row in rows if row["slug"] == slug)


@pytest.fixture
def enrolled(api, therapist_api):
    """A patient with a two-exercise program who has joined: (patient_api, patient_id, program)."""
    created = therapist_api.post("/api/v1/patients", {"display_name": "Jo Patient", "timezone": "Europe/Madrid"})
    assert created.status_code == 201, created.get_json()
    patient_id = created.get_json()["id"]
    program = therapist_api.post(f"/api/v1/patients/{patient_id}/program", {
        "phase": "calm",
        "items": [
            {"exercise_id": exercise_id(therapist_api, "seated-sciatic-nerve-slider"), "sets": 2, "reps": 10,
             "frequency_per_day": 2},
            {"exercise_id": exercise_id(therapist_api, "prone-on-elbows"), "sets": 3, "reps": 1,
             "hold_seconds": 60},
        ],
    }).get_json()
    patient = api()
    token = created.get_json()["invite_url"].rsplit("/", 1)[-1]
    joined = patient.post("/api/v1/auth/join", {"token": token})
    assert joined.status_code == 200, joined.get_json()
    return patient, patient_id, program
