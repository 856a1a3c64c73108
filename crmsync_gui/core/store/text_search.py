"""A substring index over the trace log's messages, so the error browser's text filter stays fast.

On SQLite an FTS5 table with the trigram tokenizer mirrors `trace_log.message` (kept in step by
triggers) and answers `LIKE '%text%'` without reading every row. On PostgreSQL a trigram GIN index
(the pg_trgm extension, shipped with PostgreSQL) serves the filter's plain `ILIKE '%text%'` directly.
Where neither can exist (an SQLite without FTS5 trigram, a PostgreSQL user who may not create the
extension, a database made before it) the filter is a plain LIKE/ILIKE, which is correct, only slower
on a very large log.
"""
from __future__ import annotations

import peewee

TABLE = "trace_log_text"
PG_INDEX = "trace_log_message_trgm"

_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(message, content='trace_log', "
    "content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_ai AFTER INSERT ON trace_log BEGIN "
    f"INSERT INTO {TABLE}(rowid, message) VALUES (new.id, new.message); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_ad AFTER DELETE ON trace_log BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, message) VALUES ('delete', old.id, old.message); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_au AFTER UPDATE OF message ON trace_log BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, message) VALUES ('delete', old.id, old.message); "
    f"INSERT INTO {TABLE}(rowid, message) VALUES (new.id, new.message); END",
)
_PG_DDL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON trace_log USING gin (message gin_trgm_ops)",
)


def create_trace_text_index(db: peewee.Database) -> bool:
    """Create the index (and on SQLite its triggers); return whether it exists afterwards."""
    if isinstance(db, peewee.PostgresqlDatabase):
        ddl, missing = _PG_DDL, peewee.DatabaseError  # pg_trgm not installed, or no right to create it
    elif isinstance(db, peewee.SqliteDatabase):
        ddl, missing = _DDL, peewee.OperationalError  # no FTS5, or no trigram tokenizer (SQLite < 3.34)
    else:
        return False
    try:
        with db.atomic():
            for sql in ddl:
                db.execute_sql(sql)
    except missing:  # a plain LIKE then
        return False
    return True


def has_trace_text_index(db: peewee.Database) -> bool:
    if isinstance(db, peewee.PostgresqlDatabase):
        return db.execute_sql("SELECT 1 FROM pg_indexes WHERE indexname = %s AND schemaname = current_schema()",
                              (PG_INDEX,)).fetchone() is not None
    if not isinstance(db, peewee.SqliteDatabase):
        return False
    return db.execute_sql("SELECT 1 FROM sqlite_master WHERE name = ?", (TABLE,)).fetchone() is not None
