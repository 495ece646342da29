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
count it), and returns the rows as the query would: models with their joins, tuples, dicts.
A placeholder may stand for one value only: lists change the SQL's shape (``IN (?, ?)``),
so each element of a fixed-length list is a placeholder of its own. Every value must be
given; an unknown name raises ``KeyError`` at the first call. :class:`PreparedInsert` does
the same for an INSERT of one row.
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
    """A named value left open in a prepared query's SQL, converted with ``converter`` (by
    default the one peewee applies in its place: the field it is compared with)."""

    def __init__(self, name: str, converter: Callable[[Any], Any] | None = None) -> None:
        super().__init__()
        self.name = name
        self.converter = converter

    def __sql__(self, ctx: pw.Context) -> pw.Context:
        # converter=False keeps ctx.value from converting the slot itself now.
        return ctx.value(_Slot(self.name, self.converter or ctx.state.converter), converter=False)


class _Placeholders:
    """``p.name`` is the placeholder ``name``."""

    def __getattr__(self, name: str) -> Placeholder:
        return Placeholder(name)


class _Compiled:
    """A query built once per kind of database, with its SQL and parameter slots."""

    def __init__(self, build: Callable[[Any], pw.BaseQuery]) -> None:
        self._build = build
        self._compiled: dict[type, tuple[pw.BaseQuery, str, list[Any]]] = {}
        self._lock = threading.Lock()

    def _execute(self, values: dict[str, Any]) -> tuple[pw.BaseQuery, Any]:
        """Run the statement with ``values``; (the query it was built from, the cursor)."""
        database = db.obj
        compiled = self._compiled.get(type(database))
        if compiled is None:
            compiled = self._compile(database)
        query, sql, params = compiled
        bound = [p.bind(values) if type(p) is _Slot else p for p in params]
        return query, database.execute_sql(sql, bound)

    def _compile(self, database: pw.Database) -> tuple[pw.BaseQuery, str, list[Any]]:
        with self._lock:
            compiled = self._compiled.get(type(database))
            if compiled is None:
                query = self._build(_Placeholders())
                sql, params = database.get_sql_context().sql(query).query()
                compiled = self._compiled[type(database)] = (query, sql, list(params))
        return compiled


class Prepared(_Compiled):
    """A select whose SQL is built once per kind of database (see the module's contract)."""

    def __call__(self, **values: Any) -> Iterable[Any]:
        query, cursor = self._execute(values)
        # The query object turns the rows into what it would have returned (models with their
        # joins, tuples...); it is shared read-only, each call gets its own wrapper.
        return query._get_cursor_wrapper(cursor)

    def first(self, **values: Any) -> Any:
        """The first row, or None."""
        return next(iter(self(**values)), None)


class PreparedInsert(_Compiled):
    """An INSERT of one row of ``model`` built once per kind of database: every column but
    an auto-incremented key is a placeholder, converted by its field. A column left out of
    the values takes its field's default (called when callable, at each insert), else None."""

    def __init__(self, model: type[pw.Model]) -> None:
        self._fields = [f for f in model._meta.sorted_fields if not isinstance(f, pw.AutoField)]
        super().__init__(lambda _p: model.insert({f: Placeholder(f.name, f.db_value) for f in self._fields}))

    def __call__(self, **values: Any) -> None:
        for field in self._fields:
            if field.name not in values:
                default = field.default
                values[field.name] = default() if callable(default) else default
        self._execute(values)
