"""Leases renewed while a job runs, with real `crmsync engine run` workers on PostgreSQL and a slow EWS sandbox.

A first sync longer than the lease period is never taken over while it runs; a worker cut off from the database
past its lease stops that job, which writes nothing more for the mailbox the other worker took over, even once the
database is back.
"""
from __future__ import annotations

import re
import shutil
import time
from collections import Counter
from urllib.parse import urlsplit

import pytest

from crmsync_gui.core import codes
from crmsync_gui.core.secrets import secret_store_for
from crmsync_gui.core.store.base import utcnow
from crmsync_gui.core.store.models import (
    Activity,
    CrmUser,
    EmailServerProfile,
    Mailbox,
    TraceLog,
    TrackingDecision,
)
from crmsync_gui.core.sync.workers import heartbeat_s
from tests.postgres.test_workers import Worker, intervals, wait_for
from tests.servers.tcp_proxy import TcpProxy

LEASE_S = 5  # 10 mailboxes, one first sync each: a loaded machine stalls a worker less than that
SLOW_S = 2 * LEASE_S  # each SyncFolderItems answer comes this late: every incoming job outlasts its lease


def mailboxes(sandbox, count: int, url: str) -> list[Mailbox]:
    """`count` approved mailboxes syncing incoming email only, each owned by a user who tracks all email."""
    secrets = secret_store_for(url)
    profile = EmailServerProfile.create(name="Sandbox", incoming_server=sandbox.url, trusted_ca_file=sandbox.ca_file,
                                        auth_type=codes.AuthType.BASIC, max_concurrent_connections=50,
                                        timeout_ms=30_000)
    made = []
    for user in sandbox.populate(count, 3):
        owner = CrmUser.create(full_name=user.name, email=user.email, tracking_option=codes.TrackingOption.ALL)
        made.append(Mailbox.create(name=user.name, email=user.email, username=user.email,
                                   secret_ref=secrets.put(user.password), profile=profile, owner_user=owner,
                                   approval=codes.Approval.APPROVED, incoming_enabled=True,
                                   outgoing_method=codes.OutgoingMethod.NONE))
    return made


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # the secret file every worker reads


def assert_tracked_once():
    tracked = Activity.select(Activity.message_id).where(Activity.activity_type == codes.ActivityType.EMAIL)
    assert max(Counter(m for (m,) in tracked.tuples()).values()) == 1, "an email tracked twice"
    assert tracked.count() == TrackingDecision.select().where(
        TrackingDecision.outcome == codes.TrackingOutcome.TRACKED).count()


def test_jobs_longer_than_the_lease_are_never_taken_over_by_the_other_worker(pg_db, pg_shared_url, sandbox, tmp_path,
                                                                              data_home):
    made = mailboxes(sandbox, 10, pg_shared_url)
    sandbox.inject("delay", operation="SyncFolderItems", seconds=SLOW_S)
    workers = [Worker(pg_shared_url, tmp_path, name, deadline_s=60, lease_s=LEASE_S) for name in ("a", "b")]
    try:
        a, b = (w.wait_ready() for w in workers)
        success = codes.DirectionStatus.SUCCESS
        wait_for(lambda: Mailbox.select().where(Mailbox.incoming_status == success).count() == len(made), 90,
                 "every mailbox synced")
        time.sleep(LEASE_S + 1)  # a worker that wrongly took a lease over would have started by now
        now = utcnow()
        runs = {w.id: w.jobs() for w in workers}
    finally:
        for worker in workers:
            worker.stop()
    ended = [(m, what) for jobs in runs.values() for _at, m, _d, what in jobs if what != "started"]
    assert sorted(ended) == sorted((m.id, "finished") for m in made), "each mailbox synced once, to the end"
    spans = {name: intervals(jobs, now) for name, jobs in runs.items()}
    longest = max(end - start for jobs in spans.values() for mine in jobs.values() for start, end, _d in mine)
    assert longest.total_seconds() > LEASE_S, "the jobs outlasted their lease"
    for mailbox_id, mine in spans[a].items():
        for start, end, _d in mine:
            for other_start, other_end, _od in spans[b].get(mailbox_id, []):
                assert end <= other_start or other_end <= start, f"mailbox {mailbox_id} synced by both at once"
    assert not TraceLog.select().where(TraceLog.code == "LeaseTakenOver").exists()
    assert_tracked_once()


def test_a_worker_cut_off_from_the_database_past_its_lease_stops_its_job_and_writes_nothing_more(
        pg_db, pg_shared_url, sandbox, tmp_path, data_home):
    [mailbox] = mailboxes(sandbox, 1, pg_shared_url)
    where = urlsplit(pg_shared_url)
    proxy = TcpProxy(where.port)
    cut_off_url = where._replace(netloc=where.netloc.replace(f":{where.port}", f":{proxy.port}")).geturl()
    secrets = secret_store_for(cut_off_url).fallback_file
    secrets.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(secret_store_for(pg_shared_url).fallback_file, secrets)
    sandbox.inject("delay", operation="SyncFolderItems", seconds=6 * LEASE_S, times=1)  # the cut-off worker's sync
    cut_off, other = Worker(cut_off_url, tmp_path, "cut-off", deadline_s=60, lease_s=LEASE_S), None
    try:
        cut_off.wait_ready()
        wait_for(lambda: any(what == "started" for *_x, what in cut_off.jobs()), 60, "the cut-off worker's job")
        other = Worker(pg_shared_url, tmp_path, "other", lease_s=LEASE_S)  # waiting for the lease, which is renewed
        other.wait_ready()
        time.sleep(LEASE_S)
        assert other.jobs() == []
        proxy.cut()
        cut_at = utcnow()
        wait_for(lambda: [j for j in other.jobs() if j[3] == "finished"], 60, "the other worker to sync the mailbox")
        [(taken_at, *_rest)] = [j for j in other.jobs() if j[3] == "started"]
        assert (taken_at - cut_at).total_seconds() > LEASE_S - heartbeat_s(LEASE_S), "taken over before the lease expired"
        synced = Mailbox.get_by_id(mailbox.id)
        assert [what for *_x, what in cut_off.jobs()] == ["started"], "its request ended before the database was back"
        proxy.mend()  # the cut-off worker reaches the database again before its request at the server ends
        wait_for(lambda: [j for j in cut_off.jobs() if j[3] != "started"], 10 * LEASE_S, "the cut-off job to end")
        assert [what for *_x, what in cut_off.jobs()] == ["started", "failed"]
        assert re.search(rf"mailbox {mailbox.id} incoming failed LeaseLost$", cut_off.out.read_text(), re.M)
        time.sleep(1)
    finally:
        for worker in (cut_off, other):
            if worker is not None:
                worker.stop()
        proxy.close()
    assert cut_off.proc.returncode == 0, cut_off.err.read_text()
    [taken] = TraceLog.select().where(TraceLog.code == "LeaseTakenOver")
    assert taken.mailbox_id == mailbox.id and cut_off.id in taken.message
    row = Mailbox.get_by_id(mailbox.id)
    assert row.incoming_status == codes.DirectionStatus.SUCCESS and row.lock_host is None
    assert (row.last_sync_at, row.incoming_next_run, row.incoming_transient_failures, row.last_error_code) == (
        synced.last_sync_at, synced.incoming_next_run, 0, None), "the cut-off worker wrote on after the takeover"
    assert_tracked_once()
