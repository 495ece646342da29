"""``hep backup PATH`` and ``hep restore PATH [--force]`` (docs/operations.md).

SQLite goes through SQLite's online backup API both ways: a backup is a consistent copy
taken while hep runs (WAL lets writers go on), written as one self-contained file. PostgreSQL
goes through ``pg_dump --format=custom`` of the schema hep's tables live in (the URL's
``options`` search_path, else ``public``) and ``pg_restore`` in one transaction. A backup
file is created mode 0600 and moved into place only when complete.

A restore refuses a database that holds any row unless forced, and changes nothing then.
Afterwards it checks the result (SQLite ``PRAGMA integrity_check`` and foreign keys; on both,
that the applied migrations are ones this hep knows) and reports the rows per table.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import peewee as pw

from hep import migrations
from hep.db import is_postgres

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
SKIP_WHEN_EMPTY = {"schema_migrations"}  # a migrated database without rows is still empty


class BackupError(Exception):
    """The backup or restore cannot go on; the message tells the operator what to do."""


@dataclass
class Report:
    """What a command prints; ``ok`` is False when a check after a restore failed."""

    lines: list[str] = field(default_factory=list)
    ok: bool = True
    counts: dict[str, int] = field(default_factory=dict)


def backup(database: pw.Database, path: Path) -> Report:
    """Write a backup of ``database`` to ``path`` (replaced atomically if it exists)."""
    path = Path(path).resolve()
    if path.is_dir() or not path.parent.is_dir():
        raise BackupError(f"{path}: give a file name in an existing folder")
    with _reported():
        if is_postgres(database):
            return _pg_backup(database, path)
        return _sqlite_backup(Path(database.database).resolve(), path)


def restore(database: pw.Database, path: Path, *, force: bool = False) -> Report:
    """Replace the contents of ``database`` by the backup at ``path``; raise ``BackupError``
    (nothing changed) when the file is not a backup of this kind of database, or when the
    database holds rows and ``force`` is not given."""
    path = Path(path).resolve()
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    with path.open("rb") as handle:
        head = handle.read(16)
    if is_postgres(database):
        if not head.startswith(PGDUMP_MAGIC):
            raise BackupError(f"{path} is not a pg_dump custom-format file"
                              + (" (it is a SQLite backup)" if head == SQLITE_MAGIC else ""))
        with _reported():
            return _pg_restore(database, path, force)
    if head != SQLITE_MAGIC:
        raise BackupError(f"{path} is not a SQLite database"
                          + (" (it is a PostgreSQL backup)" if head.startswith(PGDUMP_MAGIC) else ""))
    target = Path(database.database).resolve()
    if not target.parent.is_dir():
        raise BackupError(f"no folder {target.parent} for the database")
    with _reported():
        return _sqlite_restore(target, path, force)


@contextmanager
def _reported() -> Iterator[None]:
    """Database and file errors as a ``BackupError`` the command prints (no traceback)."""
    try:
        yield
    except (sqlite3.Error, pw.DatabaseError, OSError) as exc:
        raise BackupError(f"{type(exc).__name__}: {exc}".strip()) from exc


# --- SQLite -------------------------------------------------------------------------------

@contextmanager
def _new_file_beside(path: Path) -> Iterator[Path]:
    """A temporary file (mode 0600) in ``path``'s folder, moved onto ``path`` when the block
    ends without an error and removed otherwise."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)


def _sqlite_backup(source: Path, path: Path) -> Report:
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    if path == source:
        raise BackupError("the backup must not be the database file itself")
    with _new_file_beside(path) as tmp:
        with closing(sqlite3.connect(source, timeout=30)) as src, closing(sqlite3.connect(tmp)) as out:
            src.backup(out)
            out.execute("PRAGMA journal_mode=delete")  # one self-contained file, no -wal beside it
            problems = _sqlite_problems(out)
            if problems:
                raise BackupError("the copy failed its integrity check: " + "; ".join(problems))
            counts = _sqlite_counts(out)
            version = _sqlite_versions(out)
    report = Report(counts=counts)
    report.lines.append(f"backed up {source} to {path} ({path.stat().st_size} bytes, "
                        f"schema version {max(version, default=0)}, {sum(counts.values())} rows in {len(counts)} tables)")
    return report


