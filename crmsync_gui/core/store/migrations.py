"""Schema version and ordered migrations.

A new database gets every table as the models define them now and the latest
version. An existing one runs, in order, each migration above its version,
each in its own transaction. Add a migration by appending a function; never
edit or reorder one that has shipped.
"""
from collections.abc import Callable

import peewee
from playhouse.migrate import SchemaMigrator, migrate

from crmsync_gui.core.errors import StoreError
from crmsync_gui.core.store import models
from crmsync_gui.core.store.text_search import create_trace_text_index

Migration = Callable[[peewee.Database, SchemaMigrator], None]


def _v1_initial(db: peewee.Database, migrator: SchemaMigrator) -> None:
    db.create_tables(models.ALL_MODELS, safe=True)


def _v2_profile_oauth_tenant(db: peewee.Database, migrator: SchemaMigrator) -> None:
    migrate(migrator.add_column("email_server_profile", "oauth_tenant", peewee.CharField(null=True)))


def _v3_tracking_mark_pending(db: peewee.Database, migrator: SchemaMigrator) -> None:
    # Tracked emails whose "Tracked to CRM" category is not on the Exchange item yet: the next sync marks them.
    migrate(migrator.add_column("tracking_decision", "mark_pending", peewee.BooleanField(default=False)))


def _v4_activity_created_at_index(db: peewee.Database, migrator: SchemaMigrator) -> None:
    # The dashboard counts the items synced in each hour: without it, a scan of every activity each refresh.
    migrate(migrator.add_index("activity", ("created_at",), False))


def _v5_act_journal(db: peewee.Database, migrator: SchemaMigrator) -> None:
    # ACT writes to the mail server are journaled before the call, as outgoing email is.
    db.create_tables([models.ActJournal], safe=True)


def _v6_profile_graph(db: peewee.Database, migrator: SchemaMigrator) -> None:
    # Exchange over Microsoft Graph; existing profiles keep EWS
    migrate(migrator.add_column("email_server_profile", "protocol", peewee.IntegerField(default=0)),
            *(migrator.add_column("email_server_profile", name, peewee.CharField(null=True))
              for name in ("graph_url", "oauth_authority", "certificate_thumbprint", "private_key_file")))


# The lookups tracking makes for every page of email, so they stay as fast with years of history as on
# the first day (issue 24). The expressions match the queries' UPPER()/LOWER() exactly; activity_type
# leads where the query filters on it too, so the planner prefers them even before ANALYZE has run.
LOOKUP_INDEXES = (
    ("activity_email_message_id", "activity", "activity_type, message_id"),
    ("activity_email_thread_index", "activity", "activity_type, thread_index"),
    ("activity_email_tracking_token", "activity", "activity_type, UPPER(tracking_token)"),
    *((f"{table}_lower_email", table, "LOWER(email)") for table in ("crm_user", "crm_queue", "contact", "account",
                                                                     "lead")),
    ("tracking_decision_marks_owed", "tracking_decision", "mailbox_id, folder, mark_pending"),
)


