"""Opening the database: location, pragmas, schema migrations, known errors."""
from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import peewee
import platformdirs

from crmsync_gui.core.errors import StoreError
from crmsync_gui.core.store.base import database_proxy

APP_NAME = "crmsync"

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "normal",
}


def default_database_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "crmsync.db"


def is_server_url(target: str | Path | None) -> bool:
    """Whether the database is a PostgreSQL server's URL rather than an SQLite file."""
    return str(target or "").startswith(("postgres://", "postgresql://"))


def describe_target(target: str | Path) -> str:
    """The database as an administrator may see it in messages and the status bar: no password."""
    return re.sub(r"^(postgres(?:ql)?://[^:/@]*):[^@/]*@", r"\1:***@", str(target))


def _make_database(target: str | Path, create: bool) -> peewee.Database:
    """A path makes SQLite; a postgresql:// URL makes PostgreSQL (several workers)."""
    text = str(target)
    if is_server_url(text):
        from playhouse.db_url import connect

        return connect(text)
    path = Path(text).expanduser()
    if text != ":memory:" and not create and not path.exists():  # a mistyped path is not a new database
        raise StoreError(f"There is no database at {path}. Check the path, or create one there with "
                         f"`crmsync --db {path} init`.")
    if text != ":memory:":
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Cannot create the folder for the database {path}: {exc.strerror}. "
                             "Choose another location with --db.") from exc
        try:  # it holds every tracked email: its owner's only (SQLite gives its -wal and -shm the same mode)
            with contextlib.suppress(FileExistsError):
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except OSError as exc:
            raise StoreError(f"Cannot create the database {path}: {exc.strerror}. "
                             "Choose another location with --db.") from exc
    return peewee.SqliteDatabase(text if text == ":memory:" else str(path), pragmas=SQLITE_PRAGMAS)


def open_database(target: str | Path | None = None, *, create: bool = True) -> peewee.Database:
    """Open and migrate the database; bind every model to it. A missing SQLite file (and its folder) is
    created, unless `create` is false: then it is a StoreError."""
    from crmsync_gui.core.store.migrations import migrate_to_latest

    target = target if target is not None else default_database_path()
    db = _make_database(target, create)
    try:
        db.connect(reuse_if_open=True)
    except peewee.ImproperlyConfigured as exc:  # peewee says which driver is missing
        raise StoreError(f"Cannot open the database {describe_target(target)}: {exc} Install it with "
                         "pip install psycopg2-binary.") from exc
    except (peewee.DatabaseError, sqlite3.Error) as exc:
        what = " ".join(str(exc).split()).replace(str(target), describe_target(target))  # libpq's are multi-line
        what += "" if what.endswith((".", "?")) else "."
        hint = ("Check that the PostgreSQL server is running and that the URL's host, port, user and database "
                "are right (a password can come from PGPASSWORD or ~/.pgpass instead of the URL)."
                if is_server_url(target) else "Check that the file is readable and the disk is not full.")
        raise StoreError(f"Cannot open the database {describe_target(target)}: {what} {hint}") from exc
    database_proxy.initialize(db)
    with known_store_errors(f"Cannot prepare the database {describe_target(target)}"):
        migrate_to_latest(db)
    return db


def close_database() -> None:
    db = database_proxy.obj
    if db is not None and not db.is_closed():
        db.close()


def refresh_statistics() -> None:
    """Let SQLite's planner see how the tables have grown (`PRAGMA optimize` analyzes the tables this
    connection queried whose statistics are missing or stale; cheap when nothing changed). PostgreSQL's
    autovacuum keeps its own statistics."""
    db = database_proxy.obj
    if isinstance(db, peewee.SqliteDatabase):
        db.execute_sql("PRAGMA optimize")


def drop_broken_connection() -> bool:
    """Forget this thread's connection when the server closed it (PostgreSQL restarted, a network cut), so
    the next statement connects afresh instead of failing for ever; return whether it did."""
    db = database_proxy.obj
    if db is None or db.is_closed() or db.is_connection_usable():
        return False
    with contextlib.suppress(peewee.PeeweeException, sqlite3.Error):  # the connection is gone already
        db.close()
    return True


# (words of the driver's message, what the administrator can do), for the failures that are not bugs
_KNOWN = (
    (("database or disk is full", "no space left", "could not extend file"),
     "Free disk space where the database is"),
    (("database is locked", "lock timeout"),
     "Close the other program that keeps the database locked (another crmsync on the same file, a database "
     "browser)"),
    (("disk i/o error", "unable to open", "file is not a database", "readonly database"),
     "Check the disk and the file's permissions, or choose another database with --db"),
)


def store_fault(exc: BaseException, what: str = "The database failed") -> StoreError | None:
    """The StoreError an administrator can act on for a known SQL failure (disk full, locked, not a database),
    or None for any other error (a bug)."""
    if isinstance(exc, StoreError):
        return exc
    seen: set[int] = set()
    while isinstance(exc, peewee.DatabaseError | sqlite3.Error) and id(exc) not in seen:
        seen.add(id(exc))
        text = str(exc).lower()
        for words, remedy in _KNOWN:
            if any(w in text for w in words):
                return StoreError(f"{what}: {exc}. {remedy}.")
        # SQLite ends a transaction whose COMMIT found the disk full; peewee's ROLLBACK then fails on top
        exc = exc.__cause__ or exc.__context__
    return None


@contextmanager
def known_store_errors(what: str):
    """Turn known SQL failures (disk full, locked, not a database) into a StoreError an admin can act on.

    Other database errors are bugs and propagate unchanged.
    """
    try:
        yield
    except (peewee.DatabaseError, sqlite3.Error) as exc:
        fault = store_fault(exc, what)
        if fault is None:
            raise
        raise fault from exc
