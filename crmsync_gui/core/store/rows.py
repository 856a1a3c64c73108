"""Inserting rows of one table with SQL written once: the store's bulk path (a page of tracked email).

peewee builds the SQL of every `create` anew, which costs more than SQLite running it; a page of emails
is a few hundred rows, so the statement is written once per batch and filled with many rows at a time.
Rows get the model's defaults as `Model.create` gives them, and values go through each field's
`db_value`, so what is stored is the same on SQLite and PostgreSQL.
"""
from __future__ import annotations

import peewee

from crmsync_gui.core.store.base import database_proxy

# SQLite builds before 3.32 allow 999 bound parameters a statement; stay under that everywhere
_MAX_PARAMS = 900


class Rows:
    """INSERT for one model: `add(row)` one row and get its id, or `add_many(rows)` in few statements."""

    def __init__(self, model: type[peewee.Model]):
        self._db = database_proxy.obj
        self._fields = [f for f in model._meta.sorted_fields if not isinstance(f, peewee.AutoField)]
        columns = ", ".join(f'"{f.column_name}"' for f in self._fields)
        self._head = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES '
        self._one_row = "(" + ", ".join([self._db.param] * len(self._fields)) + ")"
        self._per_statement = max(1, _MAX_PARAMS // len(self._fields))
        # SQLite has RETURNING only since 3.35; its cursor knows the new rowid anyway
        self._returning = not isinstance(self._db, peewee.SqliteDatabase)

    def row(self, values: dict) -> dict:
        """`values` with the model's defaults for the fields it leaves out, as `Model.create` fills them."""
        row = {}
        for field in self._fields:
            if field.name in values:
                row[field.name] = values[field.name]
            elif field.default is not None:
                row[field.name] = field.default() if callable(field.default) else field.default
            else:
                row[field.name] = None
        return row

    def _params(self, row: dict) -> list:
        return [field.db_value(row[field.name]) for field in self._fields]

    def add(self, row: dict) -> int:
        """Insert one row (from `row`); return its id."""
        if self._returning:
            return self._db.execute_sql(self._head + self._one_row + " RETURNING id", self._params(row)).fetchone()[0]
        return self._db.execute_sql(self._head + self._one_row, self._params(row)).lastrowid

    def add_many(self, rows: list[dict]) -> None:
        """Insert rows (from `row`), as many a statement as the parameter limit allows."""
        for start in range(0, len(rows), self._per_statement):
            chunk = rows[start:start + self._per_statement]
            params = [p for row in chunk for p in self._params(row)]
            self._db.execute_sql(self._head + ", ".join([self._one_row] * len(chunk)), params)
