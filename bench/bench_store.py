"""Store: open a new database and create mailboxes through the admin service, against bare sqlite3.

The baseline is what the store cannot beat: the same schema (the DDL the store created, replayed),
the same pragmas and the same rows, inserted by a plain sqlite3 loop in one transaction. The ratio
is the price of peewee and the admin service's validation.
"""
from __future__ import annotations

import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

from bench.harness import at_most, progress, record, timed


def _open_and_create(path: Path, count: int) -> tuple[float, float, list[str], tuple]:
    """Through the store: return (open seconds, create seconds, the schema DDL, one row as stored)."""
    from crmsync_gui.core import admin
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.core.store.models import Mailbox

    with timed() as opened:
        db = open_database(path)

    with timed() as created, db.atomic():
        for i in range(count):
            admin.add_mailbox(f"Mailbox {i}", f"user{i}@contoso.com")
    assert Mailbox.select().count() == count, "the store lost mailboxes"
    close_database()
    with closing(sqlite3.connect(path)) as conn:
        # FTS5 and AUTOINCREMENT make tables of their own (shadow tables, sqlite_sequence)
        ddl = [sql for (sql,) in conn.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name != 'sqlite_sequence' AND name NOT IN "
            "(SELECT name FROM pragma_table_list WHERE type = 'shadow') ORDER BY rowid")]
        row = conn.execute("SELECT * FROM mailbox ORDER BY id DESC LIMIT 1").fetchone()
        columns = [c[1] for c in conn.execute("PRAGMA table_info(mailbox)")]
    return opened.seconds, created.seconds, ddl, (columns, row)


def _bare(path: Path, count: int, ddl: list[str], columns: list[str], sample: tuple) -> tuple[float, float]:
    """The same schema and rows with plain sqlite3: return (open seconds, create seconds)."""
    from crmsync_gui.core.store.db import SQLITE_PRAGMAS

    with timed() as opened:
        conn = sqlite3.connect(path, isolation_level=None)
        for key, value in SQLITE_PRAGMAS.items():
            conn.execute(f"PRAGMA {key} = {value}")
        conn.execute("BEGIN")
        for sql in ddl:
            conn.execute(sql)
        conn.execute("COMMIT")
    values = dict(zip(columns, sample, strict=True))
    del values["id"]
    insert = f"INSERT INTO mailbox ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})"

    with timed() as created:
        conn.execute("BEGIN")
        for i in range(count):
            values["name"], values["email"] = f"Mailbox {i}", f"user{i}@contoso.com"
            conn.execute(insert, tuple(values.values()))
        conn.execute("COMMIT")
    assert conn.execute("SELECT COUNT(*) FROM mailbox").fetchone()[0] == count
    conn.close()
    return opened.seconds, created.seconds


def run(quick: bool) -> list[dict]:
    """Open a new database, then create N mailboxes in one transaction; best of 3 rounds against sqlite3."""
    count, rounds = (50, 1) if quick else (10_000, 3)
    best = {"open": float("inf"), "create": float("inf"), "bare_open": float("inf"),
            "bare_create": float("inf")}
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(rounds):
            progress(f"round {n + 1}/{rounds}: store, {count:,} mailboxes")
            opened, created, ddl, (columns, row) = _open_and_create(Path(tmp) / f"store{n}.db", count)
            progress(f"round {n + 1}/{rounds}: bare sqlite3, {count:,} mailboxes")
            bare_opened, bare_created = _bare(Path(tmp) / f"bare{n}.db", count, ddl, columns, row)
            for key, value in (("open", opened), ("create", created), ("bare_open", bare_opened),
                               ("bare_create", bare_created)):
                best[key] = min(best[key], value)
    return [
        record("open a new database", best["open"] * 1000, "ms", target=at_most(250),
               baseline=best["bare_open"] * 1000, baseline_label="bare sqlite3 + same DDL"),
        # an Email Router import of 10,000 mailboxes must take seconds; the ratio shows the ORM's share
        record(f"create {count:,} mailboxes", best["create"], "s", target=at_most(5),
               baseline=best["bare_create"], baseline_label="bare sqlite3 loop",
               note="admin.add_mailbox, one transaction"),
    ]
