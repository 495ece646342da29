"""Counting the SQL statements a piece of code runs (peewee's query hooks)."""
from __future__ import annotations

from contextlib import contextmanager

from hep.db import db


@contextmanager
def statements():
    """Yield a list that collects the SQL of every statement run through the bound database
    while the block runs (connection PRAGMAs are not statements of the request)."""
    seen: list[str] = []

    def hook(event) -> None:
        seen.append(event.sql)

    db.obj.query_hooks.append(hook)
    try:
        yield seen
    finally:
        db.obj.query_hooks.remove(hook)