def create_lookup_indexes(db: peewee.Database) -> None:
    for name, table, columns in LOOKUP_INDEXES:
        db.execute_sql(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")


def _v7_lookup_indexes(db: peewee.Database, migrator: SchemaMigrator) -> None:
    create_lookup_indexes(db)
    db.execute_sql("ANALYZE")  # the planner's statistics for the history already there


def _v8_appointment_time_zones(db: peewee.Database, migrator: SchemaMigrator) -> None:
    # Appointments keep the zones they were set in and whether they are all-day (ACT sync, both ways).
    migrate(migrator.add_column("activity", "is_all_day", peewee.BooleanField(default=False)),
            migrator.add_column("activity", "start_time_zone", peewee.CharField(null=True)),
            migrator.add_column("activity", "end_time_zone", peewee.CharField(null=True)))


def _v9_item_map_synced_recurrence(db: peewee.Database, migrator: SchemaMigrator) -> None:
    # A series as both sides last had it, so a cancelled occurrence the CRM brings back is seen (Exchange cannot).
    migrate(migrator.add_column("item_map", "synced_recurrence", peewee.TextField(null=True)))


def _v10_profile_allow_unencrypted(db: peewee.Database, migrator: SchemaMigrator) -> None:
    # A connection without TLS to another host needs the administrator's explicit yes
    migrate(migrator.add_column("email_server_profile", "allow_unencrypted", peewee.BooleanField(default=False)))


def _v11_attachment_not_kept(db: peewee.Database, migrator: SchemaMigrator) -> None:
    # An attachment over the organization's limit says so instead of looking like an empty file
    migrate(migrator.add_column("attachment", "not_kept", peewee.CharField(null=True)))


def _v12_mailbox_arrival(db: peewee.Database, migrator: SchemaMigrator) -> None:
    # How new email arrives per mailbox (push, polling and why) and the last tracked email's latency
    migrate(migrator.add_column("mailbox", "arrival", peewee.IntegerField(null=True)),
            migrator.add_column("mailbox", "arrival_latency_s", peewee.FloatField(null=True)))


def _v13_engine_workers(db: peewee.Database, migrator: SchemaMigrator) -> None:
    # Each running engine registers itself and beats, so the administrator sees the workers and the lost ones
    db.create_tables([models.EngineWorker], safe=True)


def _v14_meetings(db: peewee.Database, migrator: SchemaMigrator) -> None:
    # Appointments sent as meetings: the iCalendar UID their copies share, and each attendee's answer
    migrate(migrator.add_column("activity", "meeting_uid", peewee.CharField(null=True)),
            migrator.add_index("activity", ("meeting_uid",)),
            migrator.add_column("activity_party", "response", peewee.IntegerField(null=True)))


def _v15_folder_sync_state_settled(db: peewee.Database, migrator: SchemaMigrator) -> None:
    # An ACT cursor read before the run's own creates (the run stopped): the next run reads the folder whole
    migrate(migrator.add_column("folder_sync_state", "settled", peewee.BooleanField(default=True)))


# ACT's item map keys on these ids (ItemMap.record_id): SQLite gives the id of the newest row deleted to the next
# insert unless the table is AUTOINCREMENT, and the new record then took the deleted one's Exchange item.
NEVER_REUSED_IDS = ("contact", "activity")
_ROWID_KEY = '"id" INTEGER NOT NULL PRIMARY KEY'


def ids_never_reused(db: peewee.Database) -> None:
    """Make each table of NEVER_REUSED_IDS AUTOINCREMENT on SQLite, by SQLite's table rebuild (foreign keys off
    when it holds rows, as while migrating); PostgreSQL's sequences never give an id again."""
    if not isinstance(db, peewee.SqliteDatabase):
        return
    for table in NEVER_REUSED_IDS:
        (sql,) = db.execute_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
        if "AUTOINCREMENT" in sql:
            continue
        if _ROWID_KEY not in sql:
            raise StoreError(f"The {table} table's id column is not what this program expects: {sql}")
        indexes = [index for (index,) in db.execute_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,))]
        db.execute_sql(sql.replace(f'CREATE TABLE "{table}"', f'CREATE TABLE "{table}_rebuilt"', 1)
                       .replace(_ROWID_KEY, f"{_ROWID_KEY} AUTOINCREMENT", 1))
        db.execute_sql(f'INSERT INTO "{table}_rebuilt" SELECT * FROM "{table}"')
        db.execute_sql(f'DROP TABLE "{table}"')
        db.execute_sql(f'ALTER TABLE "{table}_rebuilt" RENAME TO "{table}"')
        for index in indexes:
            db.execute_sql(index)


def _v16_synced_hour(db: peewee.Database, migrator: SchemaMigrator) -> None:
    # The items each direction synced per hour, which the dashboard draws (not only activities created)
    db.create_tables([models.SyncedHour], safe=True)


def _v17_arrivals(db: peewee.Database, migrator: SchemaMigrator) -> None:
    # Arrival to the CRM counts new email only: when each mailbox's last good incoming run began, and which
    # decisions were arrivals (earlier decisions stay not: the chart fills again within its 24 hours)
    migrate(migrator.add_column("mailbox", "incoming_good_run_at", peewee.DateTimeField(null=True)),
            migrator.add_column("tracking_decision", "arrival", peewee.BooleanField(default=False)))


