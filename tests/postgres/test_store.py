"""The store on a real PostgreSQL: a new database, the trace log's text filter, and what several workers
do to the same rows at once (each thread below has its own connection, as each worker process has).

The admin services, console views, tracking and engine tests also run here: their modules are marked
`every_database` (tests/conftest.py), so each runs once on SQLite and once on PostgreSQL.
"""
from __future__ import annotations

import asyncio
import subprocess
import threading
from datetime import datetime, timedelta

from crmsync_gui.core import codes
from crmsync_gui.core.store import migrations, models, views
from crmsync_gui.core.store.db import close_database, open_database
from crmsync_gui.core.store.models import EmailServerProfile, Mailbox, TraceLog
from crmsync_gui.core.store.text_search import PG_INDEX, has_trace_text_index
from crmsync_gui.core.sync import trace
from crmsync_gui.core.sync.limits import ServerThrottle, SharedSlots, WatchersFull
from crmsync_gui.core.sync.statements import JobStatements
from tests.conftest import BIN


def test_an_empty_database_gets_every_table_the_version_and_the_text_index(pg_url):
    db = open_database(pg_url)
    try:
        assert set(db.get_tables()) >= {m._meta.table_name for m in models.ALL_MODELS}
        assert migrations.current_version(db) == len(migrations.MIGRATIONS)
        assert models.OrganizationSettings.select().count() == 1
        assert has_trace_text_index(db)
        assert migrations.migrate_to_latest(db) == len(migrations.MIGRATIONS)  # again: nothing to do
        assert models.SchemaVersion.select().count() == 1
    finally:
        close_database()


def test_the_text_filter_is_case_insensitive_escaped_and_served_by_the_trigram_index(pg_db):
    TraceLog.insert_many([dict(level=2, code="C", message=f"{'Common' if i % 2 else 'other'} text 50% number {i}",
                               collation_key=f"k{i}") for i in range(400)]).execute()
    assert views.trace_count(views.TraceFilter(text="COMMON TEXT")) == 200
    assert [r[3] for r in views.trace_page(views.TraceFilter(text="number 123"))] == ["Common text 50% number 123"]
    assert views.trace_count(views.TraceFilter(text="50%")) == 400  # % is a character here, not a wildcard
    assert views.trace_count(views.TraceFilter(text="5_%")) == 0
    query = TraceLog.select(TraceLog.id).where(views.TraceFilter(text="number 123").text_condition())
    sql, params = query.sql()
    with pg_db.atomic():
        pg_db.execute_sql("SET LOCAL enable_seqscan = off")  # a tiny table: ask whether the index can serve it
        plan = "\n".join(row[0] for row in pg_db.execute_sql("EXPLAIN " + sql, params).fetchall())
    assert PG_INDEX in plan, plan


def _on_own_connections(pg_shared_url, threads: int, work) -> list:
    """Run work(i) in `threads` threads at once, each on its own connection (peewee connects per thread)."""
    db = models.Mailbox._meta.database.obj
    start = threading.Barrier(threads)
    results, errors = [None] * threads, []

    def run(i):
        try:
            start.wait()
            results[i] = work(i)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            db.close()

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(30)
    assert not errors, errors
    return results


def test_one_lease_winner_among_workers_racing_for_a_mailbox(pg_db, pg_shared_url):
    profile = EmailServerProfile.create(name="P", incoming_server="https://p.test/EWS/Exchange.asmx")
    mailboxes = [Mailbox.create(name=f"M{i}", email=f"m{i}@p.test", profile=profile) for i in range(20)]
    statements = JobStatements()
    expires = datetime(2026, 1, 5, 9, 10)

    def race(i):
        # every worker saw the mailbox free and tries the compare-and-set on each, at the same moment
        return [m.id for m in mailboxes if statements.take_lease(m.id, f"worker-{i}", 1, expires,
                                                                  seen_host=None, seen_state=0)]

    won = _on_own_connections(pg_shared_url, 8, race)
    winners = [w for ids in won for w in ids]
    assert sorted(winners) == sorted(m.id for m in mailboxes), "each mailbox leased exactly once"
    holders = dict(Mailbox.select(Mailbox.id, Mailbox.lock_host).tuples())
    assert all(holders[m] == f"worker-{i}" for i, ids in enumerate(won) for m in ids)


def test_a_scheduled_lease_is_refused_once_another_worker_synced_the_direction(pg_db):
    profile = EmailServerProfile.create(name="P", incoming_server="https://p.test/EWS/Exchange.asmx")
    now = datetime(2026, 1, 5, 9, 0)
    synced = Mailbox.create(name="Synced", email="s@p.test", profile=profile, incoming_next_run=now.replace(minute=5))
    due = Mailbox.create(name="Due", email="d@p.test", profile=profile, incoming_next_run=now)
    statements, expires = JobStatements(), now.replace(minute=10)

    def take(mailbox, worker):
        return statements.take_lease(mailbox.id, worker, 1, expires, seen_host=None, seen_state=0,
                                     due=(codes.Direction.INCOMING, now))

    assert not take(synced, "late-worker")  # it read the row before the other worker's success and release
    assert take(due, "worker") and not take(due, "other-worker")
    assert Mailbox.get_by_id(synced.id).lock_host is None


def test_workers_finding_the_same_failing_profile_at_once_raise_one_alert(pg_db, pg_shared_url):
    from crmsync_gui.core.sync import alerts

    profile = EmailServerProfile.create(name="P", incoming_server="https://p.test/EWS/Exchange.asmx")
    now = datetime(2026, 1, 5, 9, 0)
    for i in range(4):
        Mailbox.create(name=f"M{i}", email=f"m{i}@p.test", profile=profile, approval=codes.Approval.APPROVED,
                       incoming_enabled=True, last_error_at=now)
    raised = _on_own_connections(pg_shared_url, 6, lambda i: alerts.check_profile(profile.id, now))
    assert sum(1 for r in raised if r is not None) == 1
    assert models.Alert.select().count() == 1


