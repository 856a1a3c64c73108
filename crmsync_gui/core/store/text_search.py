"""A substring index over the trace log's messages, so the error browser's text filter stays fast.

On SQLite an FTS5 table with the trigram tokenizer mirrors `trace_log.message` (kept in step by
triggers) and answers `LIKE '%text%'` without reading every row. Where it cannot exist (another
database, an SQLite without FTS5 trigram, a database made before it) the filter falls back to a
plain LIKE, which is correct, only slower on a very large log.
"""
from __future__ import annotations

import peewee

TABLE = "trace_log_text"

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


def create_trace_text_index(db: peewee.Database) -> bool:
    """Create the index and its triggers on SQLite; return whether it exists afterwards."""
    if not isinstance(db, peewee.SqliteDatabase):
        return False
    try:
        with db.atomic():
            for sql in _DDL:
                db.execute_sql(sql)
    except peewee.OperationalError:  # no FTS5, or no trigram tokenizer (SQLite < 3.34): plain LIKE then
        return False
    return True


def has_trace_text_index(db: peewee.Database) -> bool:
    if not isinstance(db, peewee.SqliteDatabase):
        return False
    return db.execute_sql("SELECT 1 FROM sqlite_master WHERE name = ?", (TABLE,)).fetchone() is not None