def _v18_alert_code(db: peewee.Database, migrator: SchemaMigrator) -> None:
    # An alert's code and arguments, which the console renders in the administrator's language
    migrate(migrator.add_column("alert", "code", peewee.CharField(null=True)),
            migrator.add_column("alert", "args", peewee.TextField(null=True)))


def _v19_ids_never_reused(db: peewee.Database, migrator: SchemaMigrator) -> None:
    ids_never_reused(db)


def _v20_trace_args(db: peewee.Database, migrator: SchemaMigrator) -> None:
    # A trace row's arguments, so the console renders its message in the administrator's language
    migrate(migrator.add_column("trace_log", "args", peewee.TextField(null=True)))


def _v21_request_budget(db: peewee.Database, migrator: SchemaMigrator) -> None:
    # A Graph mailbox's request budget as its last job left it, so the console shows it after a restart
    migrate(migrator.add_column("mailbox", "request_budget_used", peewee.IntegerField(null=True)),
            migrator.add_column("mailbox", "request_budget_limit", peewee.IntegerField(null=True)),
            migrator.add_column("mailbox", "request_budget_window_s", peewee.FloatField(null=True)),
            migrator.add_column("mailbox", "request_budget_at", peewee.DateTimeField(null=True)))


def _v22_reprocess_requests(db: peewee.Database, migrator: SchemaMigrator) -> None:
    # Emails an administrator asked to reprocess, fetched again by their mailbox's next incoming run
    db.create_tables([models.ReprocessRequest], safe=True)


MIGRATIONS: list[Migration] = [_v1_initial, _v2_profile_oauth_tenant, _v3_tracking_mark_pending,
                               _v4_activity_created_at_index, _v5_act_journal, _v6_profile_graph,
                               _v7_lookup_indexes, _v8_appointment_time_zones, _v9_item_map_synced_recurrence,
                               _v10_profile_allow_unencrypted, _v11_attachment_not_kept, _v12_mailbox_arrival,
                               _v13_engine_workers, _v14_meetings,
                               _v15_folder_sync_state_settled, _v16_synced_hour, _v17_arrivals,
                               _v18_alert_code, _v19_ids_never_reused,
                               _v20_trace_args, _v21_request_budget, _v22_reprocess_requests]


def current_version(db: peewee.Database) -> int:
    if not db.table_exists(models.SchemaVersion._meta.table_name):
        return 0
    row = models.SchemaVersion.select(peewee.fn.MAX(models.SchemaVersion.version)).scalar()
    return row or 0


def migrate_to_latest(db: peewee.Database, migrations: list[Migration] | None = None) -> int:
    """Bring the schema to the latest version; return the version reached. Safe to run on every start."""
    migrations = MIGRATIONS if migrations is None else migrations
    latest = len(migrations)
    version = current_version(db)
    if version > latest:
        raise StoreError(f"This database has schema version {version}, newer than this program "
                         f"understands ({latest}). Install a newer crmsync or open another database.")
    if version == 0:
        with db.atomic():
            db.create_tables(models.ALL_MODELS, safe=True)
            ids_never_reused(db)  # the tables are empty: nothing refers to their rows yet
            create_trace_text_index(db)
            create_lookup_indexes(db)
            models.SchemaVersion.create(version=latest)
            models.OrganizationSettings.get_or_create(id=1)
        return latest
    migrator = SchemaMigrator.from_database(db)
    # SQLite rebuilds a table to change a column (v8's NOT NULL is_all_day rebuilds activity): with foreign
    # keys enforced, dropping the old table would cascade to every row that refers to it (an email's parties
    # and attachments). Off while migrating, as SQLite's ALTER TABLE guide says.
    sqlite = isinstance(db, peewee.SqliteDatabase)
    if sqlite:
        db.execute_sql("PRAGMA foreign_keys = OFF")
    try:
        for number in range(version + 1, latest + 1):
            with db.atomic():
                migrations[number - 1](db, migrator)
                models.SchemaVersion.create(version=number)
    finally:
        if sqlite:
            db.execute_sql("PRAGMA foreign_keys = ON")
    return latest
