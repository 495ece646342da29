"""Prepared queries: a hot query's SQL built once per kind of database, run with new values.

peewee builds the SQL text of a query every time it runs it, and on the hot paths (``today``,
the signed-in user) that building costs more than running the statements. A
:class:`Prepared` query is written as usual, with named placeholders where the values go::

    CURRENT = Prepared(lambda p: Prescription.select().where(Prescription.version == p.version))
    rows = list(CURRENT(version=7))

Contract: the first call on a kind of database (its class: SQLite or PostgreSQL) builds the
query and its SQL, with a slot for each placeholder; every call then runs that SQL with the
values given, each converted the way peewee would convert it in that place (a field's
``db_value`` on the other side of a comparison), through ``execute_sql`` (so the query hooks
count it), and returns the rows as the query would: models with their joins, tuples,
dicts (how the columns map to models and fields is also worked out once, on the first run).
A placeholder may stand for one value only: lists change the SQL's shape (``IN (?, ?)``),
so each element of a fixed-length list is a placeholder of its own. Every value must be
given; an unknown name raises ``KeyError`` at the first call.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

import peewee as pw

from hep.db import db


class _Slot:
    """Where a placeholder's value goes in the parameters, and how to convert it."""

    __slots__ = ("name", "converter")

    def __init__(self, name: str, converter: Callable[[Any], Any] | None) -> None:
        self.name = name
        self.converter = converter

    def bind(self, values: dict[str, Any]) -> Any:
        value = values[self.name]
        return self.converter(value) if self.converter is not None else value


class Placeholder(pw.ColumnBase):
    """A named value left open in a prepared query's SQL. ``converter`` is for the places
    where peewee sets none in the SQL context (an INSERT's values: pass the field's
    ``db_value``, as peewee would apply it to a plain value there)."""

    def __init__(self, name: str, converter: Callable[[Any], Any] | None = None) -> None:
        super().__init__()
        self.name = name
        self.converter = converter

    def __sql__(self, ctx: pw.Context) -> pw.Context:
        # The converter in force here is the one peewee would apply to a value in this place
        # (the field compared with); converter=False keeps ctx.value from applying it now.
        return ctx.value(_Slot(self.name, ctx.state.converter or self.converter), converter=False)


class _Placeholders:
    """``p.name`` is the placeholder ``name``."""

    def __getattr__(self, name: str) -> Placeholder:
        return Placeholder(name)


class Prepared:
    """A select (or an insert, run with :meth:`execute`) whose SQL is built once per kind of
    database (see the module's contract)."""

    def __init__(self, build: Callable[[Any], pw.SelectBase]) -> None:
        self._build = build
        self._compiled: dict[type, tuple[pw.SelectBase, str, list[Any]]] = {}
        self._row_mapping: dict[type, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def __call__(self, **values: Any) -> Iterable[Any]:
        kind = type(db.obj)
        query, cursor = self._run(values)
        # The query object turns the rows into what it would have returned (models with their
        # joins, tuples...); it is shared read-only, each call gets its own wrapper.
        rows = query._get_cursor_wrapper(cursor)
        # Working out which column goes to which model and field, with which converter, is
        # the same for every run of the same SQL: done on the first run, then copied.
        mapping = self._row_mapping.get(kind)
        if mapping is None:
            before = dict(rows.__dict__)
            rows.initialize()
            mapping = {k: v for k, v in rows.__dict__.items() if k not in before or before[k] is not v}
            self._row_mapping[kind] = mapping
        else:
            rows.__dict__.update(mapping)
        rows.initialized = True
        return rows

    def execute(self, **values: Any) -> Any:
        """Run the statement with ``values``; the database's cursor (for an INSERT, which
        returns no rows to turn into models)."""
        return self._run(values)[1]

    def _run(self, values: dict[str, Any]) -> tuple[pw.SelectBase, Any]:
        query, sql, params = self._compiled.get(type(db.obj)) or self._compile(db.obj)
        return query, db.obj.execute_sql(sql, [p.bind(values) if type(p) is _Slot else p for p in params])

    def first(self, **values: Any) -> Any:
        """The first row, or None."""
        return next(iter(self(**values)), None)

    def _compile(self, database: pw.Database) -> tuple[pw.SelectBase, str, list[Any]]:
        with self._lock:
            compiled = self._compiled.get(type(database))
            if compiled is None:
                query = self._build(_Placeholders())
                sql, params = database.get_sql_context().sql(query).query()
                compiled = self._compiled[type(database)] = (query, sql, list(params))
        return compiled
