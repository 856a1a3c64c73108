import sqlite3

import peewee
import pytest

from crmsync_gui.core.errors import StoreError
from crmsync_gui.core.store import migrations, models
from crmsync_gui.core.store.db import close_database, open_database


def test_new_database_has_every_table_and_latest_version(db):
    for model in models.ALL_MODELS:
        assert db.table_exists(model._meta.table_name), model.__name__
    assert migrations.current_version(db) == len(migrations.MIGRATIONS)
    assert models.OrganizationSettings.select().count() == 1


def test_pragmas_are_set_at_connect(db):
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_reopening_is_idempotent(tmp_path):
    path = tmp_path / "crm.db"
    open_database(path)
    models.CrmUser.create(full_name="Ann", email="ann@contoso.com")
    close_database()
    db = open_database(path)
    assert models.CrmUser.select().count() == 1
    assert models.SchemaVersion.select().count() == 1
    assert migrations.current_version(db) == len(migrations.MIGRATIONS)
    close_database()


def test_older_database_runs_missing_migrations_in_order(tmp_path):
    """A database at version N opened by a program with two more migrations runs N+1 and N+2, in order, once."""
    db = open_database(tmp_path / "old.db")
    ran = []
    n = len(migrations.MIGRATIONS)

    def add_column(database, migrator):
        from playhouse.migrate import migrate
        ran.append(n + 1)
        migrate(migrator.add_column("crm_user", "nickname", peewee.CharField(null=True)))

    def fill_column(database, migrator):
        ran.append(n + 2)
        database.execute_sql("UPDATE crm_user SET nickname = 'n'")

    chain = [*migrations.MIGRATIONS, add_column, fill_column]
    assert migrations.migrate_to_latest(db, chain) == n + 2
    assert ran == [n + 1, n + 2]
    assert "nickname" in [c.name for c in db.get_columns("crm_user")]
    assert migrations.migrate_to_latest(db, chain) == n + 2
    assert ran == [n + 1, n + 2], "a migration ran twice"
    close_database()


def test_database_newer_than_program_is_refused(tmp_path):
    open_database(tmp_path / "new.db")
    models.SchemaVersion.create(version=99)
    close_database()
    with pytest.raises(StoreError, match="newer than this program"):
        open_database(tmp_path / "new.db")


def test_a_file_that_is_not_a_database_gets_a_clear_error(tmp_path):
    bogus = tmp_path / "notes.db"
    bogus.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="not a database"):
        open_database(bogus)
    assert "these are my notes" in bogus.read_text()


def test_no_table_has_a_password_column(db):
    for model in models.ALL_MODELS:
        for column in db.get_columns(model._meta.table_name):
            assert "password" not in column.name.lower(), f"{model.__name__}.{column.name}"


def test_foreign_keys_are_enforced(db):
    with pytest.raises((peewee.IntegrityError, sqlite3.IntegrityError)):
        models.Mailbox.create(name="x", email="x@y.com", profile=12345)


def test_a_version_1_database_upgrades_to_mark_pending_and_keeps_its_decisions(tmp_path):
    """Schema v2 adds TrackingDecision.mark_pending; a shipped v1 database gains it, its rows intact, none owed."""
    from playhouse.migrate import SchemaMigrator, migrate

    path = tmp_path / "v1.db"
    db = open_database(path)
    mailbox = models.Mailbox.create(name="Ann", email="ann@contoso.com")
    models.TrackingDecision.create(mailbox=mailbox, server_id="AAMk1", outcome=1, reason="tracked: a reply")
    migrate(SchemaMigrator.from_database(db).drop_column("tracking_decision", "mark_pending"))  # as v1 had it
    models.SchemaVersion.delete().execute()
    models.SchemaVersion.create(version=1)
    close_database()

    db = open_database(path)
    assert migrations.current_version(db) == 2
    assert "mark_pending" in [c.name for c in db.get_columns("tracking_decision")]
    [row] = models.TrackingDecision.select()
    assert (row.server_id, row.reason, row.mark_pending) == ("AAMk1", "tracked: a reply", False)
    close_database()
