"""Database: the peewee proxy every model binds to, the connection per request, JSON fields.

SQLite (WAL, busy_timeout, foreign keys) is the default; ``postgresql://`` URLs use a pooled
psycopg 3 connection. ``init_database(url)`` binds the proxy; the Flask app opens a connection
before each request and closes it (returning it to the pool) afterwards.
"""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import peewee as pw
from playhouse.pool import PooledPostgresqlDatabase

from hep.instance import private_file

db = pw.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "synchronous": "normal",
}


class BaseModel(pw.Model):
    class Meta:
        database = db
        legacy_table_names = False


class JSONField(pw.TextField):
    """JSON stored as text, so the same column works on SQLite and PostgreSQL."""

    def db_value(self, value: Any) -> str | None:
        return None if value is None else json.dumps(value, separators=(",", ":"), sort_keys=True)

    def python_value(self, value: str | None) -> Any:
        return None if value is None else json.loads(value)


def make_database(url: str) -> pw.Database:
    """A peewee database for ``sqlite:///path`` or ``postgresql://user@host:port/name``.

    PostgreSQL query parameters: ``options`` (passed to libpq, e.g. a search_path) and
    ``max_connections`` (pool size, default 20).
    """
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:///relative.db, sqlite:////absolute.db, sqlite:///:memory:
        path = unquote(url.split("?", 1)[0][len("sqlite:///"):]) or ":memory:"
        if path != ":memory:":
            private_file(path)  # before SQLite makes it (and its -wal/-shm) with the umask's mode
        return pw.SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=10)
    if parsed.scheme in {"postgres", "postgresql"}:
        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        params: dict[str, Any] = {
            "host": parsed.hostname or "127.0.0.1",
            "port": parsed.port or 5432,
            "user": unquote(parsed.username) if parsed.username else None,
            "password": unquote(parsed.password) if parsed.password else None,
        }
        if "options" in query:
            params["options"] = query["options"]
        return PooledPostgresqlDatabase(
            parsed.path.lstrip("/") or "postgres",
            max_connections=int(query.get("max_connections", 20)),
            stale_timeout=300,
            timeout=30,
            **{k: v for k, v in params.items() if v is not None},
        )
    raise ValueError(f"unsupported database URL scheme: {parsed.scheme!r}")


def init_database(url: str) -> pw.Database:
    """Bind the proxy to a new database for ``url`` (closing the previous one) and return it."""
    previous = db.obj
    if previous is not None and not previous.is_closed():
        _close_all(previous)
    database = make_database(url)
    db.initialize(database)
    return database


def is_postgres(database: pw.Database | None = None) -> bool:
    return isinstance(database or db.obj, pw.PostgresqlDatabase)


def init_app(app) -> None:
    """Bind the database from ``DATABASE_URL`` and connect around each request."""
    init_database(app.config["DATABASE_URL"])

    @app.before_request
    def _connect() -> None:
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc: BaseException | None) -> None:
        if not db.is_closed():
            db.close()


def _close_all(database: pw.Database) -> None:
    if isinstance(database, PooledPostgresqlDatabase):
        database.close_all()
    else:
        database.close()
