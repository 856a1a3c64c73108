import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CRMSYNC_SECRETS", "file")  # never touch the developer's real keyring from tests

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
BIN = Path(sys.executable).parent
# CRMSYNC_TEST_DB=postgresql runs every test that uses the `db` fixture on PostgreSQL instead of SQLite
ON_POSTGRES = os.environ.get("CRMSYNC_TEST_DB", "sqlite") == "postgresql"
sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="checks SQLite itself (its file, pragmas or FTS5 index)")


@pytest.fixture(scope="session")
def postgres():
    """A private PostgreSQL cluster on loopback for the whole session (tests/servers/postgres.py)."""
    from tests.servers import postgres as postgres_server

    reason = postgres_server.unavailable_reason()
    if reason:
        pytest.skip(reason)
    server = postgres_server.start_postgres()
    yield server
    server.stop()


@pytest.fixture
def pg_url(postgres):
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    url = postgres.create_database()
    yield url
    postgres.drop_database(url)


@pytest.fixture
def pg_db(pg_url):
    """A fresh, migrated PostgreSQL database bound to the models."""
    from crmsync_gui.core.store.db import close_database, open_database

    database = open_database(pg_url)
    yield database
    close_database()


@pytest.fixture
def db(request, tmp_path):
    """A fresh, migrated SQLite database bound to the models (PostgreSQL with CRMSYNC_TEST_DB=postgresql)."""
    if ON_POSTGRES:
        yield request.getfixturevalue("pg_db")
        return
    from crmsync_gui.core.store.db import close_database, open_database

    database = open_database(tmp_path / "crm.db")
    yield database
    close_database()
