"""Database: the peewee proxy every model binds to, connections reused across requests, JSON fields.

SQLite (WAL, busy_timeout, foreign keys) is the default: each thread keeps one connection open,
its PRAGMAs set once when it opens (:class:`ThreadSqliteDatabase`). ``postgresql://`` URLs use
a pool of psycopg 3 connections, taken before each request and given back after it.
``init_database(url)`` binds the proxy. Connections are closed at interpreter exit, and a forked
child drops the ones it inherited without closing them (closing would end the parent's).
"""
from __future__ import annotations

import atexit
import ctypes
import json
import os
import threading
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


class ThreadSqliteDatabase(pw.SqliteDatabase):
    """SQLite with one connection per thread, kept open across requests.

    Contract: ``connect(reuse_if_open=True)`` returns the calling thread's open connection, or
    opens one (running the PRAGMAs once); ``close()`` closes the calling thread's;
    ``close_all()`` closes every thread's (a thread whose connection was closed that way opens
    a new one on its next ``connect``); ``drop_inherited()`` (after a fork, in the child)
    forgets every connection without closing it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # close_all() closes other threads' connections: allowed, since each is only used by
        # the thread that opened it (and close_all runs at exit or when replacing the database).
        kwargs.setdefault("check_same_thread", False)
        self._registry_lock = threading.Lock()
        self._open: dict[int, Any] = {}
        super().__init__(*args, **kwargs)

    def _connect(self):
        conn = super()._connect()
        with self._registry_lock:
            self._open[id(conn)] = conn
        return conn

    def _close(self, conn) -> None:
        with self._registry_lock:
            self._open.pop(id(conn), None)
        conn.close()

    def _forget_closed(self) -> None:
        """Reset this thread's state if close_all() closed its connection meanwhile."""
        conn = self._state.conn
        if conn is not None and id(conn) not in self._open:
            self._state.reset()

    def connect(self, reuse_if_open: bool = False) -> bool:
        self._forget_closed()
        return super().connect(reuse_if_open)

    def is_closed(self) -> bool:
        self._forget_closed()
        return super().is_closed()

    def close_all(self) -> None:
        with self._registry_lock:
            conns, self._open = list(self._open.values()), {}
        self._state.reset()
        for conn in conns:
            conn.close()

    def drop_inherited(self) -> None:
        with self._registry_lock:
            conns, self._open = list(self._open.values()), {}
        _abandon(conns)
        self._fresh_state()

    def _fresh_state(self) -> None:
        self._registry_lock = threading.Lock()
        self._lock = threading.Lock()
        self._state = type(self._state)()


class ForkSafePooledPostgresqlDatabase(PooledPostgresqlDatabase):
    """The PostgreSQL pool, plus ``drop_inherited()`` for a forked child (see
    :class:`ThreadSqliteDatabase`)."""

    def drop_inherited(self) -> None:
        idle = [conn for _ts, _n, conn in self._connections]
        in_use = [pool_conn.connection for pool_conn in self._in_use.values()]
        _abandon(idle + in_use)
        self._connections, self._in_use = [], {}
        self._pool_lock = threading.RLock()
        self._pool_available = threading.Condition(self._pool_lock)
        self._lock = threading.Lock()
        self._state = type(self._state)()


def _abandon(conns: list[Any]) -> None:
    """Keep inherited connections alive for good: freeing one would close it, and closing a
    SQLite connection in a child can checkpoint or remove the parent's WAL, closing a
    PostgreSQL one sends the server a Terminate that ends the parent's session."""
    for conn in conns:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(conn))


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
        return ThreadSqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=10)
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
        return ForkSafePooledPostgresqlDatabase(
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
    if previous is not None:
        _close_all(previous)
    database = make_database(url)
    db.initialize(database)
    return database


def is_postgres(database: pw.Database | None = None) -> bool:
    return isinstance(database or db.obj, pw.PostgresqlDatabase)


def init_app(app) -> None:
    """Bind the database from ``DATABASE_URL``; each request uses its thread's SQLite
    connection (kept open) or takes a pooled PostgreSQL one (given back afterwards)."""
    init_database(app.config["DATABASE_URL"])

    @app.before_request
    def _connect() -> None:
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def _release(exc: BaseException | None) -> None:
        if db.is_closed():
            return
        if not isinstance(db.obj, ThreadSqliteDatabase):
            db.close()
        elif db.connection().in_transaction and not db.in_transaction():
            # A transaction begun outside peewee's atomic() must not outlive the request: the
            # kept connection would hold its snapshot (and maybe its write lock) until the next.
            db.connection().rollback()


def _close_all(database: pw.Database) -> None:
    close_all = getattr(database, "close_all", None)
    close_all() if close_all else database.close()


@atexit.register
def _close_at_exit() -> None:
    if db.obj is not None:
        _close_all(db.obj)


def _drop_after_fork() -> None:
    drop = getattr(db.obj, "drop_inherited", None)
    if drop is not None:
        drop()


os.register_at_fork(after_in_child=_drop_after_fork)
