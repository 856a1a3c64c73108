import sqlite3

import peewee
import pytest

from crmsync_gui.core import codes
from crmsync_gui.core.errors import StoreError
from crmsync_gui.core.store import migrations, models
from crmsync_gui.core.store.db import close_database, open_database

pytestmark = pytest.mark.every_database  # the same tests on SQLite and PostgreSQL


def test_new_database_has_every_table_and_latest_version(db):
    for model in models.ALL_MODELS:
        assert db.table_exists(model._meta.table_name), model.__name__
    assert migrations.current_version(db) == len(migrations.MIGRATIONS)
    assert models.OrganizationSettings.select().count() == 1


@pytest.mark.sqlite_only
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
    """A database at the latest version opened by a program with two more migrations runs them, in order, once."""
    db = open_database(tmp_path / "old.db")
    ran = []
    shipped = len(migrations.MIGRATIONS)

    def add_column(database, migrator):
        from playhouse.migrate import migrate
        ran.append(shipped + 1)
        migrate(migrator.add_column("crm_user", "nickname", peewee.CharField(null=True)))

    def fill_column(database, migrator):
        ran.append(shipped + 2)
        database.execute_sql("UPDATE crm_user SET nickname = 'n'")

    chain = [*migrations.MIGRATIONS, add_column, fill_column]
    assert migrations.migrate_to_latest(db, chain) == shipped + 2
    assert ran == [shipped + 1, shipped + 2]
    assert "nickname" in [c.name for c in db.get_columns("crm_user")]
    assert migrations.migrate_to_latest(db, chain) == shipped + 2
    assert ran == [shipped + 1, shipped + 2], "a migration ran twice"
    close_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def new_database(request, tmp_path):
    """Where a new database goes (a SQLite file, or a new PostgreSQL database), for tests that open and
    reopen it themselves, as an administrator upgrading crmsync does."""
    return tmp_path / "crm.db" if request.param == "sqlite" else request.getfixturevalue("pg_url")


def test_a_version_1_database_gains_the_oauth_tenant_and_keeps_its_profiles(new_database):
    path = new_database
    db = open_database(path)
    models.EmailServerProfile.create(name="Contoso", incoming_server="https://mail.contoso.com/EWS/Exchange.asmx")
    as_version_1(db)
    close_database()
    db = open_database(path)
    assert migrations.current_version(db) == len(migrations.MIGRATIONS)
    profile = models.EmailServerProfile.get(models.EmailServerProfile.name == "Contoso")
    assert profile.oauth_tenant is None and profile.incoming_server.startswith("https://mail.contoso.com")
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


def test_a_version_1_database_upgrades_to_mark_pending_and_keeps_its_decisions(new_database):
    """TrackingDecision.mark_pending (v3): a shipped v1 database gains it, its rows intact, no mark owed."""
    path = new_database
    db = open_database(path)
    mailbox = models.Mailbox.create(name="Ann", email="ann@contoso.com")
    models.TrackingDecision.create(mailbox=mailbox, server_id="AAMk1", outcome=1, reason="tracked: a reply")
    as_version_1(db)
    close_database()

    db = open_database(path)
    assert migrations.current_version(db) == len(migrations.MIGRATIONS)
    assert "mark_pending" in [c.name for c in db.get_columns("tracking_decision")]
    [row] = models.TrackingDecision.select()
    assert (row.server_id, row.reason, row.mark_pending) == ("AAMk1", "tracked: a reply", False)
    close_database()


def test_an_older_database_gains_the_activity_time_index_and_keeps_its_activities(new_database):
    """Activity.created_at's index (v4), which the dashboard's per-hour counts use."""
    db = open_database(new_database)
    models.Activity.create(activity_type=codes.ActivityType.EMAIL, subject="Quote")
    as_version_1(db)
    assert "activity_created_at" not in [i.name for i in db.get_indexes("activity")]
    close_database()

    db = open_database(new_database)
    assert migrations.current_version(db) == len(migrations.MIGRATIONS)
    assert "activity_created_at" in [i.name for i in db.get_indexes("activity")]
    assert [a.subject for a in models.Activity.select()] == ["Quote"]
    close_database()


def test_an_older_database_gains_the_act_journal(new_database):
    """ActJournal (v5): ACT writes to the mail server are recorded before they are made."""
    db = open_database(new_database)
    as_version_1(db)
    assert not db.table_exists("act_journal")
    close_database()

    db = open_database(new_database)
    assert migrations.current_version(db) == len(migrations.MIGRATIONS)
    assert models.ActJournal.select().count() == 0
    close_database()


