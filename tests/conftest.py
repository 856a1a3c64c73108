import importlib.util
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


@pytest.fixture(scope="session")
def pg_shared_url(postgres):
    """One migrated database for the session; `pg_db` empties it for each test (cheaper than a new one)."""
    from crmsync_gui.core.store.db import close_database, open_database

    url = postgres.create_database()
    open_database(url)
    close_database()
    return url


@pytest.fixture
def pg_db(pg_shared_url):
    """A migrated PostgreSQL database bound to the models, with no rows but what a new one has."""
    import peewee

    from crmsync_gui.core.store import migrations, models
    from crmsync_gui.core.store.db import close_database, open_database

    database = open_database(pg_shared_url)
    with database.atomic():  # DELETE, not TRUNCATE: on a few rows it costs a tenth
        database.execute_sql("SET LOCAL lock_timeout = '10s'")  # a connection a test left open fails, not hangs
        for model in reversed(peewee.sort_models(models.ALL_MODELS)):
            table = model._meta.table_name
            database.execute_sql(f'DELETE FROM "{table}"')
            database.execute_sql(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), 1, false)")
        models.SchemaVersion.create(version=len(migrations.MIGRATIONS))
        models.OrganizationSettings.create(id=1)
    yield database
    close_database()


def pytest_generate_tests(metafunc):
    """A module marked `every_database` runs its tests that use `db` once on SQLite and once on PostgreSQL
    (one shared suite for every store, vdirsyncer-style)."""
    marked = metafunc.definition.get_closest_marker
    if "db" in metafunc.fixturenames and marked("every_database") and not marked("sqlite_only"):
        metafunc.parametrize("db_kind", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def db_kind(request) -> str:
    return getattr(request, "param", "postgresql" if ON_POSTGRES else "sqlite")


@pytest.fixture
def db(request, db_kind, tmp_path):
    """A fresh, migrated database bound to the models: SQLite, or PostgreSQL (see db_kind)."""
    if db_kind == "postgresql":
        if request.node.get_closest_marker("sqlite_only"):
            pytest.skip("marked sqlite_only")
        yield request.getfixturevalue("pg_db")
        return
    from crmsync_gui.core.store.db import close_database, open_database

    database = open_database(tmp_path / "crm.db")
    yield database
    close_database()


@pytest.fixture
def sandbox():
    """A fresh EWS sandbox for one test: its request counts and scripted faults start empty."""
    from crmsync_gui.sandbox import SandboxServer

    with SandboxServer() as server:
        yield server


@pytest.fixture(scope="session")
def validator():
    """../shared/tools/ews_validate.py's validator of EWS messages against Microsoft's schema, or None without it."""
    if not (SHARED / "ews-schema" / "ews-all.xsd").exists():
        return None
    spec = importlib.util.spec_from_file_location("ews_validate", SHARED / "tools" / "ews_validate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EwsValidator(SHARED / "ews-schema")
