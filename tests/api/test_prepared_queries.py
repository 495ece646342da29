"""Prepared queries (hep/models/prepared.py) give what peewee gives for the same query, on
each database, with the values of each call, and build their SQL only once."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hep.db import db
from hep.models import CheckIn, Completion, Exercise, Patient, Prescription, Program, ProgramVersion
from hep.models.prepared import Prepared
from tests.support.queries import statements


def _rows_of_version(p):
    return (Prescription.select(Prescription, Exercise, ProgramVersion).join(Exercise)
            .switch(Prescription).join(ProgramVersion)
            .where(Prescription.version == p.version).order_by(Prescription.position))


def test_a_prepared_select_returns_the_models_peewee_returns_with_their_joins(app, enrolled):
    _patient_api, patient_id, _program = enrolled
    prepared = Prepared(_rows_of_version)
    version_id = ProgramVersion.select(ProgramVersion.id).join(Program).where(Program.patient == patient_id).scalar()
    plain = list(_rows_of_version(type("P", (), {"version": version_id})))
    got = list(prepared(version=version_id))
    assert [(r.id, r.exercise.slug, r.version.number, r.days_of_week) for r in got] == \
        [(r.id, r.exercise.slug, r.version.number, r.days_of_week) for r in plain]
    assert len(got) == 2 and isinstance(got[0].exercise.regions, list)  # JSON fields converted
    assert list(prepared(version=version_id + 1000)) == []
    assert prepared.first(version=-1) is None


def test_values_are_converted_by_the_field_they_meet_and_lists_take_one_placeholder_each(app, enrolled):
    _patient_api, patient_id, program = enrolled
    rx = program["items"][0]["id"]
    today = date.today()
    for day, cid in ((today, "c-today"), (today - timedelta(days=3), "c-earlier")):
        Completion.insert(id=cid, patient=patient_id, prescription=rx, performed_at="2026-01-01T10:00:00+00:00",
                          local_date=day, sets_done=3, reps_done=10, pain_during=2, pain_after=2, effort=5,
                          request_hash="x").execute()
    prepared = Prepared(lambda p: Completion.select(Completion.id, Completion.local_date)
                        .where((Completion.patient == p.patient) & Completion.local_date.in_([p.a, p.b]))
                        .order_by(Completion.id).tuples())
    # Dates go in through DateField.db_value, come back as dates.
    assert list(prepared(patient=patient_id, a=today, b=today - timedelta(days=1))) == [("c-today", today)]
    assert [r[0] for r in prepared(patient=patient_id, a=today, b=today - timedelta(days=3))] == ["c-earlier", "c-today"]
    # A model where an id goes: the foreign key's converter takes its id.
    assert len(list(prepared(patient=Patient.get_by_id(patient_id), a=today, b=today))) == 1


def test_the_sql_is_built_once_and_each_call_is_one_statement(app, enrolled):
    _patient_api, patient_id, _program = enrolled
    built = []

    def build(p):
        built.append(1)
        return CheckIn.select().where(CheckIn.patient == p.patient)

    prepared = Prepared(build)
    with statements() as seen:
        for _ in range(3):
            assert list(prepared(patient=patient_id)) == []
    assert len(built) == 1 and len(seen) == 3
    assert seen[0].count(db.obj.param) == 1


def test_a_prepared_insert_stores_what_peewee_stores(app, enrolled):
    """An insert's placeholders carry their field's converter (peewee sets none there)."""
    from hep.models import AuditEvent
    from hep.models.prepared import Placeholder

    _patient_api, patient_id, _program = enrolled
    fields = (AuditEvent.at, AuditEvent.patient, AuditEvent.action, AuditEvent.detail)
    prepared = Prepared(lambda _p: AuditEvent.insert({f: Placeholder(f.name, f.db_value) for f in fields}))
    at = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
    values = {"at": at, "patient": patient_id, "action": "test.insert", "detail": {"endpoint": "today.today", "n": 1}}
    with statements() as seen:
        prepared.execute(**values)
    AuditEvent.insert(**values).execute()
    raw = db.execute_sql('SELECT "at", "patient_id", "action", "detail" FROM "audit_event" '
                         'WHERE "action" = ? ORDER BY "id"'.replace("?", db.param), ("test.insert",)).fetchall()
    assert len(seen) == 1 and len(raw) == 2 and raw[0] == raw[1]  # stored alike, to the column
    event = AuditEvent.select().where(AuditEvent.action == "test.insert").first()
    assert (event.patient_id, event.detail) == (patient_id, {"endpoint": "today.today", "n": 1})
