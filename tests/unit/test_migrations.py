"""Migrations: a fresh database matches the models, and an old one upgrades keeping its rows."""
from __future__ import annotations

from hep import migrations
from hep.db import init_database
from hep.models import ALL_MODELS, Patient


def _columns(database, table):
    return {c.name: c.null for c in database.get_columns(table)}


def test_migrated_schema_matches_the_models(database_url):
    database = init_database(database_url)
    migrations.upgrade(database)
    for model in ALL_MODELS:
        table = model._meta.table_name
        expected = {f.column_name: f.null for f in model._meta.sorted_fields}
        assert _columns(database, table) == expected, table
        indexes = {tuple(i.columns) for i in database.get_indexes(table)}
        for field in model._meta.sorted_fields:
            if field.unique:
                assert (field.column_name,) in indexes, f"{table}.{field.column_name} unique index"
    database.close()


def test_upgrade_from_the_first_version_keeps_rows(database_url):
    database = init_database(database_url)
    assert [m.version for m in migrations.upgrade(database, target=1)] == [1]
    assert "clinical_settings" not in _columns(database, "patient")
    # Rows written by version 1 of the schema, with plain SQL as that version knew it.
    param = "%s" if "postgres" in database_url else "?"
    database.execute_sql(f'INSERT INTO clinic (name, created_at) VALUES ({param}, CURRENT_TIMESTAMP)', ("C",))
    database.execute_sql(
        'INSERT INTO "user" (clinic_id, role, display_name, session_version, is_active, created_at)'
        f" VALUES (1, 'therapist', {param}, 1, {'true' if 'postgres' in database_url else 1}, CURRENT_TIMESTAMP)",
        ("T",))
    database.execute_sql(
        'INSERT INTO "user" (clinic_id, role, display_name, session_version, is_active, created_at)'
        f" VALUES (1, 'patient', {param}, 1, {'true' if 'postgres' in database_url else 1}, CURRENT_TIMESTAMP)",
        ("P",))
    database.execute_sql(
        "INSERT INTO patient (clinic_id, therapist_id, user_id, display_name, timezone, created_at)"
        f" VALUES (1, 1, 2, {param}, 'Europe/Madrid', CURRENT_TIMESTAMP)", ("Kept Row",))

    applied = migrations.upgrade(database)
    assert [m.version for m in applied] == [m.version for m in migrations.available(database)][1:]
    patient = Patient.get()
    assert patient.display_name == "Kept Row" and patient.timezone == "Europe/Madrid"
    assert patient.clinical_settings == {}
    assert migrations.upgrade(database) == []  # idempotent
    database.close()


def test_split_statements_drops_comments():
    sql = "-- a comment\nCREATE TABLE a (x INT);\n\nCREATE TABLE b (y INT);\n"
    assert migrations.split_statements(sql) == ["CREATE TABLE a (x INT)", "CREATE TABLE b (y INT)"]