def test_an_older_database_gains_the_lookup_indexes_and_keeps_its_rows(new_database):
    """The indexes tracking's lookups use (v7): by Thread-Index, upper-cased token, lower-cased address..."""
    db = open_database(new_database)
    models.Contact.create(email="Bo@Fabrikam.com")
    as_version_1(db)
    close_database()

    db = open_database(new_database)
    assert migrations.current_version(db) == len(migrations.MIGRATIONS)
    names = {i.name for table in ("activity", "contact", "crm_user", "crm_queue", "account", "lead",
                                  "tracking_decision") for i in db.get_indexes(table)}
    assert {name for name, _, _ in migrations.LOOKUP_INDEXES} <= names
    assert [c.email for c in models.Contact.select().where(peewee.fn.LOWER(models.Contact.email) == "bo@fabrikam.com")
            ] == ["Bo@Fabrikam.com"]
    close_database()


@pytest.mark.sqlite_only
def test_tracking_lookups_use_the_lookup_indexes_before_any_statistics(db):
    """A new store has no ANALYZE statistics yet: the planner must still pick the lookup indexes."""
    from crmsync_gui.core.sync import tracking

    queries = {
        "activity_email_tracking_token": tracking._emails().where(
            peewee.fn.UPPER(models.Activity.tracking_token) == "CRM:0001001").order_by(models.Activity.id.desc()),
        "activity_email_thread_index": tracking._emails().where(models.Activity.thread_index.in_(["AQHZ"])),
        "contact_lower_email": models.Contact.select(models.Contact.id).where(
            peewee.fn.LOWER(models.Contact.email).in_(["bo@fabrikam.com"]), models.Contact.is_active == True),  # noqa: E712
        "tracking_decision_marks_owed": models.TrackingDecision.select().where(
            models.TrackingDecision.mailbox == 1, models.TrackingDecision.folder == "Inbox",
            models.TrackingDecision.mark_pending == True),  # noqa: E712
    }
    for index, query in queries.items():
        sql, params = query.sql()
        plan = " ".join(row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
        assert f"INDEX {index} " in plan, plan


def test_an_older_database_gains_appointment_time_zones_and_keeps_its_appointments(new_database):
    """Activity.is_all_day, start_time_zone and end_time_zone (v8): existing appointments stay UTC, not all-day."""
    db = open_database(new_database)
    models.Activity.create(activity_type=codes.ActivityType.APPOINTMENT, subject="Review")
    as_version_1(db)
    close_database()

    db = open_database(new_database)
    assert migrations.current_version(db) == len(migrations.MIGRATIONS)
    [row] = models.Activity.select()
    assert (row.subject, row.is_all_day, row.start_time_zone, row.end_time_zone) == ("Review", False, None, None)
    close_database()


def as_version_1(db):
    """Make a new database what the first release left: without the columns added since, schema version 1."""
    for name, _, _ in migrations.LOOKUP_INDEXES:  # v7 (one of them covers mark_pending)
        db.execute_sql(f"DROP INDEX {name}")
    db.execute_sql("ALTER TABLE email_server_profile DROP COLUMN oauth_tenant")
    db.execute_sql("ALTER TABLE tracking_decision DROP COLUMN mark_pending")
    db.execute_sql("DROP INDEX activity_created_at")
    db.execute_sql("DROP TABLE act_journal")
    for column in ("protocol", "graph_url", "oauth_authority", "certificate_thumbprint", "private_key_file",
                   "allow_unencrypted"):
        db.execute_sql(f"ALTER TABLE email_server_profile DROP COLUMN {column}")
    for column in ("is_all_day", "start_time_zone", "end_time_zone"):
        db.execute_sql(f"ALTER TABLE activity DROP COLUMN {column}")
    db.execute_sql("ALTER TABLE item_map DROP COLUMN synced_recurrence")
    db.execute_sql("ALTER TABLE attachment DROP COLUMN not_kept")
    for column in ("arrival", "arrival_latency_s"):
        db.execute_sql(f"ALTER TABLE mailbox DROP COLUMN {column}")
    db.execute_sql("DROP INDEX activity_meeting_uid")
    db.execute_sql("ALTER TABLE activity DROP COLUMN meeting_uid")
    db.execute_sql("ALTER TABLE activity_party DROP COLUMN response")
    db.execute_sql("ALTER TABLE folder_sync_state DROP COLUMN settled")
    db.execute_sql("ALTER TABLE mailbox DROP COLUMN incoming_good_run_at")
    db.execute_sql("ALTER TABLE tracking_decision DROP COLUMN arrival")
    for column in ("code", "args"):
        db.execute_sql(f"ALTER TABLE alert DROP COLUMN {column}")
    db.execute_sql("ALTER TABLE trace_log DROP COLUMN args")
    for column in ("request_budget_used", "request_budget_limit", "request_budget_window_s", "request_budget_at"):
        db.execute_sql(f"ALTER TABLE mailbox DROP COLUMN {column}")
    if isinstance(db, peewee.SqliteDatabase):  # ids as the first release made them (v19 makes them never reused)
        db.execute_sql("PRAGMA foreign_keys = OFF")
        for table in migrations.NEVER_REUSED_IDS:
            (sql,) = db.execute_sql("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
            indexes = [i for (i,) in db.execute_sql("SELECT sql FROM sqlite_master WHERE type = 'index' AND "
                                                    "tbl_name = ? AND sql IS NOT NULL", (table,))]
            db.execute_sql(sql.replace(f'"{table}"', f'"{table}_old"', 1).replace(" AUTOINCREMENT", ""))
            db.execute_sql(f'INSERT INTO "{table}_old" SELECT * FROM "{table}"')
            db.execute_sql(f'DROP TABLE "{table}"')
            db.execute_sql(f'ALTER TABLE "{table}_old" RENAME TO "{table}"')
            for index in indexes:
                db.execute_sql(index)
        db.execute_sql("PRAGMA foreign_keys = ON")
    db.execute_sql("UPDATE schema_version SET version = 1")


def test_a_deleted_record_s_id_is_never_given_again(new_database):
    """ACT's item map keys on contact and activity ids (ItemMap.record_id): SQLite gives the id of the newest
    row deleted to the next one unless the table is AUTOINCREMENT; PostgreSQL's sequences never do."""
    open_database(new_database)
    for model in (models.Contact, models.Activity):
        fields = {"last_name": "Berg"} if model is models.Contact else {"activity_type": codes.ActivityType.TASK}
        gone = model.create(**fields)
        gone.delete_instance()
        assert model.create(**fields).id > gone.id
    close_database()


def test_an_upgraded_database_gives_no_deleted_id_again_and_keeps_its_rows(new_database):
    db = open_database(new_database)
    email = models.Activity.create(activity_type=codes.ActivityType.EMAIL, subject="Quote")
    models.ActivityParty.create(activity=email, role=int(codes.PartyRole.FROM), address="bo@fabrikam.com")
    newest = models.Contact.create(last_name="Berg")
    as_version_1(db)
    close_database()
    db = open_database(new_database)
    assert [p.address for p in models.Activity.get_by_id(email.id).parties] == ["bo@fabrikam.com"]
    newest.delete_instance()
    assert models.Contact.create(last_name="Lee").id > newest.id
    close_database()


def test_an_upgrade_that_rebuilds_a_table_keeps_the_rows_referring_to_it(new_database):
    """v8 rebuilds activity on SQLite (a NOT NULL column): its parties and attachments must not cascade away."""
    db = open_database(new_database)
    email = models.Activity.create(activity_type=codes.ActivityType.EMAIL, subject="Quote")
    models.ActivityParty.create(activity=email, role=int(codes.PartyRole.FROM), address="bo@fabrikam.com")
    models.Attachment.create(activity=email, file_name="quote.pdf", size=3, content=b"pdf")
    as_version_1(db)
    close_database()

    db = open_database(new_database)
    assert [p.address for p in models.ActivityParty.select()] == ["bo@fabrikam.com"]
    assert [a.content for a in models.Attachment.select()] == [b"pdf"]
    if isinstance(db, peewee.SqliteDatabase):
        assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1  # enforced again after the upgrade
    close_database()


def test_an_older_database_gains_meetings_and_keeps_its_attendees(new_database):
    """Activity.meeting_uid and ActivityParty.response (v14): an appointment's iCalendar UID and each answer."""
    db = open_database(new_database)
    meeting = models.Activity.create(activity_type=codes.ActivityType.APPOINTMENT, subject="Review")
    models.ActivityParty.create(activity=meeting, role=int(codes.PartyRole.REQUIRED), address="bo@fabrikam.com")
    as_version_1(db)
    close_database()

    db = open_database(new_database)
    assert migrations.current_version(db) == len(migrations.MIGRATIONS)
    assert "activity_meeting_uid" in [i.name for i in db.get_indexes("activity")]
    [party] = models.ActivityParty.select()
    assert (party.address, party.response, party.activity.meeting_uid) == ("bo@fabrikam.com", None, None)
    close_database()


@pytest.mark.sqlite_only
def test_new_database_and_its_wal_are_readable_by_their_owner_only(tmp_path):
    """The file holds every tracked email: not readable by other accounts, whatever the umask allows."""
    import os
    import stat

    umask = os.umask(0o022)
    try:
        open_database(tmp_path / "crm.db")
        models.CrmUser.create(full_name="Ann", email="ann@contoso.com")
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
        close_database()
    finally:
        os.umask(umask)
    assert modes == {"crm.db": 0o600, "crm.db-wal": 0o600, "crm.db-shm": 0o600}


def test_an_older_database_gains_the_graph_fields_and_its_profiles_keep_ews(new_database):
    db = open_database(new_database)
    models.EmailServerProfile.create(name="Online", server_type=codes.ServerType.EXCHANGE_ONLINE_HYBRID,
                                     incoming_server="https://outlook.office365.com/EWS/Exchange.asmx")
    as_version_1(db)
    close_database()
    db = open_database(new_database)
    assert migrations.current_version(db) == len(migrations.MIGRATIONS)
    profile = models.EmailServerProfile.get(models.EmailServerProfile.name == "Online")
    assert profile.protocol == codes.ExchangeProtocol.EWS and profile.graph_url is None
    close_database()