def _sqlite_restore(target: Path, path: Path, force: bool) -> Report:
    if target == path:
        raise BackupError("the backup file is the database itself")
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as src:
        problems = _sqlite_problems(src)
        if problems or "schema_migrations" not in _sqlite_tables(src):
            raise BackupError(f"{path} is not a sound hep backup: " + ("; ".join(problems) or "no schema_migrations table"))
    if target.exists():
        with closing(sqlite3.connect(target, timeout=30)) as current:
            holding = {t: n for t, n in _sqlite_counts(current).items() if n and t not in SKIP_WHEN_EMPTY}
        if holding and not force:
            raise _refusal(target, holding)
    else:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as src, \
            closing(sqlite3.connect(target, timeout=30)) as out:
        src.backup(out)
        out.execute("PRAGMA journal_mode=wal")  # as hep runs it
        report = Report(counts=_sqlite_counts(out))
        problems = _sqlite_problems(out)
        report.lines.append("integrity check: " + ("ok" if not problems else "; ".join(problems)))
        report.ok = not problems
        _finish(report, _sqlite_versions(out), _known_versions("sqlite"))
    return report


def _ident(name: str) -> str:
    """``name`` as a quoted SQL identifier (double quotes doubled), for SQLite and PostgreSQL."""
    return '"' + name.replace('"', '""') + '"'


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    return [name for (name,) in rows]


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    # Table names come from the database's own catalog, quoted as identifiers (not user input).
    return {t: conn.execute(f"SELECT COUNT(*) FROM {_ident(t)}").fetchone()[0]  # nosec B608
            for t in _sqlite_tables(conn)}


def _sqlite_versions(conn: sqlite3.Connection) -> set[int]:
    if "schema_migrations" not in _sqlite_tables(conn):
        return set()
    return {v for (v,) in conn.execute("SELECT version FROM schema_migrations")}