def test_workers_recording_the_same_trace_row_at_once_collate_it(pg_db, pg_shared_url):
    at = datetime(2026, 1, 5, 9, 0)

    def record(i):
        for n in range(10):
            trace.record("ServerError", f"try {i}.{n}", at=at + timedelta(seconds=n), transient=True)

    _on_own_connections(pg_shared_url, 6, record)
    rows = list(TraceLog.select())
    assert len(rows) == 1 and rows[0].count == 60 and rows[0].first_at == at


def test_the_cli_on_postgresql_and_no_password_in_its_messages(pg_url):
    def crmsync(url, *args):
        return subprocess.run([str(BIN / "crmsync"), "--db", url, *args], capture_output=True, text=True, timeout=60)

    assert crmsync(pg_url, "init").returncode == 0
    added = crmsync(pg_url, "profiles", "add", "--name", "Contoso", "--type", "pop3/smtp",
                    "--incoming", "pop.contoso.test", "--outgoing", "smtp.contoso.test")
    assert added.returncode == 0, added.stderr
    listed = crmsync(pg_url, "profiles", "list", "--json")
    assert '"Contoso"' in listed.stdout
    host, port = pg_url.split("@")[1].split("/")[0].split(":")
    closed_port = int(port) + 1 if int(port) < 65535 else int(port) - 1
    refused = crmsync(f"postgresql://crm:Sup3rSecret@{host}:{closed_port}/crm", "init")
    assert refused.returncode == 1
    assert "Sup3rSecret" not in refused.stdout + refused.stderr and "crm:***@" in refused.stderr
    assert "Check that the PostgreSQL server is running" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_bytes_come_back_as_bytes(pg_db):  # psycopg2 hands out memoryview for BYTEA
    count = 3
    profile = EmailServerProfile.create(name="P", incoming_server="https://p.test/EWS/Exchange.asmx")
    mailbox = Mailbox.create(name="M", email="m@p.test", profile=profile)
    for i in range(count):
        models.UnreadableEmail.create(mailbox=mailbox, server_id=str(i), reason="r", raw=b"\x00\xffraw" * (i + 1))
    assert [u.raw for u in models.UnreadableEmail.select().order_by(models.UnreadableEmail.id)] == [
        b"\x00\xffraw" * (i + 1) for i in range(count)]


def test_a_profiles_connection_cap_is_shared_by_the_workers_and_freed_with_a_dead_workers_connection(pg_db):
    """Two workers (two connections) with a cap of 2: what one holds, the other cannot take, until released or
    until the holder's connection ends (a killed worker)."""
    db = models.Mailbox._meta.database.obj
    first_holds = threading.Event()
    first_done = threading.Event()
    seen: dict[str, object] = {}

    def first():  # holds both slots, then dies without releasing them
        async def hold():
            slots = SharedSlots(profile_id=7, capacity=2)
            seen["first"] = sorted([await slots.acquire(), await slots.acquire()])
        asyncio.run(hold())
        first_holds.set()
        first_done.wait(10)
        db.close()  # its connection ends: the server frees its locks

    def second():
        first_holds.wait(10)

        async def try_while_held():
            slots = SharedSlots(profile_id=7, capacity=2)
            try:
                await asyncio.wait_for(slots.acquire(), 0.5)
                seen["while held"] = "got one"
            except TimeoutError:
                seen["while held"] = "waited"
            other_profile = SharedSlots(profile_id=8, capacity=2)
            seen["other profile"] = await asyncio.wait_for(other_profile.acquire(), 2)
            first_done.set()
            seen["after"] = await asyncio.wait_for(slots.acquire(), 5)
        try:
            asyncio.run(try_while_held())
        finally:
            db.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert seen == {"first": [0, 1], "while held": "waited", "other profile": 0, "after": 0}


def test_push_watchers_of_every_worker_together_get_half_a_profiles_cap(pg_db):
    """Two workers (two connections), cap 4: the first worker's two watchers take the half; the second's
    watcher is refused at once (its mailbox is polled) while its syncs still get a connection, and gets a
    place once the first gives one back."""
    db = models.Mailbox._meta.database.obj
    first_holds = threading.Event()
    second_refused = threading.Event()
    first_gave_back = threading.Event()
    seen: dict[str, object] = {}

    def first():
        throttle = ServerThrottle(4, SharedSlots(profile_id=7, capacity=4))
        places = [throttle.watcher_place(), throttle.watcher_place()]
        first_holds.set()
        second_refused.wait(10)
        places[0]()
        first_gave_back.set()
        db.close()

    def second():
        first_holds.wait(10)

        async def try_while_held():
            throttle = ServerThrottle(4, SharedSlots(profile_id=7, capacity=4))
            try:
                throttle.watcher_place()
                seen["watcher"] = "got one"
            except WatchersFull:
                seen["watcher"] = "refused"
            async with throttle.hold():
                seen["sync"] = "connected"
            second_refused.set()
            await asyncio.to_thread(first_gave_back.wait, 10)
            throttle.watcher_place()
            seen["after"] = "got one"
        try:
            asyncio.run(asyncio.wait_for(try_while_held(), 15))
        finally:
            second_refused.set()
            db.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert seen == {"watcher": "refused", "sync": "connected", "after": "got one"}
