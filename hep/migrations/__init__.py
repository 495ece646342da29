"""Versioned schema migrations.

Each migration is ``NNNN_name.<dialect>.sql`` (one file per dialect: ``sqlite``,
``postgresql``) or ``NNNN_name.py`` with ``upgrade(database)``. Files are frozen once
released: a schema change is a new file. Applied versions are recorded in
``schema_migrations``; ``upgrade`` applies the missing ones in order, each in a transaction,
and is safe to run from several processes at once (the version row is the lock).
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path

import peewee as pw

from hep.db import is_postgres

HERE = Path(__file__).parent
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)(?:\.(sqlite|postgresql))?\.(sql|py)$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    def apply(self, database: pw.Database) -> None:
        if self.path.suffix == ".py":
            module = importlib.import_module(f"hep.migrations.{self.path.stem}")
            module.upgrade(database)
            return
        for statement in split_statements(self.path.read_text()):
            database.execute_sql(statement)


def dialect(database: pw.Database) -> str:
    return "postgresql" if is_postgres(database) else "sqlite"


def available(database: pw.Database) -> list[Migration]:
    """The migrations for this database's dialect, in version order."""
    found: dict[int, Migration] = {}
    for path in sorted(HERE.iterdir()):
        match = _NAME.match(path.name)
        if not match or (match.group(3) and match.group(3) != dialect(database)):
            continue
        version = int(match.group(1))
        if version in found:
            raise RuntimeError(f"two migrations with version {version}: {path.name}")
        found[version] = Migration(version, match.group(2), path)
    return [found[v] for v in sorted(found)]


def applied_versions(database: pw.Database) -> set[int]:
    if "schema_migrations" not in database.get_tables():
        return set()
    return {row[0] for row in database.execute_sql("SELECT version FROM schema_migrations")}


def upgrade(database: pw.Database, target: int | None = None) -> list[Migration]:
    """Apply every missing migration up to ``target`` (default: all); return those applied."""
    database.execute_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)"
    )
    done: list[Migration] = []
    for migration in available(database):
        if target is not None and migration.version > target:
            break
        if migration.version in applied_versions(database):
            continue
        try:
            with database.atomic():
                # Claim the version first: a concurrent upgrader fails here and rolls back.
                database.execute_sql(
                    "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)"
                    if is_postgres(database) else
                    "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                    (migration.version, migration.name),
                )
                migration.apply(database)
        except pw.IntegrityError:
            continue  # another process applied it meanwhile
        done.append(migration)
    return done


def current_version(database: pw.Database) -> int:
    return max(applied_versions(database), default=0)


def split_statements(sql: str) -> list[str]:
    """Statements of a migration file: separated by ``;`` at a line end; ``--`` comments dropped."""
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [part.strip() for part in re.split(r";\s*$", "\n".join(lines), flags=re.M) if part.strip()]


def schema_sql(models, database: pw.Database) -> str:
    """The CREATE TABLE / CREATE INDEX statements peewee would run for ``models``.

    Used to write a new migration file from models (``hep db schema-sql``); no connection
    is needed.
    """
    out: list[str] = []
    for model in models:
        with model.bind_ctx(database):
            ctx = database.get_sql_context()
            sql, _ = ctx.sql(model._schema._create_table(safe=False)).query()
            out.append(sql + ";")
            for index in model._schema._create_indexes(safe=False):
                sql, _ = database.get_sql_context().sql(index).query()
                out.append(sql + ";")
    return "\n".join(out) + "\n"