def _sqlite_problems(conn: sqlite3.Connection) -> list[str]:
    """What ``integrity_check`` and ``foreign_key_check`` find (empty: sound)."""
    problems = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
    problems += [f"row {rowid} of {table} points at a missing {parent}"
                 for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check")]
    return problems


# --- PostgreSQL ---------------------------------------------------------------------------

def _pg_backup(database: pw.PostgresqlDatabase, path: Path) -> Report:
    schema = _pg_schema(database)
    with _new_file_beside(path) as tmp:
        # pg_dump truncates the 0600 file it is given, so the dump is never readable by others.
        _run(["pg_dump", "--format=custom", f"--schema={schema}", f"--file={tmp}"], database,
             shown=["pg_dump", "--format=custom", f"--schema={schema}", f"--file={path}"])
    report = Report()
    report.lines.append(f"backed up schema {schema} of {database.database} to {path} ({path.stat().st_size} bytes, "
                        f"schema version {max(_pg_versions(database, schema), default=0)})")
    return report


RESTORE_ARGS = ["pg_restore", "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error"]


def _pg_restore(database: pw.PostgresqlDatabase, path: Path, force: bool) -> Report:
    if shutil.which("pg_restore") is None:  # say what to run by hand (without the checks below)
        _run([*RESTORE_ARGS, *(["--clean", "--if-exists"] if force else []), str(path)], database)
    schema = _pg_schema(database)
    toc = _run(["pg_restore", "--list", str(path)]).splitlines()
    dumped = {m.group(1) for line in toc if (m := re.match(r"^\d+; \d+ \d+ TABLE (?!DATA )(\S+) ", line))}
    if dumped != {schema}:
        raise BackupError(f"{path} holds schema {', '.join(sorted(dumped)) or '(none)'}; restore it into that schema "
                          f"(the search_path in HEP_DATABASE_URL's options), not {schema}")
    counts = _pg_counts(database, schema)
    holding = {t: n for t, n in counts.items() if n and t not in SKIP_WHEN_EMPTY}
    if holding and not force:
        raise _refusal(f"schema {schema} of {database.database}", holding)
    database.execute_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    _release(database)
    with tempfile.NamedTemporaryFile("w", suffix=".list") as listing:
        # The schema itself is created above: a restore into an existing (empty) schema works too.
        listing.write("\n".join(line for line in toc if not re.match(r"^\d+; \d+ \d+ SCHEMA ", line)) + "\n")
        listing.flush()
        clean = ["--clean", "--if-exists"] if counts else []
        _run([*RESTORE_ARGS, f"--use-list={listing.name}", *clean, str(path)], database)
    report = Report(counts=_pg_counts(database, schema))
    report.lines.append(f"restored schema {schema} of {database.database}")
    _finish(report, _pg_versions(database, schema), _known_versions("postgresql"))
    return report


def _pg_schema(database: pw.PostgresqlDatabase) -> str:
    """The schema hep's tables live in: the first of the connection's search_path."""
    current = database.execute_sql("SELECT current_schema()").fetchone()[0]
    if current:
        return current
    path = database.execute_sql("SHOW search_path").fetchone()[0]
    names = [p.strip().strip('"') for p in path.split(",") if p.strip() and p.strip() != '"$user"']
    if not names:
        raise BackupError("no schema in the search_path")
    return names[0]


def _pg_counts(database: pw.PostgresqlDatabase, schema: str) -> dict[str, int]:
    tables = [t for (t,) in database.execute_sql(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE' "
        "ORDER BY table_name", (schema,))]
    # Schema and table names come from the connection and the catalog, quoted as identifiers.
    return {t: database.execute_sql(f"SELECT COUNT(*) FROM {_ident(schema)}.{_ident(t)}").fetchone()[0]  # nosec B608
            for t in tables}


def _pg_versions(database: pw.PostgresqlDatabase, schema: str) -> set[int]:
    if "schema_migrations" not in _pg_counts(database, schema):
        return set()
    query = f"SELECT version FROM {_ident(schema)}.schema_migrations"  # nosec B608 (a quoted identifier)
    return {v for (v,) in database.execute_sql(query)}


def _release(database: pw.Database) -> None:
    """Hand back this process's connections, so pg_restore --clean waits on nobody here."""
    close_all = getattr(database, "close_all", None)
    close_all() if close_all else database.close()


def _conninfo(database: pw.PostgresqlDatabase) -> tuple[str, dict[str, str]]:
    """A libpq connection string for ``database`` (no password: it goes in PGPASSWORD)."""
    params = database.connect_params
    parts = {"host": params.get("host"), "port": params.get("port"), "user": params.get("user"),
             "dbname": database.database}
    env = {"PGPASSWORD": str(params["password"])} if params.get("password") else {}
    return " ".join(f"{k}={_conninfo_value(v)}" for k, v in parts.items() if v is not None), env


def _conninfo_value(value) -> str:
    """A value as libpq's key=value syntax wants it: bare when plain, else quoted."""
    text = str(value)
    if re.fullmatch(r"[\w.:/@+-]+", text):
        return text
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _run(args: list[str], database: pw.PostgresqlDatabase | None = None, *, shown: list[str] | None = None) -> str:
    """Run a PostgreSQL client tool (connected to ``database`` when given); when the tool is
    not installed, say exactly what to run (``shown``: the arguments to print instead)."""
    env: dict[str, str] = {}
    connect: list[str] = []
    if database is not None:
        conninfo, env = _conninfo(database)
        connect = [f"--dbname={conninfo}"]
    if shutil.which(args[0]) is None:
        hint = " (with PGPASSWORD set)" if env else ""
        raise BackupError(f"{args[0]} is not installed (Debian: apt-get install postgresql-client). "
                          f"Run this instead{hint}:\n  {shlex.join([*(shown or args), *connect])}")
    done = subprocess.run([*args, *connect], env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{args[0]} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


# --- shared -------------------------------------------------------------------------------

def _known_versions(dialect: str) -> set[int]:
    database = pw.PostgresqlDatabase(None) if dialect == "postgresql" else pw.SqliteDatabase(None)
    return {m.version for m in migrations.available(database)}


def _finish(report: Report, restored: set[int], known: set[int]) -> None:
    """Say whether the restored schema is one this hep knows (unknown versions fail), then
    the rows per table."""
    unknown = restored - known
    if not restored:
        report.ok = False
        report.lines.append("migrations: none recorded (not a hep database)")
    elif unknown:
        report.ok = False
        report.lines.append(f"migrations: {sorted(unknown)} are unknown to this hep; install the release that made the backup")
    elif restored != known:
        report.lines.append(f"migrations: schema version {max(restored)}, this hep is at {max(known)}: run `hep db upgrade`")
    else:
        report.lines.append(f"migrations: schema version {max(restored)}, as this hep expects")
    for table, count in report.counts.items():
        report.lines.append(f"  {table}: {count}")


def _refusal(where, holding: dict[str, int]) -> BackupError:
    rows = sum(holding.values())
    return BackupError(f"{where} is not empty ({rows} rows in {len(holding)} tables); "
                       "nothing was changed. Add --force to replace its contents with the backup.")
